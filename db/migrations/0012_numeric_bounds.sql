-- Per-trace numeric bounds of hot keys (lib/trace/numeric-bounds.ts): the largest and smallest
-- number (`n`) among the values a trace's attribute set holds for one key. `where key > X` at trace
-- level ("some span has a value above X") is then `max > X`, read from a typed column instead of
-- decoding the set of every trace in the range. Generated from the set, so no writer (summarizer,
-- upgrade, a future one) can make them disagree with it.
-- IMMUTABLE: a generated column may only call immutable functions; both read their argument only.
CREATE OR REPLACE FUNCTION td_set_max(attrs jsonb, key text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT max((e.v ->> 'n')::double precision) FROM jsonb_array_elements(attrs -> key) AS e(v)
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION td_set_min(attrs jsonb, key text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT min((e.v ->> 'n')::double precision) FROM jsonb_array_elements(attrs -> key) AS e(v)
$$;--> statement-breakpoint
-- One ALTER for all six: a stored generated column rewrites the table, once rather than six times.
ALTER TABLE "traces"
  ADD COLUMN "http_status_max" double precision GENERATED ALWAYS AS (td_set_max(attribute_set, 'http.status_code')) STORED,
  ADD COLUMN "http_status_min" double precision GENERATED ALWAYS AS (td_set_min(attribute_set, 'http.status_code')) STORED,
  ADD COLUMN "ttft_max" double precision GENERATED ALWAYS AS (td_set_max(attribute_set, 'llm.time_to_first_token')) STORED,
  ADD COLUMN "ttft_min" double precision GENERATED ALWAYS AS (td_set_min(attribute_set, 'llm.time_to_first_token')) STORED,
  ADD COLUMN "total_tokens_max" double precision GENERATED ALWAYS AS (td_set_max(attribute_set, 'llm.usage.total_tokens')) STORED,
  ADD COLUMN "total_tokens_min" double precision GENERATED ALWAYS AS (td_set_min(attribute_set, 'llm.usage.total_tokens')) STORED;--> statement-breakpoint
CREATE INDEX "traces_http_status_max_idx" ON "traces" USING btree ("http_status_max") WHERE "traces"."http_status_max" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "traces_ttft_max_idx" ON "traces" USING btree ("ttft_max") WHERE "traces"."ttft_max" IS NOT NULL;
