DROP INDEX "traces_start_idx";--> statement-breakpoint
CREATE INDEX "traces_start_idx" ON "traces" USING btree ("start_ns" DESC NULLS LAST,"trace_id" DESC NULLS LAST,"tenant_id" DESC NULLS LAST);