-- hnsw: how many rows a scan returns, in off mode (the default) and in the iterative modes
-- (relaxed_order, strict_order): all keep returning rows until a filter is satisfied.
\set SHOW_CONTEXT never
SET enable_seqscan = off;
-- 400 points near the origin (ids 1..400), 100 far away (ids 401..500, about 100 from it)
CREATE TABLE hnsw_it (id int PRIMARY KEY, val vector(4));
INSERT INTO hnsw_it
	SELECT i, ARRAY[sin(i), cos(i), sin(2.3 * i), cos(0.7 * i)]::vector FROM generate_series(1, 400) i;
INSERT INTO hnsw_it
	SELECT i, ARRAY[100 + sin(i), cos(i), sin(2.3 * i), 50 + cos(0.7 * i)]::vector FROM generate_series(401, 500) i;
CREATE INDEX hnsw_it_idx ON hnsw_it USING hnsw (val vector_l2_ops) WITH (m = 8, ef_construction = 32);

-- without iterative scans (off, the default) the first hnsw.ef_search rows are those of one
-- search; when the executor asks for more (a LIMIT above ef_search, a filter that rejected rows)
-- the scan goes on, still in distance order (pgvector stops after ef_search rows)
SHOW hnsw.iterative_scan;
SET hnsw.ef_search = 10;
SELECT count(*) FROM (SELECT id FROM hnsw_it ORDER BY val <-> '[0,0,0,0]' LIMIT 100) s;
SET hnsw.ef_search = 1;
SELECT count(*) FROM (SELECT id FROM hnsw_it ORDER BY val <-> '[0,0,0,0]' LIMIT 100) s;
SELECT bool_and(d >= p) AS in_order
FROM (SELECT d, lag(d) OVER (ORDER BY n) AS p
      FROM unnest(array(SELECT val <-> '[0,0,0,0]' FROM hnsw_it ORDER BY val <-> '[0,0,0,0]' LIMIT 500))
           WITH ORDINALITY AS t(d, n)) s;
-- so a filter that only far rows pass still finds its rows, the exact ones here
SET hnsw.ef_search = 20;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <-> '[0,0,0,0]' LIMIT 5;
SELECT array(SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <-> '[0,0,0,0]' LIMIT 5)
     = array(SELECT id FROM hnsw_it WHERE id > 400 ORDER BY (val <-> '[0,0,0,0]') + 0 LIMIT 5) AS off_exact;
-- hnsw.max_scan_tuples bounds it as it bounds the iterative modes: the far rows that the first
-- search happened to visit, not the 5 asked for
SET hnsw.max_scan_tuples = 1;
SELECT count(*) < 5 AS bounded FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <-> '[0,0,0,0]' LIMIT 5) s;
RESET hnsw.max_scan_tuples;

-- relaxed_order: the scan goes on until LIMIT is reached
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT id FROM hnsw_it ORDER BY val <-> '[0,0,0,0]' LIMIT 100) s;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <-> '[0,0,0,0]' LIMIT 5) s;
-- every row once, and every row of the table when asked for all of them
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_it ORDER BY val <-> '[0.3,0.1,0,0]' LIMIT 1000) s;
-- the filtered answer is the exact one here (the whole graph is visited)
SELECT array(SELECT id FROM (SELECT id, val <-> '[0,0,0,0]' AS d FROM hnsw_it WHERE id > 400 ORDER BY val <-> '[0,0,0,0]' LIMIT 5) s ORDER BY d)
     = array(SELECT id FROM hnsw_it WHERE id > 400 ORDER BY (val <-> '[0,0,0,0]') + 0 LIMIT 5) AS relaxed_exact_set;

-- strict_order: the same rows, and in non-decreasing distance
SET hnsw.iterative_scan = strict_order;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <-> '[0,0,0,0]' LIMIT 5) s;
SELECT array(SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <-> '[0,0,0,0]' LIMIT 5)
     = array(SELECT id FROM hnsw_it WHERE id > 400 ORDER BY (val <-> '[0,0,0,0]') + 0 LIMIT 5) AS strict_exact;
WITH s AS (SELECT row_number() OVER () AS n, val <-> '[0,0,0,0]' AS d
           FROM (SELECT val FROM hnsw_it WHERE id % 3 = 0 ORDER BY val <-> '[0,0,0,0]' LIMIT 150) x)
SELECT count(*), bool_and(d >= prev) AS ordered
FROM (SELECT d, coalesce(lag(d) OVER (ORDER BY n), 0) AS prev FROM s) t;
-- a filter no row passes: the scan ends (the whole index is visited) with no row
SELECT id FROM hnsw_it WHERE id > 1000 ORDER BY val <-> '[0,0,0,0]' LIMIT 5;

-- hnsw.max_scan_tuples bounds the work: with 1, only what the first search visited comes back
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 1;
SELECT count(*) < 500 AS stopped_early FROM (SELECT id FROM hnsw_it ORDER BY val <-> '[0,0,0,0]' LIMIT 1000) s;
RESET hnsw.max_scan_tuples;
SELECT count(*) FROM (SELECT id FROM hnsw_it ORDER BY val <-> '[0,0,0,0]' LIMIT 1000) s;

-- iterative scans with the other operator classes: rows only the far cluster has (<#>: the far
-- rows have the largest distances to this query, <=>: they are 0.3 away, many near rows closer)
DROP INDEX hnsw_it_idx;
SET hnsw.ef_search = 10;
CREATE INDEX hnsw_it_ip ON hnsw_it USING hnsw (val vector_ip_ops);
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <#> '[-1,0,0,-1]' LIMIT 5) s;
SET hnsw.iterative_scan = strict_order;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <#> '[-1,0,0,-1]' LIMIT 5) s;
DROP INDEX hnsw_it_ip;
CREATE INDEX hnsw_it_cos ON hnsw_it USING hnsw (val vector_cosine_ops);
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <=> '[0.5,0.5,0.5,0.5]' LIMIT 5) s;
SET hnsw.iterative_scan = strict_order;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <=> '[0.5,0.5,0.5,0.5]' LIMIT 5) s;
DROP INDEX hnsw_it_cos;
CREATE INDEX hnsw_it_l1 ON hnsw_it USING hnsw (val vector_l1_ops);
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <+> '[0,0,0,0]' LIMIT 5) s;
SET hnsw.iterative_scan = strict_order;
SELECT count(*), count(DISTINCT id), min(id) > 400 AS all_far
FROM (SELECT id FROM hnsw_it WHERE id > 400 ORDER BY val <+> '[0,0,0,0]' LIMIT 5) s;
-- rows inserted after the build are found by an iterative scan too
INSERT INTO hnsw_it SELECT i, ARRAY[-100, 0.01 * (i - 600), 0, 0]::vector FROM generate_series(601, 620) i;
SELECT id FROM hnsw_it WHERE id > 600 ORDER BY val <+> '[0,0,0,0]' LIMIT 3;
DROP TABLE hnsw_it;
