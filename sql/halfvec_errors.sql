-- Every error path of the halfvec type with its SQLSTATE. Each statement runs
-- in its own subtransaction; the output shows "SQLSTATE: message" (or "ok").
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
	$q$SELECT '[1,2'::halfvec$q$,
	$q$SELECT '1,2'::halfvec$q$,
	$q$SELECT '[1]x'::halfvec$q$,
	$q$SELECT '[]'::halfvec$q$,
	$q$SELECT '[NaN]'::halfvec$q$,
	$q$SELECT '[Infinity]'::halfvec$q$,
	$q$SELECT '[1e39]'::halfvec$q$,
	$q$SELECT '[65520]'::halfvec$q$,
	$q$SELECT ('[' || repeat('1,', 16000) || '1]')::halfvec$q$,
	-- type modifier
	$q$SELECT '[1]'::halfvec(0)$q$,
	$q$SELECT '[1]'::halfvec(16001)$q$,
	$q$SELECT '[1]'::halfvec(1,1)$q$,
	$q$SELECT '[1,2]'::halfvec(3)$q$,
	$q$SELECT '[1,2]'::halfvec::halfvec(3)$q$,
	-- operators and functions on different dimensions
	$q$SELECT '[1]'::halfvec <-> '[1,2]'$q$,
	$q$SELECT '[1]'::halfvec <#> '[1,2]'$q$,
	$q$SELECT '[1]'::halfvec <=> '[1,2]'$q$,
	$q$SELECT '[1]'::halfvec <+> '[1,2]'$q$,
	$q$SELECT halfvec_l2_squared_distance('[1]', '[1,2]')$q$,
	$q$SELECT halfvec_negative_inner_product('[1]', '[1,2]')$q$,
	$q$SELECT halfvec_spherical_distance('[1]', '[1,2]')$q$,
	$q$SELECT inner_product('[1]'::halfvec, '[1,2]')$q$,
	$q$SELECT '[1]'::halfvec + '[1,2]'$q$,
	$q$SELECT '[1]'::halfvec - '[1,2]'$q$,
	$q$SELECT '[1]'::halfvec * '[1,2]'$q$,
	-- overflow and underflow
	$q$SELECT '[65504]'::halfvec + '[65504]'$q$,
	$q$SELECT '[-65504]'::halfvec - '[65504]'$q$,
	$q$SELECT '[256]'::halfvec * '[256]'$q$,
	$q$SELECT '[1e-4]'::halfvec * '[1e-4]'$q$,
	-- utilities
	$q$SELECT subvector('[1,2]'::halfvec, 3, 1)$q$,
	$q$SELECT subvector('[1,2]'::halfvec, 1, 0)$q$,
	$q$SELECT array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8001])::halfvec$q$,
	-- casts
	$q$SELECT '[1e5]'::vector::halfvec$q$,
	$q$SELECT ARRAY[1e5]::real[]::halfvec$q$,
	$q$SELECT ARRAY['NaN']::real[]::halfvec$q$,
	$q$SELECT ARRAY['Infinity']::real[]::halfvec$q$,
	$q$SELECT ARRAY[[1]]::halfvec$q$,
	$q$SELECT ARRAY[NULL]::int[]::halfvec$q$,
	$q$SELECT '{}'::int[]::halfvec$q$,
	$q$SELECT array_fill(1, ARRAY[16001])::halfvec$q$,
	$q$SELECT ARRAY[1,2]::halfvec(3)$q$,
	$q$SELECT '[1,2]'::vector::halfvec(3)$q$,
	$q$SELECT '[1,2]'::halfvec::vector(3)$q$,
	-- aggregates
	$q$SELECT avg(v) FROM (VALUES ('[1]'::halfvec), ('[1,2]')) t(v)$q$,
	$q$SELECT sum(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v)$q$,
	$q$SELECT halfvec_avg('{2,1e10}')$q$,
	$q$SELECT halfvec_accum('{}', '[1]')$q$,
	$q$SELECT halfvec_accum('{1,2}', '[1,2]')$q$
]) AS query;
