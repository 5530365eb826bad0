-- Storage v2, compact rows (issue #13): span attributes, resource attributes, events and links are
-- stored in the compact JSON form of lib/otlp/compact-attributes.ts instead of canonical OTLP/JSON
-- (`"gpt-4o"` instead of `{"stringValue": "gpt-4o"}`). This installs the SQL readers of that form
-- (td_ctext / td_cnum / td_ctype, read by the `where` compiler and the attribute queries), the
-- conversion from the canonical form (td_compact_*, mirroring the TypeScript encoder), and converts
-- the stored spans in place.
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
--> statement-breakpoint
-- The OTLP value type of a compact value, as the attribute catalog names it.
CREATE OR REPLACE FUNCTION td_ctype(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'string' THEN 'string'
    WHEN 'boolean' THEN 'bool'
    WHEN 'null' THEN 'empty'
    WHEN 'number' THEN CASE WHEN (v #>> '{}')::numeric = trunc((v #>> '{}')::numeric) THEN 'int' ELSE 'double' END
    WHEN 'object' THEN CASE
      WHEN v ? 'i' THEN 'int' WHEN v ? 'd' THEN 'double' WHEN v ? 'b' THEN 'bytes' WHEN v ? 'a' THEN 'array' WHEN v ? 'kv' THEN 'kvlist'
    END
  END
$$;
--> statement-breakpoint
-- The compact form of one canonical OTLP/JSON AnyValue, as encodeAnyValue writes it: ints that are
-- canonical decimals within ±(2^53−1) become plain numbers, others {"i": digits}; integral doubles
-- {"d": n}, the others plain numbers; "NaN" / "Infinity" / "-Infinity" {"d": "…"}.
CREATE OR REPLACE FUNCTION td_compact_value(v jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  x jsonb;
  n numeric;
BEGIN
  IF jsonb_typeof(v) <> 'object' THEN RETURN 'null'::jsonb; END IF;
  IF v ? 'stringValue' THEN RETURN v -> 'stringValue';
  ELSIF v ? 'intValue' THEN
    x := v -> 'intValue';
    IF jsonb_typeof(x) = 'number' THEN
      n := (x #>> '{}')::numeric;
      IF abs(n) <= 9007199254740991 THEN RETURN to_jsonb(trunc(n)); END IF;
      RETURN jsonb_build_object('i', trunc(n)::text);
    END IF;
    IF (x #>> '{}') ~ '^(0|-?[1-9][0-9]{0,15})$' AND abs((x #>> '{}')::numeric) <= 9007199254740991 THEN
      RETURN to_jsonb((x #>> '{}')::numeric);
    END IF;
    RETURN jsonb_build_object('i', x);
  ELSIF v ? 'doubleValue' THEN
    x := v -> 'doubleValue';
    IF jsonb_typeof(x) = 'number' AND (x #>> '{}')::numeric <> trunc((x #>> '{}')::numeric) THEN RETURN x; END IF;
    RETURN jsonb_build_object('d', x);
  ELSIF v ? 'boolValue' THEN RETURN v -> 'boolValue';
  ELSIF v ? 'bytesValue' THEN RETURN jsonb_build_object('b', v -> 'bytesValue');
  ELSIF v ? 'arrayValue' THEN
    RETURN jsonb_build_object('a', COALESCE(
      (SELECT jsonb_agg(td_compact_value(e.x) ORDER BY e.n) FROM jsonb_array_elements(COALESCE(v #> '{arrayValue,values}', '[]')) WITH ORDINALITY AS e(x, n)),
      '[]'::jsonb));
  ELSIF v ? 'kvlistValue' THEN
    RETURN jsonb_build_object('kv', COALESCE(
      (SELECT jsonb_agg(jsonb_build_array(e.x -> 'key', td_compact_value(e.x -> 'value')) ORDER BY e.n)
         FROM jsonb_array_elements(COALESCE(v #> '{kvlistValue,values}', '[]')) WITH ORDINALITY AS e(x, n)),
      '[]'::jsonb));
  END IF;
  RETURN 'null'::jsonb;
END
$$;
--> statement-breakpoint
-- A canonical attribute map in compact form ({key: compact value}).
CREATE OR REPLACE FUNCTION td_compact_map(m jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE((SELECT jsonb_object_agg(e.key, td_compact_value(e.value)) FROM jsonb_each(m) AS e), '{}'::jsonb)
$$;
--> statement-breakpoint
-- Canonical span events as compact tuples [time, name, attributes?, dropped?] (trailing absent fields left out).
CREATE OR REPLACE FUNCTION td_compact_events(events jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE((
    SELECT jsonb_agg(CASE
        WHEN jsonb_typeof(e.x -> 'droppedAttributesCount') = 'number'
          THEN jsonb_build_array(e.x -> 'timeUnixNano', e.x -> 'name', td_compact_map(COALESCE(e.x -> 'attributes', '{}')), e.x -> 'droppedAttributesCount')
        WHEN COALESCE(e.x -> 'attributes', '{}') <> '{}'
          THEN jsonb_build_array(e.x -> 'timeUnixNano', e.x -> 'name', td_compact_map(e.x -> 'attributes'))
        ELSE jsonb_build_array(e.x -> 'timeUnixNano', e.x -> 'name')
      END ORDER BY e.n)
    FROM jsonb_array_elements(events) WITH ORDINALITY AS e(x, n)), '[]'::jsonb)
$$;
--> statement-breakpoint
-- Canonical span links as compact tuples [traceId, spanId, attributes?, traceState?, dropped?].
CREATE OR REPLACE FUNCTION td_compact_links(links jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE((
    SELECT jsonb_agg(CASE
        WHEN jsonb_typeof(l.x -> 'droppedAttributesCount') = 'number'
          THEN jsonb_build_array(l.x -> 'traceId', l.x -> 'spanId', td_compact_map(COALESCE(l.x -> 'attributes', '{}')),
            COALESCE(l.x -> 'traceState', 'null'), l.x -> 'droppedAttributesCount')
        WHEN jsonb_typeof(l.x -> 'traceState') = 'string'
          THEN jsonb_build_array(l.x -> 'traceId', l.x -> 'spanId', td_compact_map(COALESCE(l.x -> 'attributes', '{}')), l.x -> 'traceState')
        WHEN COALESCE(l.x -> 'attributes', '{}') <> '{}'
          THEN jsonb_build_array(l.x -> 'traceId', l.x -> 'spanId', td_compact_map(l.x -> 'attributes'))
        ELSE jsonb_build_array(l.x -> 'traceId', l.x -> 'spanId')
      END ORDER BY l.n)
    FROM jsonb_array_elements(links) WITH ORDINALITY AS l(x, n)), '[]'::jsonb)
$$;
--> statement-breakpoint
UPDATE spans SET
  attributes = td_compact_map(attributes),
  resource_attributes = td_compact_map(resource_attributes),
  events = td_compact_events(events),
  links = td_compact_links(links);
