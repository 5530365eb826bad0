-- Cost from columns and rollups (issue #13 item 8): the cache-read, cache-creation and reasoning
-- tokens pricing reads become summed promoted columns of spans, trace_deltas and traces
-- (lib/trace/promoted.ts), and trace_rollups keeps, per granule, the uncosted requests and their
-- token sums (db/rollups.ts), so charts price them from the rollups instead of scanning traces.
ALTER TABLE "spans" ADD COLUMN "cached_input_tokens" bigint;--> statement-breakpoint
ALTER TABLE "spans" ADD COLUMN "cache_creation_tokens" bigint;--> statement-breakpoint
ALTER TABLE "spans" ADD COLUMN "reasoning_tokens" bigint;--> statement-breakpoint
ALTER TABLE "trace_deltas" ADD COLUMN "cached_input_tokens" bigint;--> statement-breakpoint
ALTER TABLE "trace_deltas" ADD COLUMN "cache_creation_tokens" bigint;--> statement-breakpoint
ALTER TABLE "trace_deltas" ADD COLUMN "reasoning_tokens" bigint;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "uncosted_requests" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "uc_fresh_input" bigint;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "uc_cached_input" bigint;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "uc_cache_creation" bigint;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "uc_output" bigint;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "uc_plain_output" bigint;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "uc_reasoning" bigint;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "est_uc_fresh_input" double precision;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "est_uc_cached_input" double precision;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "est_uc_cache_creation" double precision;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "est_uc_output" double precision;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "est_uc_plain_output" double precision;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "est_uc_reasoning" double precision;--> statement-breakpoint
ALTER TABLE "traces" ADD COLUMN "cached_input_tokens" bigint;--> statement-breakpoint
ALTER TABLE "traces" ADD COLUMN "cache_creation_tokens" bigint;--> statement-breakpoint
ALTER TABLE "traces" ADD COLUMN "reasoning_tokens" bigint;
--> statement-breakpoint
-- Backfill the spans that carry one of the keys (span attributes; a token count on a resource is
-- not read back here), as lib/enrich/promoted-columns.ts would have: the first key present, a
-- number, truncated, at most 10^12 in magnitude.
CREATE FUNCTION td_tmp_token_count(v double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN abs(v) <= 1e12 THEN trunc(v)::bigint END $$;
--> statement-breakpoint
UPDATE "spans" SET
  "cached_input_tokens" = td_tmp_token_count(CASE WHEN attributes ? 'llm.usage.cached_input_tokens' THEN td_cnum(attributes -> 'llm.usage.cached_input_tokens') WHEN attributes ? 'gen_ai.usage.cache_read.input_tokens' THEN td_cnum(attributes -> 'gen_ai.usage.cache_read.input_tokens') WHEN attributes ? 'llm.token_count.prompt_details.cache_read' THEN td_cnum(attributes -> 'llm.token_count.prompt_details.cache_read') END),
  "cache_creation_tokens" = td_tmp_token_count(CASE WHEN attributes ? 'llm.usage.cache_creation_tokens' THEN td_cnum(attributes -> 'llm.usage.cache_creation_tokens') WHEN attributes ? 'gen_ai.usage.cache_creation.input_tokens' THEN td_cnum(attributes -> 'gen_ai.usage.cache_creation.input_tokens') WHEN attributes ? 'llm.token_count.prompt_details.cache_write' THEN td_cnum(attributes -> 'llm.token_count.prompt_details.cache_write') END),
  "reasoning_tokens" = td_tmp_token_count(CASE WHEN attributes ? 'llm.usage.reasoning_tokens' THEN td_cnum(attributes -> 'llm.usage.reasoning_tokens') WHEN attributes ? 'gen_ai.usage.reasoning.output_tokens' THEN td_cnum(attributes -> 'gen_ai.usage.reasoning.output_tokens') WHEN attributes ? 'llm.token_count.completion_details.reasoning' THEN td_cnum(attributes -> 'llm.token_count.completion_details.reasoning') END)
WHERE attributes ?| ARRAY['llm.usage.cached_input_tokens', 'gen_ai.usage.cache_read.input_tokens', 'llm.token_count.prompt_details.cache_read', 'llm.usage.cache_creation_tokens', 'gen_ai.usage.cache_creation.input_tokens', 'llm.token_count.prompt_details.cache_write', 'llm.usage.reasoning_tokens', 'gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning'];
--> statement-breakpoint
DROP FUNCTION td_tmp_token_count(double precision);
--> statement-breakpoint
-- Traces: the sums over their spans (the summarizer's `sum` per trace). A trace still only in
-- trace_deltas at the upgrade gets NULL from its pending delta (the server stopped mid-batch): rare.
UPDATE "traces" t SET
  "cached_input_tokens" = s.cached, "cache_creation_tokens" = s.creation, "reasoning_tokens" = s.reasoning
FROM (
  SELECT tenant_id, trace_id, sum("cached_input_tokens") AS cached, sum("cache_creation_tokens") AS creation, sum("reasoning_tokens") AS reasoning
  FROM "spans"
  WHERE "cached_input_tokens" IS NOT NULL OR "cache_creation_tokens" IS NOT NULL OR "reasoning_tokens" IS NOT NULL
  GROUP BY tenant_id, trace_id
) s
WHERE t.tenant_id = s.tenant_id AND t.trace_id = s.trace_id;
--> statement-breakpoint
-- Rollups: a granule without uncosted requests already holds the right values (0 and NULL sums);
-- the granules with some are marked dirty, so charts read them from traces (exact) until the
-- roller rebuilds them with the new sums.
INSERT INTO "rollup_dirty" ("bucket_ns")
SELECT DISTINCT td_rollup_granule(start_ns) FROM "traces"
WHERE cost_usd IS NULL AND (prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL);