-- hnsw: the four operator classes answer ORDER BY ... LIMIT in exact distance order on small
-- tables (the index scan's ids are printed, then compared with a sort of the same distances,
-- which the index cannot serve: "(distance) + 0"); NULL rows, zero vectors, NULL queries.
\set SHOW_CONTEXT never
SET enable_seqscan = off;

-- 40 distinct 3-dimensional vectors (no ties in any of the four distances to the queries used).
CREATE TABLE hnsw_t (id int PRIMARY KEY, val vector(3));
INSERT INTO hnsw_t
	SELECT i, ARRAY[round(sin(i)::numeric, 3), round(cos(1.7 * i)::numeric, 3), round((2 * sin(0.3 * i))::numeric, 3)]::vector
	FROM generate_series(1, 40) i;
INSERT INTO hnsw_t VALUES (41, NULL);

-- L2
CREATE INDEX hnsw_t_l2 ON hnsw_t USING hnsw (val vector_l2_ops);
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <-> '[0.5,0.5,0.5]' LIMIT 5;
SELECT id, val, round((val <-> '[0.5,0.5,0.5]')::numeric, 4) AS dist FROM hnsw_t ORDER BY val <-> '[0.5,0.5,0.5]' LIMIT 5;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <-> '[0.5,0.5,0.5]' LIMIT 15)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <-> '[0.5,0.5,0.5]') + 0 LIMIT 15) AS l2_exact;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <-> '[-1,2,-3]' LIMIT 40)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <-> '[-1,2,-3]') + 0) AS l2_exact_all;
EXPLAIN (COSTS OFF) SELECT array(SELECT id FROM hnsw_t ORDER BY val <-> '[-1,2,-3]' LIMIT 40);
-- the NULL row is not indexed: 40 rows come back, not 41
SELECT count(*) FROM (SELECT id FROM hnsw_t ORDER BY val <-> '[-1,2,-3]' LIMIT 100) s;
DROP INDEX hnsw_t_l2;

-- inner product (<#> is the negative inner product: the largest inner product first)
CREATE INDEX hnsw_t_ip ON hnsw_t USING hnsw (val vector_ip_ops);
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <#> '[1,2,0.5]' LIMIT 5;
SELECT id, val, round((val <#> '[1,2,0.5]')::numeric, 4) AS dist FROM hnsw_t ORDER BY val <#> '[1,2,0.5]' LIMIT 5;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <#> '[1,2,0.5]' LIMIT 15)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <#> '[1,2,0.5]') + 0 LIMIT 15) AS ip_exact;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <#> '[-3,0.1,1]' LIMIT 40)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <#> '[-3,0.1,1]') + 0) AS ip_exact_all;
DROP INDEX hnsw_t_ip;

-- cosine
CREATE INDEX hnsw_t_cos ON hnsw_t USING hnsw (val vector_cosine_ops);
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <=> '[1,2,0.5]' LIMIT 5;
SELECT id, val, round((val <=> '[1,2,0.5]')::numeric, 4) AS dist FROM hnsw_t ORDER BY val <=> '[1,2,0.5]' LIMIT 5;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <=> '[1,2,0.5]' LIMIT 15)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <=> '[1,2,0.5]') + 0 LIMIT 15) AS cosine_exact;
-- the scale of the query does not matter
SELECT array(SELECT id FROM hnsw_t ORDER BY val <=> '[10,20,5]' LIMIT 40)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <=> '[1,2,0.5]') + 0) AS cosine_exact_all;
DROP INDEX hnsw_t_cos;

-- L1
CREATE INDEX hnsw_t_l1 ON hnsw_t USING hnsw (val vector_l1_ops);
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <+> '[0.5,0.5,0.5]' LIMIT 5;
SELECT id, val, round((val <+> '[0.5,0.5,0.5]')::numeric, 4) AS dist FROM hnsw_t ORDER BY val <+> '[0.5,0.5,0.5]' LIMIT 5;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <+> '[0.5,0.5,0.5]' LIMIT 15)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <+> '[0.5,0.5,0.5]') + 0 LIMIT 15) AS l1_exact;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <+> '[-1,2,-3]' LIMIT 40)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <+> '[-1,2,-3]') + 0) AS l1_exact_all;
DROP INDEX hnsw_t_l1;

-- An index only serves its own operator: an L2 index does not order by <#>, <=> or <+>.
CREATE INDEX hnsw_t_l2 ON hnsw_t USING hnsw (val vector_l2_ops);
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <#> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <=> '[1,2,3]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <+> '[1,2,3]' LIMIT 5;
-- nor descending order, nor a query without ORDER BY, nor a WHERE on the column
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t ORDER BY val <-> '[1,2,3]' DESC LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t WHERE val = '[1,2,3]';
-- a WHERE on another column keeps the index (rows are filtered after the scan)
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_t WHERE id % 2 = 0 ORDER BY val <-> '[1,2,3]' LIMIT 5;
SELECT array(SELECT id FROM hnsw_t WHERE id % 2 = 0 ORDER BY val <-> '[1,2,3]' LIMIT 5)
     = array(SELECT id FROM hnsw_t WHERE id % 2 = 0 AND val IS NOT NULL ORDER BY (val <-> '[1,2,3]') + 0 LIMIT 5) AS filtered_exact;
-- a query vector from a subquery, and one that is NULL (every non-NULL row comes back)
SELECT id FROM hnsw_t ORDER BY val <-> (SELECT val FROM hnsw_t WHERE id = 17) LIMIT 3;
SELECT array(SELECT id FROM hnsw_t ORDER BY val <-> (SELECT val FROM hnsw_t WHERE id = 17) LIMIT 3)
     = array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <-> (SELECT val FROM hnsw_t WHERE id = 17)) + 0 LIMIT 3) AS subquery_exact;
SELECT count(*) FROM (SELECT id FROM hnsw_t ORDER BY val <-> (SELECT NULL::vector)) s;
-- the same index scan, twice in one query (a rescan per outer row)
SELECT q.id, (SELECT h.id FROM hnsw_t h ORDER BY h.val <-> q.val LIMIT 1) AS nearest
FROM hnsw_t q WHERE q.id IN (3, 8, 21) ORDER BY q.id;
-- a prepared statement with a generic plan: the query vector is a parameter of the scan
SET plan_cache_mode = force_generic_plan;
PREPARE hnsw_knn(vector) AS SELECT id FROM hnsw_t ORDER BY val <-> $1 LIMIT 3;
EXPLAIN (COSTS OFF) EXECUTE hnsw_knn('[0.5,0.5,0.5]');
EXECUTE hnsw_knn('[0.5,0.5,0.5]');
EXECUTE hnsw_knn('[-1,2,-3]');
SELECT array(SELECT id FROM hnsw_t WHERE val IS NOT NULL ORDER BY (val <-> '[-1,2,-3]') + 0 LIMIT 3) AS expected;
EXECUTE hnsw_knn('[1,2]');
DEALLOCATE hnsw_knn;
RESET plan_cache_mode;
-- a scrollable cursor: the index cannot scan backward, the plan materializes
BEGIN;
DECLARE hnsw_c SCROLL CURSOR FOR SELECT id FROM hnsw_t ORDER BY val <-> '[0.5,0.5,0.5]' LIMIT 4;
FETCH FORWARD 4 FROM hnsw_c;
FETCH BACKWARD 2 FROM hnsw_c;
COMMIT;
DROP TABLE hnsw_t;

-- Zero vectors are not indexed for cosine (their cosine distance is NaN); they are for the others.
CREATE TABLE hnsw_z (id int, val vector(3));
INSERT INTO hnsw_z VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL), (5, '[-1,0,2]');
CREATE INDEX hnsw_z_cos ON hnsw_z USING hnsw (val vector_cosine_ops);
INSERT INTO hnsw_z VALUES (6, '[0,0,0]'), (7, '[3,2,1]');
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_z ORDER BY val <=> '[1,2,3]';
SELECT id, val, round((val <=> '[1,2,3]')::numeric, 4) AS dist FROM hnsw_z ORDER BY val <=> '[1,2,3]';
SELECT count(*) FROM (SELECT id FROM hnsw_z ORDER BY val <=> '[0,0,0]') s;
SELECT count(*) FROM (SELECT id FROM hnsw_z ORDER BY val <=> (SELECT NULL::vector)) s;
DROP INDEX hnsw_z_cos;
CREATE INDEX hnsw_z_l2 ON hnsw_z USING hnsw (val vector_l2_ops);
-- (ties between equal vectors: the index scan's rows are sorted again by distance and id)
SELECT * FROM (SELECT id, val, round((val <-> '[0.1,0,0]')::numeric, 4) AS dist FROM hnsw_z ORDER BY val <-> '[0.1,0,0]' LIMIT 10) s ORDER BY dist, id;
DROP INDEX hnsw_z_l2;
CREATE INDEX hnsw_z_ip ON hnsw_z USING hnsw (val vector_ip_ops);
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, val, (val <#> '[1,2,3]') AS dist FROM hnsw_z ORDER BY val <#> '[1,2,3]' LIMIT 10) s ORDER BY dist, id;
SELECT * FROM (SELECT id, val, (val <#> '[1,2,3]') AS dist FROM hnsw_z ORDER BY val <#> '[1,2,3]' LIMIT 10) s ORDER BY dist, id;
DROP INDEX hnsw_z_ip;
CREATE INDEX hnsw_z_l1 ON hnsw_z USING hnsw (val vector_l1_ops);
SELECT * FROM (SELECT id, val, (val <+> '[1,1,0]') AS dist FROM hnsw_z ORDER BY val <+> '[1,1,0]' LIMIT 10) s ORDER BY dist, id;
DROP TABLE hnsw_z;
