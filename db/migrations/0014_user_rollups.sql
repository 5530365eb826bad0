-- Chart rollups by (tenant, user) (issue #13: the tenant page's per-user table and chart): trace_rollups
-- gets a user_id dimension (dims 3 and 4, db/rollups.ts) in its key.
ALTER TABLE "trace_rollups" DROP CONSTRAINT "trace_rollups_key";--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD COLUMN "user_id" text;--> statement-breakpoint
ALTER TABLE "trace_rollups" ADD CONSTRAINT "trace_rollups_key" UNIQUE NULLS NOT DISTINCT("granule_ms","dims","tenant_id","bucket_ns","llm_model","user_id");
--> statement-breakpoint
-- The existing rollups have no user rows: every granule holding traces is marked dirty, so charts by
-- user read them from traces (exact) until the roller rebuilds them with the new dimension.
INSERT INTO "rollup_dirty" ("bucket_ns")
SELECT DISTINCT td_rollup_granule(start_ns) FROM "traces";
