-- Issue 14, "a filtered query returns too few rows": 10,000 rows, c = i % 100 (1% per value), an
-- hnsw index, ANALYZE, iterative scans off (the default). With WHERE c = 42 an hnsw walk of
-- ef_search = 40 candidates keeps about 0.4 of them, so it cannot return 20 rows: the query must
-- still return its 20 rows, the exact 20 nearest, and the plan is the exact one (a sequential scan
-- and a sort, there being no other index). Without a filter, or with one that keeps most rows, the
-- index is still the plan.
SET hnsw.iterative_scan = off;
CREATE TABLE flt (i int PRIMARY KEY, c int, v vector(3));
INSERT INTO flt SELECT i, i % 100, ARRAY[sin(i) * 0.5 + 0.5, cos(i * 1.7) * 0.5 + 0.5, (i % 97) / 97.0]::real[]::vector
	FROM generate_series(1, 10000) i;
CREATE INDEX flt_v ON flt USING hnsw (v vector_l2_ops);
ANALYZE flt;

-- c = 42: 20 rows, the exact ones
SELECT count(*) FROM (SELECT i FROM flt WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
SELECT array(SELECT i FROM flt WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20)
     = array(SELECT i FROM flt WHERE c = 42 ORDER BY (v <-> '[0.5,0.5,0.5]') + 0 LIMIT 20) AS exact;
EXPLAIN (COSTS OFF) SELECT i FROM flt WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20;

-- c < 1: the same share of rows through a range
SELECT count(*) FROM (SELECT i FROM flt WHERE c < 1 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
SELECT array(SELECT i FROM flt WHERE c < 1 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20)
     = array(SELECT i FROM flt WHERE c < 1 ORDER BY (v <-> '[0.5,0.5,0.5]') + 0 LIMIT 20) AS exact;
EXPLAIN (COSTS OFF) SELECT i FROM flt WHERE c < 1 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20;

-- With iterative scans the walk goes on until it has 20 rows: whatever the plan, 20 rows.
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT i FROM flt WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
RESET hnsw.iterative_scan;

-- The index stays the plan without a filter, and with a filter that keeps 99% of the rows.
EXPLAIN (COSTS OFF) SELECT i FROM flt ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20;
EXPLAIN (COSTS OFF) SELECT i FROM flt WHERE c <> 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20;
SELECT count(*) FROM (SELECT i FROM flt WHERE c <> 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
DROP TABLE flt;
