-- The hot keys' max indexes get tenant_id as a second column: a tenant's `key > X` (the 3-predicate
-- filter `tenant.id=X llm.model=Y http.status_code>=500`) is then decided inside the index, where the
-- single-column index made Postgres fetch every tenant's matching row and drop ~90% of them.
DROP INDEX "traces_http_status_max_idx";--> statement-breakpoint
DROP INDEX "traces_ttft_max_idx";--> statement-breakpoint
CREATE INDEX "traces_http_status_max_tenant_idx" ON "traces" USING btree ("http_status_max","tenant_id") WHERE "traces"."http_status_max" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "traces_ttft_max_tenant_idx" ON "traces" USING btree ("ttft_max","tenant_id") WHERE "traces"."ttft_max" IS NOT NULL;