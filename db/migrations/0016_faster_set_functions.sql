-- The same attribute-set functions (identical results), cheaper to run. The summarizer calls them for
-- every trace it writes: td_set_union through td_set_union_agg (twice per trace), td_set_max/td_set_min
-- for the six generated numeric-bound columns. As SQL functions with a FROM clause, none could be
-- inlined, and each call set up and tore down a small executor: together ~40% of the summarizer's CPU on
-- PGlite. td_set_union becomes PL/pgSQL (its shortcuts are then plain expressions; the union itself is
-- the same query, planned once per session); the bounds become one jsonpath expression, which the
-- planner inlines into the generated columns. A set's `n` is always a JSON number (td_set_value,
-- db/trace-attribute-set.ts), so the largest `n` as jsonpath compares them is the largest as float8.
CREATE OR REPLACE FUNCTION td_set_union(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF b IS NULL OR a @> b THEN RETURN a; END IF;
  IF a IS NULL OR a = '{}'::jsonb THEN RETURN b; END IF;
  RETURN (
    SELECT jsonb_object_agg(key, vals) FROM (
      SELECT key, COALESCE(jsonb_agg(DISTINCT v) FILTER (WHERE v IS NOT NULL), '[]'::jsonb) AS vals FROM (
        SELECT e.key, x.v FROM jsonb_each(a) e LEFT JOIN LATERAL jsonb_array_elements(e.value) x(v) ON true
        UNION ALL
        SELECT e.key, x.v FROM jsonb_each(b) e LEFT JOIN LATERAL jsonb_array_elements(e.value) x(v) ON true
      ) u GROUP BY key
    ) k);
END
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION td_set_max(attrs jsonb, key text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (jsonb_path_query_first(attrs -> key, 'lax $[*].n ? (@.type() == "number" && !(@ < $[*].n))'))::double precision
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION td_set_min(attrs jsonb, key text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (jsonb_path_query_first(attrs -> key, 'lax $[*].n ? (@.type() == "number" && !(@ > $[*].n))'))::double precision
$$;
