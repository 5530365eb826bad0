-- Storage v2 (issue #13): spans and traces partitioned by day on start_ns (UTC days), so retention
-- drops whole partitions and every read's time range prunes to the days it covers. Partitions are
-- named <table>_pYYYYMMDD and made ahead by the maintenance loop (db/maintenance.ts), or on demand
-- by ingest for a day that has none yet.
--
-- Makes the daily partitions of spans and traces for every UTC day from from_ns to to_ns that lacks
-- them; returns how many tables it created. Serialized by an advisory lock: two servers may ask at once.
CREATE OR REPLACE FUNCTION td_ensure_day_partitions(from_ns bigint, to_ns bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  day_ns constant bigint := 86400000000000;
  day bigint := from_ns - (((from_ns % day_ns) + day_ns) % day_ns);
  created integer := 0;
  parent text;
  child text;
BEGIN
  IF to_ns - from_ns > 3660 * day_ns THEN
    RAISE EXCEPTION 'td_ensure_day_partitions: % days asked at once', (to_ns - from_ns) / day_ns;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('tracedeck.partitions', 0));
  WHILE day <= to_ns LOOP
    FOREACH parent IN ARRAY ARRAY['spans', 'traces'] LOOP
      child := parent || '_p' || to_char(to_timestamp(day / 1000000000) AT TIME ZONE 'UTC', 'YYYYMMDD');
      IF to_regclass(child) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)', child, parent, day, day + day_ns);
        created := created + 1;
      END IF;
    END LOOP;
    day := day + day_ns;
  END LOOP;
  RETURN created;
END $$;
--> statement-breakpoint
-- Drops the daily partitions of spans and traces that end at or before cutoff_ns (retention); returns
-- their names. Whole tables go: no row-by-row DELETE, no bloat, space back at once.
CREATE OR REPLACE FUNCTION td_drop_partitions_before(cutoff_ns bigint) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('tracedeck.partitions', 0));
  FOR r IN
    SELECT c.relname, substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''?(-?[0-9]+)')::bigint AS upper_ns
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent IN (to_regclass('spans'), to_regclass('traces'))
  LOOP
    IF r.upper_ns <= cutoff_ns THEN
      EXECUTE format('DROP TABLE %I', r.relname);
      RETURN NEXT r.relname;
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
ALTER TABLE "spans" RENAME TO "spans_v1";--> statement-breakpoint
ALTER TABLE "spans_v1" RENAME CONSTRAINT "spans_pkey" TO "spans_v1_pkey";--> statement-breakpoint
ALTER INDEX "spans_start_brin" RENAME TO "spans_v1_start_brin";--> statement-breakpoint
ALTER TABLE "traces" RENAME TO "traces_v1";--> statement-breakpoint
ALTER TABLE "traces_v1" RENAME CONSTRAINT "traces_pkey" TO "traces_v1_pkey";--> statement-breakpoint
ALTER INDEX "traces_tenant_start_idx" RENAME TO "traces_v1_tenant_start_idx";--> statement-breakpoint
ALTER INDEX "traces_start_idx" RENAME TO "traces_v1_start_idx";--> statement-breakpoint
ALTER INDEX "traces_trace_id_idx" RENAME TO "traces_v1_trace_id_idx";--> statement-breakpoint
ALTER INDEX "traces_attribute_set_gin" RENAME TO "traces_v1_attribute_set_gin";--> statement-breakpoint
CREATE TABLE "spans" (LIKE "spans_v1" INCLUDING DEFAULTS) PARTITION BY RANGE ("start_ns");--> statement-breakpoint
ALTER TABLE "spans" ADD CONSTRAINT "spans_pkey" PRIMARY KEY ("tenant_id", "trace_id", "span_id", "start_ns");--> statement-breakpoint
CREATE INDEX "spans_start_brin" ON "spans" USING brin ("start_ns");--> statement-breakpoint
CREATE TABLE "traces" (LIKE "traces_v1" INCLUDING DEFAULTS) PARTITION BY RANGE ("start_ns");--> statement-breakpoint
ALTER TABLE "traces" ADD CONSTRAINT "traces_pkey" PRIMARY KEY ("tenant_id", "trace_id", "start_ns");--> statement-breakpoint
CREATE INDEX "traces_tenant_start_idx" ON "traces" USING btree ("tenant_id", "start_ns" DESC NULLS LAST, "trace_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "traces_start_idx" ON "traces" USING btree ("start_ns" DESC NULLS LAST, "trace_id" DESC NULLS LAST, "tenant_id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "traces_trace_id_idx" ON "traces" USING btree ("trace_id" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "traces_attribute_set_gin" ON "traces" USING gin ("attribute_set" jsonb_path_ops);--> statement-breakpoint
-- A partition for every day that holds v1 data, then the data itself.
SELECT td_ensure_day_partitions(d, d) FROM (SELECT DISTINCT start_ns / 86400000000000 * 86400000000000 AS d FROM "spans_v1" UNION SELECT DISTINCT start_ns / 86400000000000 * 86400000000000 FROM "traces_v1") days;--> statement-breakpoint
INSERT INTO "spans" SELECT * FROM "spans_v1";--> statement-breakpoint
INSERT INTO "traces" SELECT * FROM "traces_v1";--> statement-breakpoint
DROP TABLE "spans_v1";--> statement-breakpoint
DROP TABLE "traces_v1";
