CREATE TABLE "trace_deltas" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "trace_deltas_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tenant_id" text NOT NULL,
	"trace_id" text NOT NULL,
	"start_ns" bigint NOT NULL,
	"end_ns" bigint NOT NULL,
	"root_name" text,
	"root_service" text,
	"span_count" integer NOT NULL,
	"error_count" integer NOT NULL,
	"user_id" text,
	"session_id" text,
	"llm_model" text,
	"prompt_tokens" bigint,
	"completion_tokens" bigint,
	"total_tokens" bigint,
	"cost_usd" double precision,
	"http_status_code" integer,
	"ttft_ms" double precision,
	"sample_weight" double precision DEFAULT 1 NOT NULL,
	"attribute_set" jsonb NOT NULL,
	"may_adopt" boolean NOT NULL
);
--> statement-breakpoint
-- The summarizer's union of many deltas' attribute sets for one trace.
CREATE AGGREGATE td_set_union_agg(jsonb) (SFUNC = td_set_union, STYPE = jsonb, INITCOND = '{}');
