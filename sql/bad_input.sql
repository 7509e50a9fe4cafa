-- Bad input against every access method: each case gets a correct answer or a clear ERROR,
-- never a crash or a wrong row. Index answers are compared with the sequential scan's (the
-- table is small and its distances distinct, so the indexes are exact here).
SET client_min_messages = warning;
CREATE TABLE bi (id int PRIMARY KEY, e vector(3));
INSERT INTO bi SELECT i, ARRAY[i, (i * 7) % 11, (i * 3) % 13]::vector FROM generate_series(1, 60) i;
INSERT INTO bi VALUES (61, NULL), (62, NULL), (63, '[0,0,0]');
-- exact(q, op): the ids of the 5 nearest rows by a sequential scan.
CREATE FUNCTION exact_ids(q vector, op text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;
  EXECUTE format('SELECT string_agg(id::text, '','' ORDER BY n) FROM (SELECT id, row_number() OVER () AS n FROM (SELECT id FROM bi ORDER BY e %s $1, id LIMIT 5) s) t', op) INTO r USING q;
  RETURN r;
END $$;

-- ======================================================================== hnsw
CREATE INDEX bi_l2 ON bi USING hnsw (e vector_l2_ops);
CREATE INDEX bi_cos ON bi USING hnsw (e vector_cosine_ops);
SET enable_seqscan = off;
SET hnsw.ef_search = 100;
EXPLAIN (COSTS OFF) SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
-- NULL rows are not returned by a distance order (the index does not hold them)
SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5) s;
SELECT exact_ids('[1,2,3]', '<->') AS exact;
SELECT count(*) AS null_rows_returned FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 100) s WHERE id IN (61, 62);
-- a NULL query (every distance is NULL, so any 3 rows are right): no error, no crash
SELECT count(*) AS null_query_rows, count(*) FILTER (WHERE id IN (61, 62)) AS null_rows FROM (SELECT id FROM bi ORDER BY e <-> NULL LIMIT 3) s;
-- a zero query vector with cosine (every distance is NaN, so any rows are right): no error
SELECT count(*) <= 3 AS ok FROM (SELECT id FROM bi ORDER BY e <=> '[0,0,0]' LIMIT 3) s;
-- the zero row is not in the cosine index, and a cosine query never returns it first
SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM bi ORDER BY e <=> '[1,1,1]' LIMIT 5) s;
SELECT exact_ids('[1,1,1]', '<=>') AS exact;
-- dimension mismatch between the index and the query: an ERROR
SELECT id FROM bi ORDER BY e <-> '[1,2]' LIMIT 5;
SELECT id FROM bi ORDER BY e <=> '[1,2,3,4]' LIMIT 5;
-- a query vector that overflows when computed: an ERROR before the scan
SELECT id FROM bi ORDER BY e <-> ('[3e38,1,1]'::vector + '[3e38,1,1]') LIMIT 5;
-- LIMIT 0 and no LIMIT
SELECT count(*) AS limit_0 FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 0) s;
SELECT count(*) <= 61 AND count(*) = count(DISTINCT id) AS no_limit_ok FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]') s;
SELECT (array_agg(id))[1:5] AS no_limit_first_5 FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]') s;
-- a cursor scrolled backwards
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
FETCH 3 FROM c;
FETCH BACKWARD 2 FROM c;
FETCH ABSOLUTE 5 FROM c;
FETCH PRIOR FROM c;
COMMIT;
BEGIN;
DECLARE c2 NO SCROLL CURSOR FOR SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
FETCH 2 FROM c2;
FETCH BACKWARD 1 FROM c2;
ROLLBACK;
-- prepared statements with generic plans
SET plan_cache_mode = force_generic_plan;
PREPARE q(vector, int) AS SELECT string_agg(id::text, ',') FROM (SELECT id FROM bi ORDER BY e <-> $1 LIMIT $2) s;
EXECUTE q('[1,2,3]', 5);
EXECUTE q('[50,1,1]', 3);
EXECUTE q('[50,1,1]', 0);
EXECUTE q('[1,2]', 3);
DEALLOCATE q;
PREPARE qn(vector) AS SELECT count(*) FROM (SELECT id FROM bi ORDER BY e <-> $1 LIMIT 3) s;
EXECUTE qn(NULL);
DEALLOCATE qn;
PREPARE qc(vector) AS SELECT string_agg(id::text, ',') FROM (SELECT id FROM bi ORDER BY e <=> $1 LIMIT 5) s;
EXECUTE qc('[1,1,1]');
DEALLOCATE qc;
PREPARE qz(vector) AS SELECT count(*) <= 5 FROM (SELECT id FROM bi ORDER BY e <=> $1 LIMIT 5) s;
EXECUTE qz('[0,0,0]');
DEALLOCATE qz;
RESET plan_cache_mode;
RESET enable_seqscan;
DROP INDEX bi_l2, bi_cos;

-- ======================================================================== ivfflat
CREATE INDEX bi_l2 ON bi USING ivfflat (e vector_l2_ops) WITH (lists = 4);
CREATE INDEX bi_cos ON bi USING ivfflat (e vector_cosine_ops) WITH (lists = 4);
SET enable_seqscan = off;
SET ivfflat.probes = 4;
EXPLAIN (COSTS OFF) SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
-- NULL rows are not returned by a distance order (the index does not hold them)
SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5) s;
SELECT exact_ids('[1,2,3]', '<->') AS exact;
SELECT count(*) AS null_rows_returned FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 100) s WHERE id IN (61, 62);
-- a NULL query (every distance is NULL, so any 3 rows are right): no error, no crash
SELECT count(*) AS null_query_rows, count(*) FILTER (WHERE id IN (61, 62)) AS null_rows FROM (SELECT id FROM bi ORDER BY e <-> NULL LIMIT 3) s;
-- a zero query vector with cosine (every distance is NaN, so any rows are right): no error
SELECT count(*) <= 3 AS ok FROM (SELECT id FROM bi ORDER BY e <=> '[0,0,0]' LIMIT 3) s;
-- the zero row is not in the cosine index, and a cosine query never returns it first
SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM bi ORDER BY e <=> '[1,1,1]' LIMIT 5) s;
SELECT exact_ids('[1,1,1]', '<=>') AS exact;
-- dimension mismatch between the index and the query: an ERROR
SELECT id FROM bi ORDER BY e <-> '[1,2]' LIMIT 5;
SELECT id FROM bi ORDER BY e <=> '[1,2,3,4]' LIMIT 5;
-- a query vector that overflows when computed: an ERROR before the scan
SELECT id FROM bi ORDER BY e <-> ('[3e38,1,1]'::vector + '[3e38,1,1]') LIMIT 5;
-- LIMIT 0 and no LIMIT
SELECT count(*) AS limit_0 FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 0) s;
SELECT count(*) <= 61 AND count(*) = count(DISTINCT id) AS no_limit_ok FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]') s;
SELECT (array_agg(id))[1:5] AS no_limit_first_5 FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]') s;
-- a cursor scrolled backwards
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
FETCH 3 FROM c;
FETCH BACKWARD 2 FROM c;
FETCH ABSOLUTE 5 FROM c;
FETCH PRIOR FROM c;
COMMIT;
BEGIN;
DECLARE c2 NO SCROLL CURSOR FOR SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
FETCH 2 FROM c2;
FETCH BACKWARD 1 FROM c2;
ROLLBACK;
-- prepared statements with generic plans
SET plan_cache_mode = force_generic_plan;
PREPARE q(vector, int) AS SELECT string_agg(id::text, ',') FROM (SELECT id FROM bi ORDER BY e <-> $1 LIMIT $2) s;
EXECUTE q('[1,2,3]', 5);
EXECUTE q('[50,1,1]', 3);
EXECUTE q('[50,1,1]', 0);
EXECUTE q('[1,2]', 3);
DEALLOCATE q;
PREPARE qn(vector) AS SELECT count(*) FROM (SELECT id FROM bi ORDER BY e <-> $1 LIMIT 3) s;
EXECUTE qn(NULL);
DEALLOCATE qn;
PREPARE qc(vector) AS SELECT string_agg(id::text, ',') FROM (SELECT id FROM bi ORDER BY e <=> $1 LIMIT 5) s;
EXECUTE qc('[1,1,1]');
DEALLOCATE qc;
PREPARE qz(vector) AS SELECT count(*) <= 5 FROM (SELECT id FROM bi ORDER BY e <=> $1 LIMIT 5) s;
EXECUTE qz('[0,0,0]');
DEALLOCATE qz;
RESET plan_cache_mode;
RESET enable_seqscan;
DROP INDEX bi_l2, bi_cos;

-- ======================================================================== ivf
CREATE INDEX bi_l2 ON bi USING ivf (e vector_l2_ops) WITH (lists = 4, quantizer = 'sq8');
CREATE INDEX bi_cos ON bi USING ivf (e vector_cosine_ops) WITH (lists = 4, quantizer = 'pq');
SET enable_seqscan = off;
SET ivfflat.probes = 4;
EXPLAIN (COSTS OFF) SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
-- NULL rows are not returned by a distance order (the index does not hold them)
SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5) s;
SELECT exact_ids('[1,2,3]', '<->') AS exact;
SELECT count(*) AS null_rows_returned FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 100) s WHERE id IN (61, 62);
-- a NULL query (every distance is NULL, so any 3 rows are right): no error, no crash
SELECT count(*) AS null_query_rows, count(*) FILTER (WHERE id IN (61, 62)) AS null_rows FROM (SELECT id FROM bi ORDER BY e <-> NULL LIMIT 3) s;
-- a zero query vector with cosine (every distance is NaN, so any rows are right): no error
SELECT count(*) <= 3 AS ok FROM (SELECT id FROM bi ORDER BY e <=> '[0,0,0]' LIMIT 3) s;
-- the zero row is not in the cosine index, and a cosine query never returns it first
SELECT string_agg(id::text, ',') AS ids FROM (SELECT id FROM bi ORDER BY e <=> '[1,1,1]' LIMIT 5) s;
SELECT exact_ids('[1,1,1]', '<=>') AS exact;
-- dimension mismatch between the index and the query: an ERROR
SELECT id FROM bi ORDER BY e <-> '[1,2]' LIMIT 5;
SELECT id FROM bi ORDER BY e <=> '[1,2,3,4]' LIMIT 5;
-- a query vector that overflows when computed: an ERROR before the scan
SELECT id FROM bi ORDER BY e <-> ('[3e38,1,1]'::vector + '[3e38,1,1]') LIMIT 5;
-- LIMIT 0 and no LIMIT
SELECT count(*) AS limit_0 FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 0) s;
SELECT count(*) <= 61 AND count(*) = count(DISTINCT id) AS no_limit_ok FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]') s;
SELECT (array_agg(id))[1:5] AS no_limit_first_5 FROM (SELECT id FROM bi ORDER BY e <-> '[1,2,3]') s;
-- a cursor scrolled backwards
BEGIN;
DECLARE c SCROLL CURSOR FOR SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
FETCH 3 FROM c;
FETCH BACKWARD 2 FROM c;
FETCH ABSOLUTE 5 FROM c;
FETCH PRIOR FROM c;
COMMIT;
BEGIN;
DECLARE c2 NO SCROLL CURSOR FOR SELECT id FROM bi ORDER BY e <-> '[1,2,3]' LIMIT 5;
FETCH 2 FROM c2;
FETCH BACKWARD 1 FROM c2;
ROLLBACK;
-- prepared statements with generic plans
SET plan_cache_mode = force_generic_plan;
PREPARE q(vector, int) AS SELECT string_agg(id::text, ',') FROM (SELECT id FROM bi ORDER BY e <-> $1 LIMIT $2) s;
EXECUTE q('[1,2,3]', 5);
EXECUTE q('[50,1,1]', 3);
EXECUTE q('[50,1,1]', 0);
EXECUTE q('[1,2]', 3);
DEALLOCATE q;
PREPARE qn(vector) AS SELECT count(*) FROM (SELECT id FROM bi ORDER BY e <-> $1 LIMIT 3) s;
EXECUTE qn(NULL);
DEALLOCATE qn;
PREPARE qc(vector) AS SELECT string_agg(id::text, ',') FROM (SELECT id FROM bi ORDER BY e <=> $1 LIMIT 5) s;
EXECUTE qc('[1,1,1]');
DEALLOCATE qc;
PREPARE qz(vector) AS SELECT count(*) <= 5 FROM (SELECT id FROM bi ORDER BY e <=> $1 LIMIT 5) s;
EXECUTE qz('[0,0,0]');
DEALLOCATE qz;
RESET plan_cache_mode;
RESET enable_seqscan;
DROP INDEX bi_l2, bi_cos;

-- ======================================================================== builds
-- huge and invalid type modifiers
CREATE TABLE bad_typmod (e vector(16001));
CREATE TABLE bad_typmod (e vector(0));
CREATE TABLE bad_typmod (e vector(2147483647));
CREATE TABLE bad_typmod (e vector(-5));
SELECT '[1,2,3]'::vector(100000);
-- more dimensions than an access method indexes
CREATE TABLE wide (e vector(2001));
CREATE INDEX ON wide USING ivfflat (e vector_l2_ops);
CREATE INDEX ON wide USING ivf (e vector_l2_ops);
CREATE TABLE wider (e vector(16000));
CREATE INDEX ON wider USING hnsw (e vector_l2_ops);
INSERT INTO wider SELECT array_fill(1, ARRAY[16000])::vector;
SELECT count(*) FROM (SELECT 1 FROM wider ORDER BY e <-> array_fill(2, ARRAY[16000])::vector LIMIT 1) s;
DROP TABLE wide, wider;
-- an index on a column without a type modifier and rows of different dimensions
CREATE TABLE mixed (e vector);
INSERT INTO mixed VALUES ('[1,2,3]'), ('[1,2]');
CREATE INDEX ON mixed USING hnsw (e vector_l2_ops);
CREATE INDEX ON mixed USING ivfflat (e vector_l2_ops) WITH (lists = 1);
DROP TABLE mixed;
-- an index on vector(3) refuses rows of other dimensions
CREATE TABLE three (e vector(3));
CREATE INDEX ON three USING hnsw (e vector_l2_ops);
INSERT INTO three VALUES ('[1,2]');
INSERT INTO three VALUES ('[1,2,3]'::vector(3));
DROP TABLE three;
-- maintenance_work_mem far too small for the build
CREATE TABLE mwm (id int, e vector(64));
INSERT INTO mwm SELECT i, array_fill(i::real, ARRAY[64])::vector FROM generate_series(1, 3000) i;
SET maintenance_work_mem = '1MB';
CREATE INDEX mwm_h ON mwm USING hnsw (e vector_l2_ops);
CREATE INDEX mwm_f ON mwm USING ivfflat (e vector_l2_ops) WITH (lists = 2000);
CREATE INDEX mwm_q ON mwm USING ivf (e vector_l2_ops) WITH (lists = 10, quantizer = 'pq');
RESET maintenance_work_mem;
SELECT severity, problem FROM vector_index_check('mwm_h') WHERE severity <> 'info';
SET enable_seqscan = off;
SELECT string_agg(id::text, ',') FROM (SELECT id FROM mwm ORDER BY e <-> array_fill(7::real, ARRAY[64])::vector LIMIT 3) s;
DROP TABLE mwm;
-- more lists than rows
CREATE TABLE few (id int, e vector(2));
INSERT INTO few VALUES (1, '[1,1]'), (2, '[2,2]'), (3, '[9,9]');
CREATE INDEX few_f ON few USING ivfflat (e vector_l2_ops) WITH (lists = 50);
CREATE INDEX few_q ON few USING ivf (e vector_l2_ops) WITH (lists = 50, quantizer = 'sq8');
SET ivfflat.probes = 50;
SELECT string_agg(id::text, ',') FROM (SELECT id FROM few ORDER BY e <-> '[8,8]' LIMIT 3) s;
SELECT severity, problem FROM vector_index_check('few_f') WHERE severity <> 'info';
SELECT severity, problem FROM vector_index_check('few_q') WHERE severity <> 'info';
INSERT INTO few SELECT i, ARRAY[i, i]::vector FROM generate_series(10, 200) i;
SELECT string_agg(id::text, ',') FROM (SELECT id FROM few ORDER BY e <-> '[8,8]' LIMIT 3) s;
RESET ivfflat.probes;
-- bad reloptions
CREATE INDEX ON few USING ivfflat (e vector_l2_ops) WITH (lists = 0);
CREATE INDEX ON few USING ivfflat (e vector_l2_ops) WITH (lists = 40000);
CREATE INDEX ON few USING ivf (e vector_l2_ops) WITH (quantizer = 'nope');
CREATE INDEX ON few USING hnsw (e vector_l2_ops) WITH (m = 1);
CREATE INDEX ON few USING hnsw (e vector_l2_ops) WITH (m = 16, ef_construction = 8);
DROP TABLE few;
-- the check function on something that is not one of our indexes
SELECT * FROM vector_index_check('bi');
SELECT * FROM vector_index_check('bi_pkey');
RESET enable_seqscan;
DROP TABLE bi;
DROP FUNCTION exact_ids;
