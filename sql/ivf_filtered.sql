-- Issue 14, "a filtered query returns too few rows", for IVF: 10,000 rows, c = i % 100 (1% per
-- value), an ivfflat index of 50 lists, ivfflat.probes = 1, ANALYZE. The probed list holds about
-- 200 rows, a few of them (or none) with c = 42, so the index cannot give WHERE c = 42 ... LIMIT 20 its rows
-- with iterative scans off: the plan is the exact one, and the query returns its 20 exact rows.
-- Without a filter, or with one that keeps 99% of the rows, the index is the plan.
CREATE TABLE fli (i int PRIMARY KEY, c int, v vector(3));
INSERT INTO fli SELECT i, i % 100, ARRAY[sin(i) * 0.5 + 0.5, cos(i * 1.7) * 0.5 + 0.5, (i % 97) / 97.0]::real[]::vector
	FROM generate_series(1, 10000) i;
CREATE INDEX fli_v ON fli USING ivfflat (v vector_l2_ops) WITH (lists = 50);
ANALYZE fli;
SHOW ivfflat.iterative_scan;

EXPLAIN (COSTS OFF) SELECT i FROM fli WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20;
SELECT count(*) FROM (SELECT i FROM fli WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
SELECT array(SELECT i FROM fli WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20)
     = array(SELECT i FROM fli WHERE c = 42 ORDER BY (v <-> '[0.5,0.5,0.5]') + 0 LIMIT 20) AS exact;

EXPLAIN (COSTS OFF) SELECT i FROM fli ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20;
EXPLAIN (COSTS OFF) SELECT i FROM fli WHERE c <> 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20;
SELECT count(*) FROM (SELECT i FROM fli WHERE c <> 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;

-- Forced through the index, off mode goes on to more lists when the filter rejected rows (more
-- rows than the probed list's few), in distance order; relaxed_order returns all 20.
SET enable_seqscan = off;
SELECT count(*) > 2 AS more_than_one_list
FROM (SELECT i FROM fli WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
SELECT bool_and(d >= p) AS in_order
FROM (SELECT d, lag(d) OVER (ORDER BY n) AS p
      FROM unnest(array(SELECT v <-> '[0.5,0.5,0.5]' FROM fli WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20))
           WITH ORDINALITY AS t(d, n)) s;
-- ivfflat.max_probes caps the rounds: the query gets the matching rows of the one list read (the
-- rows an unfiltered scan of that list returns; with c < 5 about 10 of its 200), fewer than 20.
SET ivfflat.max_probes = 1;
WITH filtered AS (SELECT i FROM fli WHERE c < 5 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20),
     list AS (SELECT i, c FROM fli ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 10000)
SELECT array(SELECT i FROM filtered ORDER BY i) = array(SELECT i FROM list WHERE c < 5 ORDER BY i) AS the_list_rows,
       (SELECT count(*) FROM filtered) BETWEEN 1 AND 19 AS fewer_than_limit,
       (SELECT count(*) FROM list) < 10000 AS one_list;
RESET ivfflat.max_probes;
SET ivfflat.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT i FROM fli WHERE c = 42 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 20) s;
RESET ivfflat.iterative_scan;
RESET enable_seqscan;
DROP TABLE fli;

-- Off mode forced through the index goes on past ivfflat.probes lists while the executor asks
-- for rows, in strict distance order: four clusters 10 apart on a line, one list each, 5 rows of
-- each with c = 7. The query at the first cluster gets its 5 rows, then the second cluster's 5,
-- then 2 of the third: its 12 exact rows in exact order (pgvector 0.8.6 stops after the probed
-- list: 5 rows).
CREATE TABLE fl4 (i int PRIMARY KEY, c int, v vector(3));
INSERT INTO fl4 SELECT i, (i / 4) % 50,
    ARRAY[10 * (i % 4) + 0.4 * sin(i), 0.4 * cos(i * 1.3), 0.4 * sin(i * 0.7)]::real[]::vector
  FROM generate_series(0, 999) i;
CREATE INDEX fl4_v ON fl4 USING ivfflat (v vector_l2_ops) WITH (lists = 4);
ANALYZE fl4;
SET enable_seqscan = off;
SHOW ivfflat.iterative_scan;
EXPLAIN (COSTS OFF) SELECT i FROM fl4 WHERE c = 7 ORDER BY v <-> '[0,0,0]' LIMIT 12;
SELECT i, round((v <-> '[0,0,0]')::numeric, 3) AS d FROM fl4 WHERE c = 7 ORDER BY v <-> '[0,0,0]' LIMIT 12;
SELECT array(SELECT i FROM fl4 WHERE c = 7 ORDER BY v <-> '[0,0,0]' LIMIT 12)
     = array(SELECT i FROM fl4 WHERE c = 7 ORDER BY l2_distance(v, '[0,0,0]') LIMIT 12) AS exact;
RESET enable_seqscan;
DROP TABLE fl4;

-- Off mode leaves out the rows of a further round closer than the last row returned, so it reads
-- as many lists per round as before it (1, 1, 2, ...): rows of lists read together come out
-- merged. Four clusters, one list each, 5 rows each with c = 7: around the query, at 5, along y
-- from 8 to 12 (centroid 10), and tight at 10.5 (its rows within the third cluster's span). The
-- third and fourth lists are read in one round, so LIMIT 20 gets all 20 rows in exact order
-- (15 when they were read one by one, the fourth list's rows all closer than the third's last;
-- pgvector 0.8.6: 5).
CREATE TABLE fl5 (i int PRIMARY KEY, c int, v vector(3));
INSERT INTO fl5 SELECT i, (i / 4) % 50, CASE i % 4
    WHEN 0 THEN ARRAY[0.4 * sin(i), 0.4 * cos(i * 1.3), 0.4 * sin(i * 0.7)]
    WHEN 1 THEN ARRAY[5 + 0.3 * sin(i), 0.3 * cos(i * 1.3), 0.3 * sin(i * 0.7)]
    WHEN 2 THEN ARRAY[0.1 * sin(i), 8 + 4 * ((i / 4) % 250) / 249.0, 0]
    ELSE ARRAY[0.2 * sin(i), 0.2 * cos(i * 1.3), 10.5 + 0.2 * sin(i * 0.7)] END::real[]::vector
  FROM generate_series(0, 999) i;
CREATE INDEX fl5_v ON fl5 USING ivfflat (v vector_l2_ops) WITH (lists = 4);
ANALYZE fl5;
SET enable_seqscan = off;
SELECT i, i % 4 AS cluster, round((v <-> '[0,0,0]')::numeric, 3) AS d
FROM fl5 WHERE c = 7 ORDER BY v <-> '[0,0,0]' LIMIT 20;
SELECT array(SELECT i FROM fl5 WHERE c = 7 ORDER BY v <-> '[0,0,0]' LIMIT 20)
     = array(SELECT i FROM fl5 WHERE c = 7 ORDER BY l2_distance(v, '[0,0,0]') LIMIT 20) AS exact;
RESET enable_seqscan;
DROP TABLE fl5;
