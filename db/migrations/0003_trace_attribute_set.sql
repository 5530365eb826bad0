DROP INDEX "spans_trace_id_idx";--> statement-breakpoint
DROP INDEX "spans_tenant_start_idx";--> statement-breakpoint
DROP INDEX "spans_attributes_gin";--> statement-breakpoint
DROP INDEX "spans_resource_attributes_gin";--> statement-breakpoint
DROP INDEX "spans_user_idx";--> statement-breakpoint
DROP INDEX "spans_session_idx";--> statement-breakpoint
ALTER TABLE "traces" ADD COLUMN "attribute_set" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
-- td_num, now total: a numeric string counts only when it cannot overflow a float8
-- (at most 200 characters, a 1–2 digit exponent), so no stored value can make a
-- query or the ingest statement fail. db/trace-attribute-set.ts applies the same rule.
CREATE OR REPLACE FUNCTION td_num(v jsonb) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v ? 'intValue' THEN (v->>'intValue')::double precision
    WHEN jsonb_typeof(v->'doubleValue') = 'number' THEN (v->>'doubleValue')::double precision
    WHEN length(v->>'stringValue') <= 200 THEN
      CASE WHEN (v->>'stringValue') ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,2})?\s*$'
        THEN (v->>'stringValue')::double precision END
  END
$$;
--> statement-breakpoint
-- One element of a trace's attribute set: the value as text and, when it is one, as a number.
CREATE OR REPLACE FUNCTION td_set_value(v jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN td_num(v) IS NULL THEN jsonb_build_object('s', td_text(v))
              ELSE jsonb_build_object('s', td_text(v), 'n', td_num(v)) END
$$;
--> statement-breakpoint
-- Union of two attribute sets (per key, the distinct values of both). The common case
-- — a retry, or spans adding nothing new — is the containment shortcut.
CREATE OR REPLACE FUNCTION td_set_union(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN b IS NULL OR a @> b THEN a
    WHEN a IS NULL OR a = '{}'::jsonb THEN b
    ELSE (
      SELECT jsonb_object_agg(key, vals) FROM (
        SELECT key, COALESCE(jsonb_agg(DISTINCT v) FILTER (WHERE v IS NOT NULL), '[]'::jsonb) AS vals FROM (
          SELECT e.key, x.v FROM jsonb_each(a) e LEFT JOIN LATERAL jsonb_array_elements(e.value) x(v) ON true
          UNION ALL
          SELECT e.key, x.v FROM jsonb_each(b) e LEFT JOIN LATERAL jsonb_array_elements(e.value) x(v) ON true
        ) u GROUP BY key
      ) k)
  END
$$;
--> statement-breakpoint
-- Backfill the sets of traces stored before this migration.
UPDATE traces t SET attribute_set = sets.attribute_set FROM (
  SELECT tenant_id, trace_id, jsonb_object_agg(key, vals) AS attribute_set FROM (
    SELECT s.tenant_id, s.trace_id, e.key,
      COALESCE(jsonb_agg(DISTINCT td_set_value(e.value)) FILTER (WHERE td_text(e.value) IS NOT NULL), '[]'::jsonb) AS vals
    FROM spans s CROSS JOIN LATERAL jsonb_each(s.resource_attributes || s.attributes) e
    GROUP BY 1, 2, 3
  ) per_key
  GROUP BY 1, 2
) sets
WHERE t.tenant_id = sets.tenant_id AND t.trace_id = sets.trace_id;--> statement-breakpoint
CREATE INDEX "traces_attribute_set_gin" ON "traces" USING gin ("attribute_set" jsonb_path_ops);
