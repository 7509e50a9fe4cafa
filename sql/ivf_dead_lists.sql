-- Issue 14, "IVF returns nothing for rows that exist", after DELETE: two clusters far apart and
-- two lists, one list per cluster; the query is the near cluster's vector and probes stays 1.
-- Once the near cluster's rows are deleted, its list holds only dead rows (before VACUUM), then
-- nothing (after VACUUM): an index scan must still return the far cluster's 50 rows rather
-- than nothing. (Before the DELETE, LIMIT 100 gets all 100 rows: when the near list runs out
-- the scan reads on into the far one, as any scan does while the executor wants rows.)
-- Every element type and access method: vector, halfvec and bit; ivfflat and
-- ivf (flat, sq8, pq).
SET enable_seqscan = off;
SET enable_bitmapscan = off;
-- setup(TYPE, NEAR, FAR, USING): table dl of 50 rows at NEAR (even ids) and 50 at FAR (odd
-- ids), its index, and near(): how many rows ORDER BY distance to NEAR LIMIT 100 returns, and
-- from which cluster.
CREATE FUNCTION pg_temp.setup(typ text, near text, far text, using_ text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('CREATE TABLE dl (id int, v %s) WITH (autovacuum_enabled = off)', typ);
	EXECUTE format('INSERT INTO dl SELECT i, (CASE WHEN i %% 2 = 0 THEN %L ELSE %L END)::%s FROM generate_series(1, 100) i',
		near, far, typ);
	EXECUTE format('CREATE INDEX dl_v ON dl USING %s', using_);
	EXECUTE format('CREATE FUNCTION pg_temp.near() RETURNS text LANGUAGE sql AS %L',
		format('SELECT count(*) || '' rows, cluster '' || CASE WHEN count(*) = 0 THEN ''none'' '
			'WHEN bool_and(id %% 2 = 0) THEN ''near'' WHEN bool_and(id %% 2 = 1) THEN ''far'' ELSE ''both'' END '
			'FROM (SELECT id FROM dl ORDER BY v %s %L::%s LIMIT 100) s',
			CASE WHEN typ LIKE 'bit%' THEN '<~>' ELSE '<->' END, near, typ));
END $$;

SELECT pg_temp.setup('vector(3)', '[0,0,0]', '[100,100,100]', 'ivfflat (v vector_l2_ops) WITH (lists = 2)');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

SELECT pg_temp.setup('halfvec(3)', '[0,0,0]', '[100,100,100]', 'ivfflat (v halfvec_l2_ops) WITH (lists = 2)');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

SELECT pg_temp.setup('bit(8)', '00000000', '11111111', 'ivfflat (v bit_hamming_ops) WITH (lists = 2)');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

SELECT pg_temp.setup('vector(4)', '[0,0,0,0]', '[100,100,100,100]', 'ivf (v vector_l2_ops) WITH (lists = 2)');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

SELECT pg_temp.setup('vector(4)', '[0,0,0,0]', '[100,100,100,100]', 'ivf (v vector_l2_ops) WITH (lists = 2, quantizer = ''sq8'')');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

SELECT pg_temp.setup('vector(4)', '[0,0,0,0]', '[100,100,100,100]', 'ivf (v vector_l2_ops) WITH (lists = 2, quantizer = ''pq'', pq_m = 2)');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

SELECT pg_temp.setup('halfvec(4)', '[0,0,0,0]', '[100,100,100,100]', 'ivf (v halfvec_l2_ops) WITH (lists = 2, quantizer = ''sq8'')');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

SELECT pg_temp.setup('bit(8)', '00000000', '11111111', 'ivf (v bit_hamming_ops) WITH (lists = 2)');
SELECT pg_temp.near();
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
VACUUM dl;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();

-- Rows deleted by the scan's own transaction, not yet committed: invisible to it, yet not dead
-- to others (so the executor cannot report them as dead to the index). The scan reads on to
-- the far list; after ROLLBACK the near rows are back.
SELECT pg_temp.setup('vector(3)', '[0,0,0]', '[100,100,100]', 'ivfflat (v vector_l2_ops) WITH (lists = 2)');
BEGIN;
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
ROLLBACK;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();
SELECT pg_temp.setup('vector(3)', '[0,0,0]', '[100,100,100]', 'ivf (v vector_l2_ops) WITH (lists = 2, quantizer = ''sq8'')');
BEGIN;
DELETE FROM dl WHERE id % 2 = 0;
SELECT pg_temp.near();
ROLLBACK;
SELECT pg_temp.near();
DROP TABLE dl;
DROP FUNCTION pg_temp.near();
RESET enable_seqscan;
RESET enable_bitmapscan;
