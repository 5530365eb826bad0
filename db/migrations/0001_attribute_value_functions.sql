-- Helpers the `where` compiler and queries use to read a canonical OTLP/JSON
-- AnyValue ({"stringValue": ...}, {"intValue": "42"}, ...) stored in JSONB.
-- IMMUTABLE + plain SQL so the planner inlines them into the calling query.

-- The value as text, the way planoai compares (str(value)): strings as-is,
-- ints as their decimal digits, doubles as JSON numbers, bools as true/false.
CREATE OR REPLACE FUNCTION td_text(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(v->>'stringValue', v->>'intValue', v->>'doubleValue', v->>'boolValue', v->>'bytesValue',
                  CASE WHEN v ? 'arrayValue' OR v ? 'kvlistValue' THEN v::text END)
$$;
--> statement-breakpoint
-- The value as a number when it is one: ints, doubles, and numeric strings
-- (Plano writes http.status_code as a string; `http.status_code>=500` must still work).
CREATE OR REPLACE FUNCTION td_num(v jsonb) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN v ? 'intValue' THEN (v->>'intValue')::double precision
    WHEN jsonb_typeof(v->'doubleValue') = 'number' THEN (v->>'doubleValue')::double precision
    WHEN (v->>'stringValue') ~ '^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$'
      THEN (v->>'stringValue')::double precision
  END
$$;
