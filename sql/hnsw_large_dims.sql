-- hnsw: vectors larger than a page. 3,072 dimensions (12 kB: the neighbor lists are stored apart
-- from the element, or the vector in chunks) and 16,000 dimensions (64 kB, 8 chunks), built from
-- a table and inserted after the build; ordered scans return the exact order.
\set SHOW_CONTEXT never
SET enable_seqscan = off;

-- vector i: a pseudo-random background in [0, 1) plus a spike of height i at component i, so that
-- distances to a query differ clearly.
CREATE FUNCTION pg_temp.bigvec(i int, dims int) RETURNS vector LANGUAGE sql AS $$
	SELECT array_agg(((i * 7919 + j * 104729) % 1000) / 1000.0 + CASE WHEN j = i THEN i ELSE 0 END ORDER BY j)::vector
	FROM generate_series(1, dims) j
$$;

-- the query vectors (a subquery gives the scan its query as a parameter)
CREATE TABLE hnsw_q (id int, dims int, val vector);
INSERT INTO hnsw_q SELECT i, 3072, pg_temp.bigvec(i, 3072) FROM generate_series(1, 30) i;
INSERT INTO hnsw_q SELECT i, 1900, pg_temp.bigvec(i, 1900) FROM generate_series(1, 20) i;
INSERT INTO hnsw_q SELECT i, 16000, pg_temp.bigvec(i, 16000) FROM generate_series(1, 12) i;

-- 1,900 dimensions: the vector fits the element tuple, the neighbor lists do not (m = 16), and
-- with m = 100 neither fits beside the other
CREATE TABLE hnsw_1900 (id int, val vector(1900));
INSERT INTO hnsw_1900 SELECT i, pg_temp.bigvec(i, 1900) FROM generate_series(1, 12) i;
CREATE INDEX hnsw_1900_l2 ON hnsw_1900 USING hnsw (val vector_l2_ops);
INSERT INTO hnsw_1900 SELECT i, pg_temp.bigvec(i, 1900) FROM generate_series(13, 20) i;
SELECT array(SELECT id FROM hnsw_1900 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 14 AND dims = 1900) LIMIT 20)
     = array(SELECT id FROM hnsw_1900 ORDER BY (val <-> (SELECT val FROM hnsw_q WHERE id = 14 AND dims = 1900)) + 0) AS l2_exact;
SELECT count(*) FILTER (WHERE (SELECT h.id FROM hnsw_1900 h ORDER BY h.val <-> q.val LIMIT 1) = q.id) AS found_self
FROM hnsw_1900 q;
DROP INDEX hnsw_1900_l2;
CREATE INDEX hnsw_1900_l2 ON hnsw_1900 USING hnsw (val vector_l2_ops) WITH (m = 100, ef_construction = 200);
INSERT INTO hnsw_1900 SELECT i + 20, pg_temp.bigvec(i, 1900) FROM generate_series(1, 5) i;
-- (rows 3 and 23 hold the same vector)
SELECT id FROM (SELECT id FROM hnsw_1900 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 3 AND dims = 1900) LIMIT 2) s ORDER BY id;
SELECT count(*) FILTER (WHERE (SELECT h.val FROM hnsw_1900 h ORDER BY h.val <-> q.val LIMIT 1) = q.val) AS found_self
FROM hnsw_1900 q;
DROP TABLE hnsw_1900;

CREATE TABLE hnsw_3072 (id int, val vector(3072));
INSERT INTO hnsw_3072 SELECT i, pg_temp.bigvec(i, 3072) FROM generate_series(1, 12) i;
CREATE INDEX hnsw_3072_l2 ON hnsw_3072 USING hnsw (val vector_l2_ops);
INSERT INTO hnsw_3072 SELECT i, pg_temp.bigvec(i, 3072) FROM generate_series(13, 20) i;
INSERT INTO hnsw_3072 VALUES (21, NULL);
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_3072 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 5 AND dims = 3072) LIMIT 5;
SELECT id, round((val <-> (SELECT val FROM hnsw_q WHERE id = 5 AND dims = 3072))::numeric, 3) AS dist FROM hnsw_3072 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 5 AND dims = 3072) LIMIT 5;
SELECT array(SELECT id FROM hnsw_3072 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 17 AND dims = 3072) LIMIT 20)
     = array(SELECT id FROM hnsw_3072 WHERE val IS NOT NULL ORDER BY (val <-> (SELECT val FROM hnsw_q WHERE id = 17 AND dims = 3072)) + 0) AS l2_exact;
-- the vector the index holds is the whole vector: each row finds itself at distance 0
EXPLAIN (COSTS OFF) SELECT (SELECT h.id FROM hnsw_3072 h ORDER BY h.val <-> q.val LIMIT 1) FROM hnsw_3072 q;
SELECT count(*) FILTER (WHERE (SELECT h.id FROM hnsw_3072 h ORDER BY h.val <-> q.val LIMIT 1) = q.id) AS found_self
FROM hnsw_3072 q WHERE q.val IS NOT NULL;
DROP INDEX hnsw_3072_l2;
CREATE INDEX hnsw_3072_cos ON hnsw_3072 USING hnsw (val vector_cosine_ops) WITH (m = 4, ef_construction = 8);
INSERT INTO hnsw_3072 SELECT i, pg_temp.bigvec(i, 3072) FROM generate_series(22, 30) i;
SELECT array(SELECT id FROM hnsw_3072 ORDER BY val <=> (SELECT val FROM hnsw_q WHERE id = 25 AND dims = 3072) LIMIT 29)
     = array(SELECT id FROM hnsw_3072 WHERE val IS NOT NULL ORDER BY (val <=> (SELECT val FROM hnsw_q WHERE id = 25 AND dims = 3072)) + 0) AS cosine_exact;
SELECT id FROM hnsw_3072 ORDER BY val <=> (SELECT val FROM hnsw_q WHERE id = 25 AND dims = 3072) LIMIT 3;
DROP TABLE hnsw_3072;

CREATE TABLE hnsw_16000 (id int, val vector(16000));
INSERT INTO hnsw_16000 SELECT i, pg_temp.bigvec(i, 16000) FROM generate_series(1, 6) i;
CREATE INDEX hnsw_16000_l2 ON hnsw_16000 USING hnsw (val vector_l2_ops);
INSERT INTO hnsw_16000 SELECT i, pg_temp.bigvec(i, 16000) FROM generate_series(7, 10) i;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_16000 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 3 AND dims = 16000) LIMIT 5;
SELECT id, round((val <-> (SELECT val FROM hnsw_q WHERE id = 3 AND dims = 16000))::numeric, 3) AS dist FROM hnsw_16000 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 3 AND dims = 16000) LIMIT 10;
SELECT array(SELECT id FROM hnsw_16000 ORDER BY val <-> (SELECT val FROM hnsw_q WHERE id = 8 AND dims = 16000) LIMIT 10)
     = array(SELECT id FROM hnsw_16000 ORDER BY (val <-> (SELECT val FROM hnsw_q WHERE id = 8 AND dims = 16000)) + 0) AS l2_exact;
SELECT count(*) FILTER (WHERE (SELECT h.id FROM hnsw_16000 h ORDER BY h.val <-> q.val LIMIT 1) = q.id) AS found_self
FROM hnsw_16000 q;
DROP INDEX hnsw_16000_l2;
CREATE INDEX hnsw_16000_ip ON hnsw_16000 USING hnsw (val vector_ip_ops);
INSERT INTO hnsw_16000 SELECT i, pg_temp.bigvec(i, 16000) FROM generate_series(11, 12) i;
SELECT array(SELECT id FROM hnsw_16000 ORDER BY val <#> (SELECT val FROM hnsw_q WHERE id = 2 AND dims = 16000) LIMIT 12)
     = array(SELECT id FROM hnsw_16000 ORDER BY (val <#> (SELECT val FROM hnsw_q WHERE id = 2 AND dims = 16000)) + 0) AS ip_exact;
DROP INDEX hnsw_16000_ip;
CREATE INDEX hnsw_16000_l1 ON hnsw_16000 USING hnsw (val vector_l1_ops);
SELECT array(SELECT id FROM hnsw_16000 ORDER BY val <+> (SELECT val FROM hnsw_q WHERE id = 12 AND dims = 16000) LIMIT 12)
     = array(SELECT id FROM hnsw_16000 ORDER BY (val <+> (SELECT val FROM hnsw_q WHERE id = 12 AND dims = 16000)) + 0) AS l1_exact;
SELECT pg_relation_size('hnsw_16000_l1') > 12 * 64000 AS holds_the_vectors;
DROP TABLE hnsw_16000, hnsw_q;
