CREATE TABLE "rollup_dirty" (
	"bucket_ns" bigint NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trace_rollups" (
	"granule_ms" integer NOT NULL,
	"bucket_ns" bigint NOT NULL,
	"dims" smallint NOT NULL,
	"tenant_id" text DEFAULT '' NOT NULL,
	"llm_model" text,
	"requests" integer NOT NULL,
	"est_requests" double precision NOT NULL,
	"errors" integer NOT NULL,
	"est_errors" double precision,
	"client_errors" integer NOT NULL,
	"prompt_tokens" bigint,
	"completion_tokens" bigint,
	"total_tokens" bigint,
	"est_prompt_tokens" double precision,
	"est_completion_tokens" double precision,
	"est_total_tokens" double precision,
	"cost_usd" double precision,
	"est_cost_usd" double precision,
	"cov_model" integer NOT NULL,
	"cov_tokens" integer NOT NULL,
	"cov_cost" integer NOT NULL,
	"cov_ttft" integer NOT NULL,
	"weighted" integer NOT NULL,
	"min_weight" double precision,
	"max_weight" double precision,
	"first_ns" bigint,
	"last_ns" bigint,
	"duration_hist" integer[] NOT NULL,
	"duration_min_ms" double precision,
	"duration_max_ms" double precision,
	"ttft_hist" integer[] NOT NULL,
	"ttft_min_ms" double precision,
	"ttft_max_ms" double precision,
	CONSTRAINT "trace_rollups_key" UNIQUE NULLS NOT DISTINCT("granule_ms","dims","tenant_id","bucket_ns","llm_model")
);
--> statement-breakpoint
CREATE INDEX "rollup_dirty_bucket_idx" ON "rollup_dirty" USING btree ("bucket_ns");--> statement-breakpoint
CREATE INDEX "trace_rollups_time_idx" ON "trace_rollups" USING btree ("granule_ms","dims","bucket_ns");--> statement-breakpoint
-- Start of the 5-minute rollup granule holding a time in ns (a floor, also before 1970).
-- db/rollups.ts (ROLLUP_GRANULE_MS) uses the same size.
CREATE OR REPLACE FUNCTION td_rollup_granule(ns bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ns - ((ns % 300000000000) + 300000000000) % 300000000000
$$;
--> statement-breakpoint
-- Histogram bucket (1-based array index) of a time in ms, as lib/metrics/histogram.ts
-- defines them: 1 = below 1 ms, k = 2..39 = [2^((k-2)/2), 2^((k-1)/2)) ms, 40 = from
-- 2^19 ms (~8.7 min) up, and NaN. Half-octave buckets: a percentile read from the
-- histogram is within one bucket (a factor √2) of the exact one — a few % in practice.
CREATE OR REPLACE FUNCTION td_hist_bin(ms double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ms IS NULL THEN NULL
              WHEN ms < 1 THEN 1
              WHEN ms < 524288 THEN 2 + floor(2 * ln(ms) / 0.6931471805599453)::integer
              ELSE 40 END
$$;
--> statement-breakpoint
-- A histogram as stored: only the run from its first to its last non-zero bucket, with
-- the array's lower bound at that bucket ('[5:7]={1,0,2}'), so a 5-minute row of a few
-- traces takes a few elements instead of 80. h[i] outside the run is NULL, which sum()
-- skips: readers sum h[1] … h[80] whatever the bounds.
CREATE OR REPLACE FUNCTION td_hist_trim(h integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN b.lo IS NULL THEN '{}'::integer[]
              ELSE ('[' || b.lo || ':' || b.hi || ']=' || h[b.lo:b.hi]::text)::integer[] END
  FROM (SELECT min(i) AS lo, max(i) AS hi FROM generate_subscripts(h, 1) AS i WHERE h[i] <> 0) b
$$;
--> statement-breakpoint
-- Traces stored before this migration: every granule is stale, so the roller builds it.
INSERT INTO "rollup_dirty" ("bucket_ns", "marked_at")
SELECT DISTINCT td_rollup_granule("start_ns"), 'epoch'::timestamptz FROM "traces";
