-- Issue 14, "IVF returns nothing for rows that exist": more lists than distinct vectors leaves
-- lists empty (or holding duplicates of a centroid). An ORDER BY ... LIMIT must then return its
-- rows whatever the plan, and an index scan must never come back empty while rows exist: a
-- probe spent on an empty list is not a probe. Every one of the 8 distinct values is a query.
-- bit(3): 100 rows, 8 distinct values, lists = 100, default probes.
CREATE TABLE b3 (id int, v bit(3));
INSERT INTO b3 SELECT i, (i % 8)::bit(3) FROM generate_series(1, 100) i;
CREATE INDEX b3_v ON b3 USING ivfflat (v bit_hamming_ops) WITH (lists = 100);
ANALYZE b3;
-- whatever the plan: LIMIT 100 returns the 100 rows
SELECT q, (SELECT count(*) FROM (SELECT id FROM b3 ORDER BY v <~> q LIMIT 100) s) AS n
FROM unnest('{000,001,010,011,100,101,110,111}'::bit(3)[]) q ORDER BY q;
-- the index scan alone (probes = 1) finds rows for every query
SET enable_seqscan = off;
SELECT q, (SELECT count(*) FROM (SELECT id FROM b3 ORDER BY v <~> q LIMIT 100) s) > 0 AS found
FROM unnest('{000,001,010,011,100,101,110,111}'::bit(3)[]) q ORDER BY q;
RESET enable_seqscan;
DROP TABLE b3;

-- vector and halfvec: 100 rows of 8 distinct vectors, 50 lists; ivfflat and ivf (flat, sq8, pq).
CREATE TABLE v8 (id int, v vector(4), h halfvec(4));
INSERT INTO v8 SELECT i, ARRAY[i % 8, (i % 8) * 0.5, 1, -(i % 8)]::real[]::vector,
	ARRAY[i % 8, (i % 8) * 0.5, 1, -(i % 8)]::real[]::halfvec FROM generate_series(1, 100) i;
ANALYZE v8;
-- rows_back(LABEL, COLUMN): for each of the 8 distinct values as query, the rows that LIMIT 100
-- returns whatever the plan (the least of the 8 counts), and whether the index scan alone
-- returned rows for all 8.
CREATE FUNCTION pg_temp.rows_back(label text, col text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
	least_any bigint := 100;
	all_found boolean := true;
	k int;
BEGIN
	FOR k IN 0..7 LOOP
		EXECUTE format('SELECT count(*) FROM (SELECT id FROM v8 ORDER BY %I <-> (SELECT %I FROM v8 WHERE id = %s) LIMIT 100) s',
			col, col, k + 8) INTO n;
		least_any := least(least_any, n);
	END LOOP;
	SET LOCAL enable_seqscan = off;
	FOR k IN 0..7 LOOP
		EXECUTE format('SELECT count(*) FROM (SELECT id FROM v8 ORDER BY %I <-> (SELECT %I FROM v8 WHERE id = %s) LIMIT 100) s',
			col, col, k + 8) INTO n;
		all_found := all_found AND n > 0;
	END LOOP;
	RETURN format('%s: at least %s rows; the index scan found rows for every query: %s', label, least_any, all_found);
END $$;
CREATE INDEX v8_idx ON v8 USING ivfflat (v vector_l2_ops) WITH (lists = 50);
SELECT pg_temp.rows_back('ivfflat vector', 'v');
DROP INDEX v8_idx;
CREATE INDEX v8_idx ON v8 USING ivfflat (h halfvec_l2_ops) WITH (lists = 50);
SELECT pg_temp.rows_back('ivfflat halfvec', 'h');
DROP INDEX v8_idx;
CREATE INDEX v8_idx ON v8 USING ivf (v vector_l2_ops) WITH (lists = 50);
SELECT pg_temp.rows_back('ivf flat', 'v');
DROP INDEX v8_idx;
CREATE INDEX v8_idx ON v8 USING ivf (v vector_l2_ops) WITH (lists = 50, quantizer = 'sq8');
SELECT pg_temp.rows_back('ivf sq8', 'v');
DROP INDEX v8_idx;
CREATE INDEX v8_idx ON v8 USING ivf (v vector_l2_ops) WITH (lists = 50, quantizer = 'pq', pq_m = 2);
SELECT pg_temp.rows_back('ivf pq', 'v');
DROP INDEX v8_idx;
DROP TABLE v8;
