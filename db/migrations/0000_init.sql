CREATE TABLE "attribute_keys" (
	"key" text NOT NULL,
	"scope" text NOT NULL,
	"value_type" text NOT NULL,
	"seen_count" bigint NOT NULL,
	"last_seen_ns" bigint NOT NULL,
	"distinct_values" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "attribute_keys_pkey" PRIMARY KEY("key","scope")
);
--> statement-breakpoint
CREATE TABLE "attribute_values" (
	"key" text NOT NULL,
	"value" text NOT NULL,
	"seen_count" bigint NOT NULL,
	"last_seen_ns" bigint NOT NULL,
	CONSTRAINT "attribute_values_pkey" PRIMARY KEY("key","value")
);
--> statement-breakpoint
CREATE TABLE "spans" (
	"tenant_id" text DEFAULT '' NOT NULL,
	"trace_id" text NOT NULL,
	"span_id" text NOT NULL,
	"parent_span_id" text,
	"trace_state" text,
	"name" text NOT NULL,
	"kind" smallint NOT NULL,
	"service" text NOT NULL,
	"status_code" smallint NOT NULL,
	"status_message" text,
	"start_ns" bigint NOT NULL,
	"end_ns" bigint NOT NULL,
	"duration_ns" bigint NOT NULL,
	"user_id" text,
	"session_id" text,
	"llm_model" text,
	"prompt_tokens" bigint,
	"completion_tokens" bigint,
	"total_tokens" bigint,
	"cost_usd" double precision,
	"http_status_code" integer,
	"attributes" jsonb NOT NULL,
	"resource_attributes" jsonb NOT NULL,
	"events" jsonb NOT NULL,
	"links" jsonb NOT NULL,
	"scope_name" text,
	"scope_version" text,
	"flags" integer DEFAULT 0 NOT NULL,
	"dropped_counts" jsonb,
	CONSTRAINT "spans_pkey" PRIMARY KEY("tenant_id","trace_id","span_id")
);
--> statement-breakpoint
CREATE TABLE "traces" (
	"tenant_id" text DEFAULT '' NOT NULL,
	"trace_id" text NOT NULL,
	"start_ns" bigint NOT NULL,
	"end_ns" bigint NOT NULL,
	"duration_ns" bigint NOT NULL,
	"root_name" text,
	"root_service" text,
	"span_count" integer NOT NULL,
	"error_count" integer NOT NULL,
	"user_id" text,
	"session_id" text,
	"llm_model" text,
	"http_status_code" integer,
	"prompt_tokens" bigint,
	"completion_tokens" bigint,
	"total_tokens" bigint,
	"cost_usd" double precision,
	CONSTRAINT "traces_pkey" PRIMARY KEY("tenant_id","trace_id")
);
--> statement-breakpoint
CREATE INDEX "attribute_values_top_idx" ON "attribute_values" USING btree ("key","seen_count" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "spans_trace_id_idx" ON "spans" USING btree ("trace_id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "spans_tenant_start_idx" ON "spans" USING btree ("tenant_id","start_ns" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "spans_start_brin" ON "spans" USING brin ("start_ns");--> statement-breakpoint
CREATE INDEX "spans_attributes_gin" ON "spans" USING gin ("attributes" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "spans_resource_attributes_gin" ON "spans" USING gin ("resource_attributes" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "spans_user_idx" ON "spans" USING btree ("tenant_id","user_id","start_ns" DESC NULLS LAST) WHERE "spans"."user_id" is not null;--> statement-breakpoint
CREATE INDEX "spans_session_idx" ON "spans" USING btree ("tenant_id","session_id") WHERE "spans"."session_id" is not null;--> statement-breakpoint
CREATE INDEX "traces_tenant_start_idx" ON "traces" USING btree ("tenant_id","start_ns" DESC NULLS LAST,"trace_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "traces_start_idx" ON "traces" USING btree ("start_ns" DESC NULLS LAST,"trace_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "traces_trace_id_idx" ON "traces" USING btree ("trace_id" text_pattern_ops);