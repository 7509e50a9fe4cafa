-- Issue 14, "costs at higher dimensions": 2,000 rows of 384 and of 1,536 random dimensions with an
-- hnsw index, ANALYZE: ORDER BY v <-> q LIMIT 10 uses the index (an exact scan computes 2,000
-- distances of that size and sorts them; the index computes a few hundred). The query vector comes
-- from a table so that the plans do not print it.
SELECT setseed(0.14);
CREATE TABLE d384 (id int, v vector(384));
INSERT INTO d384 SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 384) WHERE i > 0)::vector
	FROM generate_series(1, 2000) i;
CREATE TABLE q384 AS SELECT v FROM d384 WHERE id = 7;
CREATE INDEX ON d384 USING hnsw (v vector_l2_ops);
ANALYZE d384;
EXPLAIN (COSTS OFF) SELECT id FROM d384 ORDER BY v <-> (SELECT v FROM q384) LIMIT 10;
SELECT count(*) FROM (SELECT id FROM d384 ORDER BY v <-> (SELECT v FROM q384) LIMIT 10) s;
DROP TABLE d384, q384;

CREATE TABLE d1536 (id int, v vector(1536));
INSERT INTO d1536 SELECT i, (SELECT array_agg(random()) FROM generate_series(1, 1536) WHERE i > 0)::vector
	FROM generate_series(1, 2000) i;
CREATE TABLE q1536 AS SELECT v FROM d1536 WHERE id = 7;
CREATE INDEX ON d1536 USING hnsw (v vector_l2_ops);
ANALYZE d1536;
EXPLAIN (COSTS OFF) SELECT id FROM d1536 ORDER BY v <-> (SELECT v FROM q1536) LIMIT 10;
SELECT count(*) FROM (SELECT id FROM d1536 ORDER BY v <-> (SELECT v FROM q1536) LIMIT 10) s;
DROP TABLE d1536, q1536;
