-- hnsw with many equal vectors: 1,000 copies of one vector and 100 distinct ones. Every row must
-- stay reachable (an iterative scan without limits returns each once) and the distinct rows
-- must be found, whether the rows came in through the build or through INSERT, and after VACUUM.
\set SHOW_CONTEXT never
SET enable_seqscan = off;
CREATE TABLE hnsw_dup (id int PRIMARY KEY, val vector(3)) WITH (autovacuum_enabled = false);

-- built
INSERT INTO hnsw_dup SELECT i, '[1,1,1]' FROM generate_series(1, 1000) i;
INSERT INTO hnsw_dup SELECT i, ARRAY[i, 0, 0]::vector FROM generate_series(1001, 1100) i;
CREATE INDEX hnsw_dup_idx ON hnsw_dup USING hnsw (val vector_l2_ops);
SELECT count(*) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[1,1,1]' LIMIT 10) s;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[1050,0,0]' LIMIT 3) s;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 1000000;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[5,5,5]' LIMIT 10000) s;
RESET hnsw.iterative_scan;

-- inserted: the distinct rows are found at once; inserts' pruning cuts many of the equal copies
-- off (every list keeps one copy of a vector), and VACUUM links every row back in
DROP INDEX hnsw_dup_idx;
TRUNCATE hnsw_dup;
CREATE INDEX hnsw_dup_idx ON hnsw_dup USING hnsw (val vector_l2_ops);
INSERT INTO hnsw_dup SELECT i, '[1,1,1]' FROM generate_series(1, 1000) i;
INSERT INTO hnsw_dup SELECT i, ARRAY[i, 0, 0]::vector FROM generate_series(1001, 1100) i;
SELECT count(*) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[1,1,1]' LIMIT 10) s;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[1050,0,0]' LIMIT 3) s;
VACUUM hnsw_dup;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[5,5,5]' LIMIT 10000) s;
RESET hnsw.iterative_scan;

-- most copies deleted, VACUUM
DELETE FROM hnsw_dup WHERE id <= 990;
VACUUM hnsw_dup;
SELECT count(*) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[1,1,1]' LIMIT 10) s;
SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[1050,0,0]' LIMIT 3) s;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_dup ORDER BY val <-> '[5,5,5]' LIMIT 10000) s;
RESET hnsw.iterative_scan;
DROP TABLE hnsw_dup;

-- the smallest case: one distinct vector inserted after 100 equal ones is found
CREATE TABLE hnsw_dup2 (id int, val vector(3));
CREATE INDEX ON hnsw_dup2 USING hnsw (val vector_l2_ops);
INSERT INTO hnsw_dup2 SELECT i, '[1,1,1]' FROM generate_series(1, 100) i;
INSERT INTO hnsw_dup2 VALUES (500, '[50,0,0]');
SELECT id FROM hnsw_dup2 ORDER BY val <-> '[50,0,0]' LIMIT 1;
DROP TABLE hnsw_dup2;
