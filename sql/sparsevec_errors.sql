-- Every error path of the sparsevec type with its SQLSTATE. Each statement
-- runs in its own subtransaction; the output shows "SQLSTATE: message" (or "ok").
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
	$q$SELECT '{1:1'::sparsevec$q$,
	$q$SELECT '1:1}/1'::sparsevec$q$,
	$q$SELECT '{1:1}'::sparsevec$q$,
	$q$SELECT '{1:1}/1x'::sparsevec$q$,
	$q$SELECT '{1:1}/0'::sparsevec$q$,
	$q$SELECT '{1:1}/1000000001'::sparsevec$q$,
	$q$SELECT '{1:NaN}/1'::sparsevec$q$,
	$q$SELECT '{1:Infinity}/1'::sparsevec$q$,
	$q$SELECT '{1:1e39}/1'::sparsevec$q$,
	$q$SELECT '{2:1}/1'::sparsevec$q$,
	$q$SELECT '{0:1}/1'::sparsevec$q$,
	$q$SELECT '{1:1,1:1}/1'::sparsevec$q$,
	$q$SELECT ('{' || repeat('1:0,', 16000) || '1:0}/1')::sparsevec$q$,
	-- type modifier
	$q$SELECT '{}/1'::sparsevec(0)$q$,
	$q$SELECT '{}/1'::sparsevec(1000000001)$q$,
	$q$SELECT '{}/1'::sparsevec(1,1)$q$,
	$q$SELECT '{}/1'::sparsevec(2)$q$,
	$q$SELECT '{}/1'::sparsevec::sparsevec(2)$q$,
	-- operators and functions on different dimensions
	$q$SELECT '{}/1'::sparsevec <-> '{}/2'$q$,
	$q$SELECT '{}/1'::sparsevec <#> '{}/2'$q$,
	$q$SELECT '{}/1'::sparsevec <=> '{}/2'$q$,
	$q$SELECT '{}/1'::sparsevec <+> '{}/2'$q$,
	$q$SELECT inner_product('{}/1'::sparsevec, '{}/2')$q$,
	$q$SELECT sparsevec_l2_squared_distance('{}/1', '{}/2')$q$,
	$q$SELECT sparsevec_negative_inner_product('{}/1', '{}/2')$q$,
	-- tiny values normalize without overflow
	$q$SELECT l2_normalize('{1:1e-45}/1'::sparsevec)$q$,
	-- casts
	$q$SELECT '{1:1}/16001'::sparsevec::vector$q$,
	$q$SELECT '{1:1}/16001'::sparsevec::halfvec$q$,
	$q$SELECT '{1:1e5}/1'::sparsevec::halfvec$q$,
	$q$SELECT '{1:1}/2'::sparsevec::vector(3)$q$,
	$q$SELECT '[1]'::vector::sparsevec(2)$q$,
	$q$SELECT ARRAY[[1]]::sparsevec$q$,
	$q$SELECT ARRAY[NULL]::int[]::sparsevec$q$,
	$q$SELECT '{}'::int[]::sparsevec$q$,
	$q$SELECT ARRAY['NaN']::real[]::sparsevec$q$,
	$q$SELECT ARRAY['-Infinity']::double precision[]::sparsevec$q$,
	$q$SELECT array_fill(1, ARRAY[16001])::real[]::sparsevec$q$,
	$q$SELECT ARRAY[1,2]::sparsevec(3)$q$
]) AS query;
