-- Readers of the compact attribute form (lib/otlp/compact-attributes.ts): for a compact value,
-- td_ctext and td_cnum return exactly what td_text and td_num (db/migrations 0001 and 0003)
-- return for the canonical OTLP/JSON form of the same value as ingest stores it, so filters
-- match the same spans whichever form a span is stored in.
-- Not a migration: the storage rewrite includes this file in one. Statements are separated
-- by drizzle's breakpoint marker so it can be pasted in as is.

-- The canonical OTLP/JSON form of a compact value, as JSON.stringify wrote it before (a double
-- -0 as 0). td_text spells an array or kvlist as that JSON's text, hence this rebuild.
-- plpgsql because it recurses (a SQL function cannot name itself when created); only arrays
-- and kvlists reach it. A plain number is an int when integral, as the TypeScript decoder reads it.
CREATE OR REPLACE FUNCTION td_cverbose(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  CASE jsonb_typeof(v)
    WHEN 'string' THEN RETURN jsonb_build_object('stringValue', v);
    WHEN 'boolean' THEN RETURN jsonb_build_object('boolValue', v);
    WHEN 'null' THEN RETURN '{}'::jsonb;
    WHEN 'number' THEN
      IF (v #>> '{}')::numeric = trunc((v #>> '{}')::numeric) THEN
        RETURN jsonb_build_object('intValue', v #>> '{}');
      END IF;
      RETURN jsonb_build_object('doubleValue', v);
    WHEN 'object' THEN
      IF v ? 'i' THEN RETURN jsonb_build_object('intValue', v -> 'i');
      ELSIF v ? 'd' THEN RETURN jsonb_build_object('doubleValue', CASE WHEN v ->> 'd' = '-0' THEN '0'::jsonb ELSE v -> 'd' END);
      ELSIF v ? 'b' THEN RETURN jsonb_build_object('bytesValue', v -> 'b');
      ELSIF v ? 'a' THEN
        RETURN jsonb_build_object('arrayValue', jsonb_build_object('values', COALESCE(
          (SELECT jsonb_agg(td_cverbose(e.x) ORDER BY e.n) FROM jsonb_array_elements(v -> 'a') WITH ORDINALITY AS e(x, n)), '[]'::jsonb)));
      ELSIF v ? 'kv' THEN
        RETURN jsonb_build_object('kvlistValue', jsonb_build_object('values', COALESCE(
          (SELECT jsonb_agg(jsonb_build_object('key', e.x -> 0, 'value', td_cverbose(e.x -> 1)) ORDER BY e.n)
             FROM jsonb_array_elements(v -> 'kv') WITH ORDINALITY AS e(x, n)), '[]'::jsonb)));
      END IF;
      RETURN NULL;
    ELSE RETURN NULL;
  END CASE;
END
$$;
--> statement-breakpoint
-- td_text for the compact form: strings as-is, ints as their digits, doubles as JSON numbers
-- (or "NaN", "Infinity", "-Infinity"), bools as true/false, bytes as base64, arrays and kvlists
-- as the JSON text of their canonical form; NULL for an empty value or a missing key.
-- Plain SQL so the planner inlines it; scalars never reach td_cverbose.
CREATE OR REPLACE FUNCTION td_ctext(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN jsonb_typeof(v) IN ('string', 'number', 'boolean') THEN v #>> '{}'
    WHEN jsonb_typeof(v) = 'object' THEN CASE
      WHEN v ? 'a' OR v ? 'kv' THEN td_cverbose(v)::text
      WHEN v ->> 'd' = '-0' THEN '0'
      ELSE COALESCE(v ->> 'i', v ->> 'd', v ->> 'b')
    END
  END
$$;
--> statement-breakpoint
-- td_num for the compact form: ints, finite doubles, and numeric strings of at most 200
-- characters with a 1–2 digit exponent (so no stored value can overflow a float8).
CREATE OR REPLACE FUNCTION td_cnum(v jsonb) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'number' THEN (v #>> '{}')::double precision
    WHEN 'string' THEN CASE WHEN length(v #>> '{}') <= 200 THEN
      CASE WHEN (v #>> '{}') ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,2})?\s*$'
        THEN (v #>> '{}')::double precision END
    END
    WHEN 'object' THEN CASE
      WHEN v ? 'i' THEN (v ->> 'i')::double precision
      WHEN jsonb_typeof(v -> 'd') = 'number' THEN (v ->> 'd')::double precision
      WHEN v ->> 'd' = '-0' THEN 0
    END
  END
$$;
