-- Every error path of the vector type with its SQLSTATE. Each statement runs in
-- its own subtransaction; the output shows "SQLSTATE: message" (or "ok").
CREATE FUNCTION pg_temp.outcome(query text) RETURNS text AS $$
BEGIN
	EXECUTE query;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$ LANGUAGE plpgsql;

SELECT query, pg_temp.outcome(query) FROM unnest(ARRAY[
	-- text input
	$q$SELECT '[1,2'::vector$q$,
	$q$SELECT '1,2'::vector$q$,
	$q$SELECT '[1]x'::vector$q$,
	$q$SELECT '[]'::vector$q$,
	$q$SELECT '[NaN]'::vector$q$,
	$q$SELECT '[Infinity]'::vector$q$,
	$q$SELECT '[1e39]'::vector$q$,
	$q$SELECT ('[' || repeat('1,', 16000) || '1]')::vector$q$,
	-- type modifier
	$q$SELECT '[1]'::vector(0)$q$,
	$q$SELECT '[1]'::vector(16001)$q$,
	$q$SELECT '[1]'::vector(1,1)$q$,
	$q$SELECT '[1,2]'::vector(3)$q$,
	$q$SELECT '[1,2]'::vector::vector(3)$q$,
	-- operators and functions
	$q$SELECT '[1]'::vector <-> '[1,2]'$q$,
	$q$SELECT '[1]'::vector <#> '[1,2]'$q$,
	$q$SELECT '[1]'::vector <=> '[1,2]'$q$,
	$q$SELECT '[1]'::vector <+> '[1,2]'$q$,
	$q$SELECT '[1]'::vector + '[1,2]'$q$,
	$q$SELECT '[3e38]'::vector + '[3e38]'$q$,
	$q$SELECT '[3e38]'::vector - '[-3e38]'$q$,
	$q$SELECT '[3e38]'::vector * '[3e38]'$q$,
	$q$SELECT '[1e-30]'::vector * '[1e-30]'$q$,
	$q$SELECT array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8001])::vector$q$,
	$q$SELECT subvector('[1,2]'::vector, 1, 0)$q$,
	$q$SELECT subvector('[1,2]'::vector, 3, 1)$q$,
	-- casts
	$q$SELECT '{1,NULL}'::real[]::vector$q$,
	$q$SELECT '{{1},{2}}'::int[]::vector$q$,
	$q$SELECT '{}'::int[]::vector$q$,
	$q$SELECT '{NaN}'::float8[]::vector$q$,
	$q$SELECT '{1e39}'::float8[]::vector$q$,
	$q$SELECT array_fill(1, ARRAY[16001])::vector$q$,
	$q$SELECT '{1,2}'::int[]::vector(3)$q$,
	-- aggregates
	$q$SELECT avg(v) FROM unnest(ARRAY['[1]'::vector, '[1,2]']) v$q$,
	$q$SELECT sum(v) FROM unnest(ARRAY['[1]'::vector, '[1,2]']) v$q$,
	$q$SELECT vector_avg('{1}'::float8[])$q$,
	$q$SELECT vector_accum('{NULL}'::float8[], '[1]')$q$
]) AS query;
