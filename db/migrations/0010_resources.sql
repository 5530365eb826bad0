-- Storage v2, compact rows (issue #13): each distinct resource is stored once per tenant in
-- `resources`, and spans reference it by spans.resource_id instead of repeating the map.
-- The id is the first 8 bytes of a SHA-256 of the compact map's text, as a signed bigint. Ingest
-- hashes the JSON text it sends (db/resources.ts); the rows converted here hash the JSONB text,
-- a different spelling, so a resource stored before the upgrade and sent again after it gets a
-- second row with another id: harmless, readers follow spans.resource_id.
CREATE TABLE "resources" (
	"tenant_id" text DEFAULT '' NOT NULL,
	"id" bigint NOT NULL,
	"attributes" jsonb NOT NULL,
	CONSTRAINT "resources_pkey" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION td_resource_id(attributes jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ('x' || encode(substring(sha256(convert_to(attributes::text, 'UTF8')) FROM 1 FOR 8), 'hex'))::bit(64)::bigint
$$;
--> statement-breakpoint
ALTER TABLE "spans" ADD COLUMN "resource_id" bigint;
--> statement-breakpoint
UPDATE "spans" SET "resource_id" = td_resource_id("resource_attributes");
--> statement-breakpoint
INSERT INTO "resources" ("tenant_id", "id", "attributes")
SELECT DISTINCT ON ("tenant_id", "resource_id") "tenant_id", "resource_id", "resource_attributes" FROM "spans"
ORDER BY "tenant_id", "resource_id"
ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "spans" ALTER COLUMN "resource_id" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "spans" DROP COLUMN "resource_attributes";
