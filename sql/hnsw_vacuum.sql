-- hnsw: VACUUM removes the elements of dead rows; what remains is found in exact order, new rows
-- reuse the space, and an index emptied by VACUUM (entry point gone) takes new rows again.
\set SHOW_CONTEXT never
SET enable_seqscan = off;
CREATE TABLE hnsw_v (id int PRIMARY KEY, val vector(3)) WITH (autovacuum_enabled = false);
INSERT INTO hnsw_v SELECT i, ARRAY[sin(i), cos(1.3 * i), sin(0.7 * i)]::vector FROM generate_series(1, 300) i;
CREATE INDEX hnsw_v_idx ON hnsw_v USING hnsw (val vector_l2_ops) WITH (m = 4, ef_construction = 16);
SET hnsw.ef_search = 400;
DELETE FROM hnsw_v WHERE id % 3 <> 0;
VACUUM hnsw_v;
SELECT reltuples FROM pg_class WHERE relname = 'hnsw_v_idx';
SELECT count(*), count(DISTINCT id), bool_and(id % 3 = 0) AS only_live FROM (SELECT id FROM hnsw_v ORDER BY val <-> '[0.2,0.1,0]' LIMIT 1000) s;
SELECT array(SELECT id FROM hnsw_v ORDER BY val <-> '[0.2,0.1,0]' LIMIT 100)
     = array(SELECT id FROM hnsw_v ORDER BY (val <-> '[0.2,0.1,0]') + 0) AS exact_after_vacuum;
-- new rows (they take the freed heap slots: the old elements must not answer for them)
INSERT INTO hnsw_v SELECT i, ARRAY[cos(i), sin(1.1 * i), cos(0.3 * i)]::vector FROM generate_series(1001, 1200) i;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_v ORDER BY val <-> '[0.2,0.1,0]' LIMIT 1000) s;
SELECT array(SELECT id FROM hnsw_v ORDER BY val <-> '[0.2,0.1,0]' LIMIT 300)
     = array(SELECT id FROM hnsw_v ORDER BY (val <-> '[0.2,0.1,0]') + 0) AS exact_after_reuse;
SELECT id, val FROM hnsw_v ORDER BY val <-> '[1,0,0]' LIMIT 3;
-- delete everything: the index is empty, then takes rows again
DELETE FROM hnsw_v;
VACUUM hnsw_v;
SELECT id FROM hnsw_v ORDER BY val <-> '[0,0,0]' LIMIT 5;
INSERT INTO hnsw_v VALUES (1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[0,0,1]');
SELECT id FROM hnsw_v ORDER BY val <-> '[0,0,0]' LIMIT 5;
-- VACUUM FULL rebuilds the index
DELETE FROM hnsw_v WHERE id = 1;
VACUUM FULL hnsw_v;
SELECT id FROM hnsw_v ORDER BY val <-> '[0,0,0]' LIMIT 5;
DROP TABLE hnsw_v;
