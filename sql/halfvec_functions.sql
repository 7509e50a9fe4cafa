-- Distances, norms, arithmetic, comparison, utilities, casts and aggregates
-- of the halfvec type.
\set SHOW_CONTEXT never

-- Distance functions and operators
SELECT l2_distance('[0,0]'::halfvec, '[3,4]');
SELECT '[0,0]'::halfvec <-> '[3,4]';
SELECT '[1,2,3]'::halfvec <-> '[1,2,3]';
SELECT l2_distance('[0.1,0.2]'::halfvec, '[0.3,-0.4]');
SELECT inner_product('[1,2]'::halfvec, '[3,4]');
SELECT '[1,2]'::halfvec <#> '[3,4]';
SELECT inner_product('[65504]'::halfvec, '[65504]');
SELECT cosine_distance('[1,2]'::halfvec, '[2,4]');
SELECT cosine_distance('[1,2]'::halfvec, '[0,0]');
SELECT cosine_distance('[1,1]'::halfvec, '[1,1]');
SELECT cosine_distance('[1,1]'::halfvec, '[-1,-1]');
SELECT cosine_distance('[1,2]'::halfvec, '[-2,1]');
SELECT '[1,2]'::halfvec <=> '[2,4]';
SELECT l1_distance('[0,0]'::halfvec, '[3,-4]');
SELECT '[1,2,3]'::halfvec <+> '[0,0,0]';
-- Long vectors exercise the SIMD loops and their tails (37 = 2 x 16 + 5)
SELECT l2_distance(array_fill(1, ARRAY[37])::halfvec, array_fill(2, ARRAY[37])::halfvec) ^ 2 AS l2_squared;
SELECT inner_product(array_fill(0.5, ARRAY[37])::halfvec, array_fill(2, ARRAY[37])::halfvec);
SELECT l1_distance(array_fill(0.25, ARRAY[37])::halfvec, array_fill(-0.25, ARRAY[37])::halfvec);
-- The same values give the same distances as vector (both sum in float)
SELECT h.a <-> h.b = v.a <-> v.b AS l2, h.a <#> h.b = v.a <#> v.b AS ip, h.a <+> h.b = v.a <+> v.b AS l1,
	abs((h.a <=> h.b) - (v.a <=> v.b)) < 1e-12 AS cosine
	FROM (SELECT '[1,2,-3,0.5,8]'::halfvec AS a, '[0.25,-1,4,2,1]'::halfvec AS b) h,
	     (SELECT '[1,2,-3,0.5,8]'::vector AS a, '[0.25,-1,4,2,1]'::vector AS b) v;
-- Index support functions
SELECT halfvec_l2_squared_distance('[0,0]', '[3,4]');
SELECT halfvec_negative_inner_product('[1,2]', '[3,4]');
SELECT halfvec_spherical_distance('[1,0]', '[0,1]');
SELECT halfvec_spherical_distance('[1,0]', '[-1,0]');
SELECT halfvec_spherical_distance('[1,0]', '[1,0]');

-- Norms and utilities
SELECT vector_dims('[1,2,3]'::halfvec);
SELECT l2_norm('[3,4]'::halfvec);
SELECT l2_norm('[0,0]'::halfvec);
SELECT l2_norm('[65504,65504]'::halfvec);
SELECT l2_normalize('[3,4]'::halfvec);
SELECT l2_normalize('[3,0,4]'::halfvec);
SELECT l2_normalize('[0,0]'::halfvec);
SELECT l2_normalize('[65504,0]'::halfvec);
SELECT binary_quantize('[1,0,-1]'::halfvec);
SELECT binary_quantize('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]'::halfvec);
SELECT subvector('[1,2,3,4,5]'::halfvec, 1, 3);
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, 2);
SELECT subvector('[1,2,3,4,5]'::halfvec, -1, 3);
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, 9);
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, 2147483647);
SELECT subvector('[1,2,3,4,5]'::halfvec, 5, 1);
SELECT subvector('[1,2,3,4,5]'::halfvec, 6, 1);
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, 0);
SELECT subvector('[1,2,3,4,5]'::halfvec, -2147483648, 2147483647);

-- Arithmetic (computed in float, rounded to half)
SELECT '[1,2,3]'::halfvec + '[4,5,6]';
SELECT '[0.1]'::halfvec + '[0.2]';
SELECT '[65504]'::halfvec + '[65504]';
SELECT '[1,2,3]'::halfvec - '[4,5,6]';
SELECT '[-65504]'::halfvec - '[65504]';
SELECT '[1,2,3]'::halfvec * '[4,5,6]';
SELECT '[300]'::halfvec * '[300]';
SELECT '[1e-4]'::halfvec * '[1e-4]';
SELECT '[0,1e-4]'::halfvec * '[1e-4,0]';
SELECT '[1,2]'::halfvec || '[3]';
SELECT vector_dims(array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8000])::halfvec);
SELECT array_fill(1, ARRAY[8000])::halfvec || array_fill(1, ARRAY[8001])::halfvec;

-- Comparison and the btree operator class
SELECT '[1,2,3]'::halfvec < '[1,2,4]', '[1,2,3]'::halfvec <= '[1,2,3]', '[1,2,3]'::halfvec = '[1,2,3]',
	'[1,2,3]'::halfvec <> '[1,2]', '[1,2]'::halfvec >= '[1,2,3]', '[2]'::halfvec > '[1,9]';
SELECT '[0]'::halfvec = '[-0]';
SELECT '[1,2]'::halfvec = '[1,2.0001]';
SELECT halfvec_cmp('[1,2]', '[1,2,0]'), halfvec_cmp('[1,3]', '[1,2,0]'), halfvec_cmp('[1]', '[1]');
CREATE TABLE halfvec_btree_t (v halfvec);
INSERT INTO halfvec_btree_t VALUES ('[1,2,3]'), ('[1,2]'), ('[0,5]'), ('[1,2,3]'), ('[-1]'), (NULL), ('[1,1,9]');
CREATE INDEX ON halfvec_btree_t (v);
SET enable_seqscan = off;
SELECT v FROM halfvec_btree_t ORDER BY v;
SELECT v FROM halfvec_btree_t WHERE v = '[1,2,3]';
SELECT count(*) FROM halfvec_btree_t WHERE v < '[1,2]';
RESET enable_seqscan;
SELECT DISTINCT v FROM halfvec_btree_t ORDER BY v;
DROP TABLE halfvec_btree_t;

-- Casts
SELECT '[1,2.5,0.1]'::vector::halfvec;
SELECT '[1,2.5,0.1]'::halfvec::vector;
SELECT '[65519]'::vector::halfvec;
SELECT '[65520]'::vector::halfvec;
SELECT '[1,-1e6]'::vector::halfvec;
SELECT '[1,2]'::vector::halfvec(2);
SELECT '[1,2]'::vector::halfvec(3);
SELECT '[1,2]'::halfvec::vector(3);
SELECT ARRAY[1,2,3]::halfvec;
SELECT ARRAY[1.5,2.5]::real[]::halfvec;
SELECT ARRAY[0.1,0.2]::double precision[]::halfvec;
SELECT ARRAY[1.25,-2]::numeric[]::halfvec;
SELECT ARRAY[1,2,3]::halfvec(3);
SELECT ARRAY[1,2,3]::halfvec(2);
SELECT ARRAY[100000]::halfvec;
SELECT ARRAY[1e300]::double precision[]::halfvec;
SELECT ARRAY[1e300]::numeric[]::halfvec;
SELECT ARRAY['NaN']::real[]::halfvec;
SELECT ARRAY['-Infinity']::double precision[]::halfvec;
SELECT ARRAY[[1,2],[3,4]]::halfvec;
SELECT ARRAY[1,NULL]::halfvec;
SELECT '{}'::real[]::halfvec;
SELECT '[1,2.5,0.1]'::halfvec::real[];
SELECT '[65504,-0]'::halfvec::real[];
-- Implicit cast from vector: halfvec functions accept vector literals
SELECT l2_distance('[0,0]'::halfvec, '[3,4]'::vector);
-- Assignment casts into halfvec columns
CREATE TABLE halfvec_cast_t (v halfvec(2));
INSERT INTO halfvec_cast_t VALUES (ARRAY[1,2]), (ARRAY[1.5,2.5]::real[]), ('[3,4]'::vector);
SELECT v FROM halfvec_cast_t;
DROP TABLE halfvec_cast_t;

-- Aggregates
SELECT avg(v) FROM (VALUES ('[1,2,3]'::halfvec), ('[3,5,7]')) t(v);
SELECT sum(v) FROM (VALUES ('[1,2,3]'::halfvec), ('[3,5,7]')) t(v);
SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::halfvec), (NULL)) t(v);
SELECT avg(v), sum(v) FROM (SELECT '[1]'::halfvec WHERE false) t(v);
SELECT avg(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT sum(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v);
SELECT sum(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v);
-- Parallel aggregation uses the combine function
CREATE TABLE halfvec_agg_t (v halfvec(3));
INSERT INTO halfvec_agg_t SELECT ARRAY[i % 7, i % 5, 1]::halfvec FROM generate_series(1, 30000) i;
ANALYZE halfvec_agg_t;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v) FROM halfvec_agg_t;
SELECT avg(v) FROM halfvec_agg_t;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE halfvec_agg_t;
