-- Issue 14, "IVF returns nothing for rows that exist": an ivf index built on an empty table has
-- random centroids; rows inserted afterwards crowd into the few lists nearest to them, and a
-- scan probing ivfflat.probes lists misses most of them (pgvector 0.8.6 returns 13 of the 100
-- rows of b3 below; before this test, the vector queries further down returned 0 to 32 of the
-- 100 nearest rows in their place). The build marks such an index untrained in its metapage,
-- and its scans read every list until REINDEX, so they return the exact answers.
CREATE TABLE b3 (id int, v bit(3));
CREATE INDEX b3_v ON b3 USING ivfflat (v bit_hamming_ops) WITH (lists = 100);
INSERT INTO b3 SELECT i, (i % 8)::bit(3) FROM generate_series(1, 100) i;
SELECT count(*) FROM (SELECT id FROM b3 ORDER BY v <~> '010' LIMIT 100) s;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM b3 ORDER BY v <~> '010' LIMIT 100;
SELECT count(*) FROM (SELECT id FROM b3 ORDER BY v <~> '010' LIMIT 100) s;
-- The 50 nearest: the 13 rows at distance 0 and the 37 at distance 1, in order.
SELECT d, count(*), bool_and(in_order) AS in_order FROM (
  SELECT d, d >= coalesce(lag(d) OVER (), 0) AS in_order
  FROM (SELECT v <~> '010' d FROM b3 ORDER BY v <~> '010' LIMIT 50) s) s GROUP BY d ORDER BY d;
DROP TABLE b3;

-- vector rows, flat and SQ8 lists: the index returns the exact 100 nearest rows in exact order.
CREATE TABLE t (id int, v vector(3));
CREATE INDEX t_flat ON t USING ivfflat (v) WITH (lists = 50);
CREATE INDEX t_sq8 ON t USING ivf (v) WITH (lists = 50, quantizer = 'sq8');
INSERT INTO t SELECT i, ARRAY[(i * 7919 % 1000) / 1000.0, (i * 104729 % 997) / 997.0, (i % 101) / 101.0]
  FROM generate_series(1, 1000) i;
CREATE FUNCTION same_as_exact(q vector) RETURNS TABLE (rows bigint, same_place bigint) LANGUAGE sql AS $$
  WITH idx AS (SELECT row_number() OVER () n, id FROM (SELECT id FROM t ORDER BY v <-> q LIMIT 100) s),
       exact AS (SELECT n, id FROM (SELECT row_number() OVER (ORDER BY l2_distance(v, q), id) n, id FROM t) e
                 WHERE n <= 100)
  SELECT count(*), count(*) FILTER (WHERE idx.id = exact.id) FROM idx JOIN exact USING (n)
$$;
SET enable_seqscan = off;
BEGIN;
DROP INDEX t_flat;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 100;
SELECT * FROM same_as_exact('[0.5,0.5,0.5]');
SELECT * FROM same_as_exact('[0,1,0]');
ROLLBACK;
DROP INDEX t_sq8;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 100;
SELECT * FROM same_as_exact('[0.5,0.5,0.5]');
SELECT * FROM same_as_exact('[0,1,0]');
-- Built on fewer rows than lists: untrained too, until REINDEX with enough rows.
DROP INDEX t_flat;
CREATE INDEX t_flat ON t USING ivfflat (v) WITH (lists = 1500);
SELECT * FROM same_as_exact('[0.5,0.5,0.5]');
ALTER INDEX t_flat SET (lists = 100);
REINDEX INDEX t_flat;
SET ivfflat.probes = 1;
SET ivfflat.max_probes = 1;
SELECT rows < 100 AS probes_one_list FROM same_as_exact('[0.5,0.5,0.5]');
RESET ivfflat.probes;
RESET ivfflat.max_probes;
DROP TABLE t;
DROP FUNCTION same_as_exact;
RESET enable_seqscan;
