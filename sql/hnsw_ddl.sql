-- hnsw: index options and their errors, columns it cannot index, GUCs, and the index's life:
-- build on an empty table, inserts after the build, TRUNCATE, REINDEX, unlogged tables,
-- partial and expression indexes, \d and pg_indexes.
\set SHOW_CONTEXT never
SET enable_seqscan = off;
CREATE TABLE hnsw_d (id int, val vector(3));
INSERT INTO hnsw_d VALUES (1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[1,2,3]');

-- options: m in 2..100, ef_construction in 4..1000 and >= 2 * m
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 1);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 101);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (ef_construction = 3);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (ef_construction = 1001);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 16, ef_construction = 31);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (ef_construction = 31);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 3, ef_construction = 5);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (lists = 10);
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 'many');
-- the bounds themselves are accepted
CREATE INDEX hnsw_d_min ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 2, ef_construction = 4);
CREATE INDEX hnsw_d_max ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 100, ef_construction = 1000);
CREATE INDEX hnsw_d_2m ON hnsw_d USING hnsw (val vector_l2_ops) WITH (m = 16, ef_construction = 32);
SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'hnsw_d_%' ORDER BY relname;
SELECT id FROM hnsw_d ORDER BY val <-> '[1.1,2,2]' LIMIT 3;
ALTER INDEX hnsw_d_2m SET (m = 101);
DROP INDEX hnsw_d_min, hnsw_d_max, hnsw_d_2m;

-- what cannot be indexed
CREATE INDEX ON hnsw_d USING hnsw (val);
CREATE INDEX ON hnsw_d USING hnsw (id);
-- A later column is a filter column (sql/hnsw_multicolumn.sql); a filter column first is an error.
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops, id);
DROP INDEX hnsw_d_val_id_idx;
CREATE INDEX ON hnsw_d USING hnsw (val vector_l2_ops) INCLUDE (id);
CREATE UNIQUE INDEX ON hnsw_d USING hnsw (val vector_l2_ops);
CREATE TABLE hnsw_notypmod (val vector);
CREATE INDEX ON hnsw_notypmod USING hnsw (val vector_l2_ops);
-- an expression index with a cast gives the dimensions
INSERT INTO hnsw_notypmod VALUES ('[1,2,3]'), ('[3,2,1]'), ('[0,0,1]');
CREATE INDEX hnsw_notypmod_expr ON hnsw_notypmod USING hnsw ((val::vector(3)) vector_l2_ops);
EXPLAIN (COSTS OFF) SELECT val FROM hnsw_notypmod ORDER BY val::vector(3) <-> '[3,3,0]' LIMIT 3;
SELECT val FROM hnsw_notypmod ORDER BY val::vector(3) <-> '[3,3,0]' LIMIT 3;
INSERT INTO hnsw_notypmod VALUES ('[1,2]');
DROP TABLE hnsw_notypmod;
CREATE TABLE hnsw_toobig (val vector(16001));
-- up to 16,000 dimensions can be indexed (pgvector: 2,000)
CREATE TABLE hnsw_maxdim (val vector(16000));
CREATE INDEX ON hnsw_maxdim USING hnsw (val vector_l2_ops);
DROP TABLE hnsw_maxdim;

-- dimension mismatch: on insert, and in a query
CREATE INDEX hnsw_d_l2 ON hnsw_d USING hnsw (val vector_l2_ops);
INSERT INTO hnsw_d VALUES (9, '[1,2]');
INSERT INTO hnsw_d VALUES (9, '[1,2,3,4]');
SELECT id FROM hnsw_d ORDER BY val <-> '[1,2]' LIMIT 3;
SELECT id FROM hnsw_d ORDER BY val <-> '[1,2,3,4]'::vector LIMIT 3;
SELECT count(*) FROM hnsw_d;

-- GUCs: names, defaults and ranges
SHOW hnsw.ef_search;
SHOW hnsw.iterative_scan;
SHOW hnsw.max_scan_tuples;
SHOW hnsw.scan_mem_multiplier;
SET hnsw.ef_search = 0;
SET hnsw.ef_search = 1001;
SET hnsw.ef_search = 1;
SET hnsw.ef_search = 1000;
SHOW hnsw.ef_search;
RESET hnsw.ef_search;
SET hnsw.iterative_scan = on;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.iterative_scan = strict_order;
SET hnsw.iterative_scan = off;
SET hnsw.max_scan_tuples = 0;
SET hnsw.scan_mem_multiplier = 0;
SET hnsw.scan_mem_multiplier = 1001;
SET hnsw.no_such_setting = 1;
SELECT name, setting, min_val, max_val, enumvals FROM pg_settings WHERE name LIKE 'hnsw.%' ORDER BY name;

-- \d and pg_indexes show the index with its operator class and options
CREATE INDEX hnsw_d_opts ON hnsw_d USING hnsw (val vector_cosine_ops) WITH (m = 8, ef_construction = 40);
\d hnsw_d
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'hnsw_d' ORDER BY indexname;
SELECT amname FROM pg_am WHERE amname = 'hnsw';
SELECT opcname FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod WHERE a.amname = 'hnsw' ORDER BY opcname;
DROP TABLE hnsw_d;

-- build on an empty table, then inserts; TRUNCATE; REINDEX
CREATE TABLE hnsw_e (id int, val vector(2));
CREATE INDEX hnsw_e_idx ON hnsw_e USING hnsw (val vector_l2_ops);
SELECT id FROM hnsw_e ORDER BY val <-> '[0,0]' LIMIT 3;
INSERT INTO hnsw_e VALUES (1, '[5,5]');
SELECT id FROM hnsw_e ORDER BY val <-> '[0,0]' LIMIT 3;
INSERT INTO hnsw_e SELECT i, ARRAY[i, i * i % 7]::vector FROM generate_series(2, 30) i;
SELECT id, val FROM hnsw_e ORDER BY val <-> '[10.17,3.31]' LIMIT 5;
SELECT array(SELECT id FROM hnsw_e ORDER BY val <-> '[10.17,3.31]' LIMIT 30)
     = array(SELECT id FROM hnsw_e ORDER BY (val <-> '[10.17,3.31]') + 0) AS exact_after_inserts;
TRUNCATE hnsw_e;
SELECT id FROM hnsw_e ORDER BY val <-> '[0,0]' LIMIT 3;
INSERT INTO hnsw_e VALUES (100, '[1,1]'), (101, '[9,9]'), (102, '[4,5]');
SELECT id FROM hnsw_e ORDER BY val <-> '[5.2,5]' LIMIT 3;
INSERT INTO hnsw_e SELECT i, ARRAY[i % 13, i % 17]::vector FROM generate_series(200, 260) i;
DELETE FROM hnsw_e WHERE id BETWEEN 200 AND 230;
-- (each check below: the index's rows in order, all of them once, and the exact order)
REINDEX INDEX hnsw_e_idx;
SELECT id, val FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 3;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 100) s;
SELECT array(SELECT id FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 33)
     = array(SELECT id FROM hnsw_e ORDER BY (val <-> '[5.13,4.77]') + 0) AS exact_after_reindex;
REINDEX TABLE hnsw_e;
SELECT id, val FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 3;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 100) s;
-- (REINDEX CONCURRENTLY and CREATE INDEX CONCURRENTLY read the index's TIDs through ambulkdelete
-- and insert only the heap rows missing from it)
REINDEX INDEX CONCURRENTLY hnsw_e_idx;
SELECT id, val FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 3;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 100) s;
DROP INDEX hnsw_e_idx;
CREATE INDEX CONCURRENTLY hnsw_e_idx ON hnsw_e USING hnsw (val vector_l2_ops);
SELECT id, val FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 3;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 100) s;
SELECT array(SELECT id FROM hnsw_e ORDER BY val <-> '[5.13,4.77]' LIMIT 33)
     = array(SELECT id FROM hnsw_e ORDER BY (val <-> '[5.13,4.77]') + 0) AS exact_after_concurrently;
-- a partial index serves only queries that imply its predicate
CREATE INDEX hnsw_e_part ON hnsw_e USING hnsw (val vector_l1_ops) WHERE id >= 240;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_e WHERE id >= 240 ORDER BY val <+> '[3.3,2.9]' LIMIT 3;
SELECT id, val FROM hnsw_e WHERE id >= 240 ORDER BY val <+> '[3.3,2.9]' LIMIT 3;
-- (equal L1 distances here: compare the sequence of distances)
SELECT array(SELECT val <+> '[3.3,2.9]' FROM hnsw_e WHERE id >= 240 ORDER BY val <+> '[3.3,2.9]' LIMIT 100)
     = array(SELECT val <+> '[3.3,2.9]' FROM hnsw_e WHERE id >= 240 ORDER BY (val <+> '[3.3,2.9]') + 0) AS exact_partial;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_e ORDER BY val <+> '[3.3,2.9]' LIMIT 3;
DROP TABLE hnsw_e;

-- unlogged table (the index gets an init fork)
CREATE UNLOGGED TABLE hnsw_u (id int, val vector(3));
INSERT INTO hnsw_u VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL);
CREATE INDEX hnsw_u_idx ON hnsw_u USING hnsw (val vector_l2_ops);
INSERT INTO hnsw_u VALUES (5, '[1,2,4]');
SELECT relpersistence FROM pg_class WHERE relname = 'hnsw_u_idx';
SELECT pg_relation_size('hnsw_u_idx', 'init') > 0 AS has_init_fork;
SELECT id, val FROM hnsw_u ORDER BY val <-> '[3,3,3]' LIMIT 5;
DROP TABLE hnsw_u;
-- an unlogged index built on an empty table
CREATE UNLOGGED TABLE hnsw_u2 (id int, val vector(3));
CREATE INDEX hnsw_u2_idx ON hnsw_u2 USING hnsw (val vector_ip_ops);
INSERT INTO hnsw_u2 VALUES (1, '[1,0,0]'), (2, '[0,2,0]'), (3, '[0,0,3]');
SELECT id FROM hnsw_u2 ORDER BY val <#> '[1,1,1]' LIMIT 3;
DROP TABLE hnsw_u2;
