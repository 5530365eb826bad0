-- The models a chart prices at query time are read from the rollup rows with uncosted requests in range
-- (db/queries/cost-rollup.ts). An all-tenant 7-day range matched ~67k hour rows at 10M spans, and Postgres
-- scanned the whole table instead (461 ms); this partial index holds only the rows that need pricing.
CREATE INDEX "trace_rollups_uncosted_idx" ON "trace_rollups" USING btree ("granule_ms","dims","bucket_ns") WHERE "trace_rollups"."uncosted_requests" > 0;