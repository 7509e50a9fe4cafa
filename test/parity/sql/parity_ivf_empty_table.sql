-- Issue 14, "IVF returns nothing for rows that exist", the part still pending: an ivfflat index
-- built on the empty table has 100 random centroids; the 100 rows inserted afterwards (8
-- distinct values, no ANALYZE) fill 8 of its lists. The planner chooses the index and
-- probes = 1 reads the nearest non-empty list: 13 rows (pgvector 0.8.6 plans the same and also
-- returns 13). Returning the 100 rows needs the planner (or the scan) to know that the
-- centroids are untrained; see README.md.
-- The same when the index was built on the empty table and the rows came after (no ANALYZE):
-- whatever the plan, 100 rows.
CREATE TABLE b3 (id int, v bit(3));
CREATE INDEX b3_v ON b3 USING ivfflat (v bit_hamming_ops) WITH (lists = 100);
INSERT INTO b3 SELECT i, (i % 8)::bit(3) FROM generate_series(1, 100) i;
SELECT count(*) FROM (SELECT id FROM b3 ORDER BY v <~> '010' LIMIT 100) s;
DROP TABLE b3;

