-- Issue 17: filter columns in ivfflat and ivf indexes. The columns after the vector column are
-- stored in every list entry and the scan evaluates the quals on them before an entry's distance.
SET TimeZone = 'UTC';
CREATE TABLE mc (id int PRIMARY KEY, embedding vector(3), s int2, c int4, big int8, flag bool,
	d date, ts timestamp, tz timestamptz);
INSERT INTO mc SELECT i,
	ARRAY[sin(i) * 0.5 + 0.5, cos(i * 1.7) * 0.5 + 0.5, (i % 97) / 97.0]::real[]::vector,
	(i % 3)::int2, CASE WHEN i % 11 = 0 THEN NULL ELSE i % 10 END, (i % 7)::int8 - 3,
	CASE WHEN i % 13 = 0 THEN NULL ELSE i % 2 = 0 END, date '2024-01-01' + i % 30,
	timestamp '2024-01-01' + i * interval '1 hour', timestamptz '2024-01-01 00:00+00' + i * interval '90 minutes'
	FROM generate_series(1, 400) i;

-- DDL and its errors.
CREATE INDEX mc_idx ON mc USING ivfflat (embedding vector_l2_ops, s, c, big, flag, d, ts, tz) WITH (lists = 8);
SELECT opc.opcname, am.amname FROM pg_index i, unnest(i.indclass) WITH ORDINALITY k(cls, n), pg_opclass opc, pg_am am
	WHERE i.indexrelid = 'mc_idx'::regclass AND opc.oid = k.cls AND am.oid = opc.opcmethod ORDER BY k.n;
CREATE INDEX ON mc USING ivfflat (c, embedding vector_l2_ops);
CREATE INDEX ON mc USING ivfflat (embedding vector_l2_ops, embedding vector_cosine_ops);
CREATE INDEX ON mc USING ivf (c);
CREATE TABLE mc_numeric (embedding vector(3), name numeric);
CREATE INDEX ON mc_numeric USING ivfflat (embedding vector_l2_ops, name);
DROP TABLE mc_numeric;
DO $$ BEGIN
	CREATE INDEX ON mc USING ivf (c, embedding vector_l2_ops);
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'filter column first: SQLSTATE %', SQLSTATE; END $$;

-- The quals are index conditions, checked exactly by the index (no Filter line, no recheck).
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM mc WHERE c = 3 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM mc WHERE big >= 2 AND flag = true AND tz < '2024-01-10'
	ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
-- (cross-type integer comparisons too: bigint = integer, smallint < bigint)
EXPLAIN (COSTS OFF) SELECT id FROM mc WHERE big = 2 AND s < 5::int8 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
RESET enable_seqscan;

-- Results equal the exact answer (a sequential scan and a sort) when every list is probed.
-- (Distinct vectors: no ties.)
CREATE FUNCTION mc_compare(idx text, qual text, q text, k int DEFAULT 10) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	by_index int[];
	exact int[];
	plan text := '';
	line text;
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM mc WHERE %s ORDER BY embedding <-> %L LIMIT %s',
		qual, q, k) LOOP
		plan := plan || line;
	END LOOP;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM mc WHERE %s ORDER BY embedding <-> %L LIMIT %s) s',
		qual, q, k) INTO by_index;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM mc WHERE %s ORDER BY embedding <-> %L LIMIT %s) s',
		qual, q, k) INTO exact;
	RETURN format('%s rows, %s%s', coalesce(array_length(by_index, 1), 0),
		CASE WHEN by_index IS NOT DISTINCT FROM exact THEN 'exact' ELSE 'DIFFERENT' END,
		CASE WHEN plan NOT LIKE '%' || idx || '%' THEN ' (index not used)'
			WHEN plan NOT LIKE '%Index Cond%' THEN ' (qual filtered by the executor)' ELSE '' END);
END $$;
SET ivfflat.probes = 8;
SELECT qual, mc_compare('mc_idx', qual, '[0.3,0.7,0.2]') FROM (VALUES
	('s = 1'), ('s < 1'), ('s >= 2'),
	('c = 3'), ('c <> 3 AND c = 4'), ('c <= 2'), ('c > 8'), ('c > 100'),
	('big = 0'), ('big = 0::int2'), ('big < -2'), ('big >= 3::int8'),
	('flag = true'), ('flag = false'),
	('d = ''2024-01-07'''), ('d < ''2024-01-03'''), ('d >= ''2024-01-29'''),
	('ts >= ''2024-01-10'' AND ts < ''2024-01-12'''), ('ts > ''2024-01-16 12:00'''),
	('tz <= ''2024-01-05 00:00+00'''), ('tz > ''2024-01-20 00:00+00'''),
	('c = 3 AND flag = true AND big > 0'), ('s = 0 AND d = ''2024-01-10'''),
	('c = 5 AND c = 6')) v(qual);

-- NULLs never match a comparison; a comparison with NULL matches nothing.
SELECT count(*) AS null_c FROM mc WHERE c IS NULL;
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM mc WHERE c >= 0 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 500) s;
SELECT count(*) FROM mc WHERE c >= 0;
PREPARE mc_param(int) AS SELECT id FROM mc WHERE c = $1 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
SET plan_cache_mode = force_generic_plan;
EXECUTE mc_param(NULL);
EXECUTE mc_param(4);
RESET plan_cache_mode;
DEALLOCATE mc_param;
RESET enable_seqscan;

-- One probe of 8 lists, a filter that keeps 1 row in 10, LIMIT 30: relaxed_order reads more
-- lists until it has 30 matching rows, exactly those of the lists it read, in distance order
-- within each round; off returns rows in distance order only.
SET ivfflat.probes = 1;
SET enable_seqscan = off;
SET ivfflat.iterative_scan = relaxed_order;
SELECT count(*), bool_and(c = 7) FROM (SELECT id, c FROM mc WHERE c = 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 30) s;
SET ivfflat.max_probes = 2;
SELECT count(*) <= 30, bool_and(c = 7) FROM (SELECT id, c FROM mc WHERE c = 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 30) s;
RESET ivfflat.max_probes;
SET ivfflat.iterative_scan = off;
SELECT count(*) > 0, bool_and(c = 7) FROM (SELECT id, c FROM mc WHERE c = 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 30) s;
WITH r AS (SELECT id, embedding <-> '[0.5,0.5,0.5]' AS dist, row_number() OVER () AS n
	FROM (SELECT id, embedding FROM mc WHERE c = 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 30) s)
SELECT bool_and(a.dist <= b.dist) AS in_order FROM r a JOIN r b ON b.n = a.n + 1;
RESET ivfflat.iterative_scan;
RESET enable_seqscan;
RESET ivfflat.probes;

-- Inserts, deletes, VACUUM: still exact, and the checker finds nothing wrong.
INSERT INTO mc SELECT i, ARRAY[cos(i) * 0.5 + 0.5, sin(i * 1.3) * 0.5 + 0.5, (i % 89) / 89.0]::real[]::vector,
	(i % 3)::int2, CASE WHEN i % 17 = 0 THEN NULL ELSE i % 10 END, (i % 7)::int8 - 3, i % 2 = 0,
	date '2024-01-01' + i % 30, timestamp '2024-01-01' + i * interval '1 hour',
	timestamptz '2024-01-01 00:00+00' + i * interval '90 minutes'
	FROM generate_series(2001, 2200) i;
DELETE FROM mc WHERE id % 5 = 0;
VACUUM mc;
SET ivfflat.probes = 8;
SELECT qual, mc_compare('mc_idx', qual, '[0.6,0.4,0.9]') FROM (VALUES ('c = 3'), ('big < 0 AND flag = false'),
	('tz >= ''2024-01-15 00:00+00''')) v(qual);
SELECT severity, problem FROM vector_index_check('mc_idx') WHERE severity <> 'info';
SELECT count(*) AS problems FROM vector_index_check('mc_idx') WHERE severity = 'error';

-- ivf with quantized lists: the same quals (sq8 and pq re-rank the matching rows exactly).
DROP INDEX mc_idx;
CREATE INDEX mc_sq8 ON mc USING ivf (embedding vector_l2_ops, c, flag) WITH (lists = 4, quantizer = 'sq8');
SET vector.ivf_rerank = 1000;
SELECT qual, mc_compare('mc_sq8', qual, '[0.3,0.7,0.2]') FROM (VALUES ('c = 3'), ('c > 7 AND flag = false'),
	('c = 5 AND c = 6')) v(qual);
SELECT count(*) AS problems FROM vector_index_check('mc_sq8') WHERE severity = 'error';
DROP INDEX mc_sq8;
CREATE INDEX mc_pq ON mc USING ivf (embedding vector_l2_ops, c) WITH (lists = 4, quantizer = 'pq', pq_m = 1);
SELECT qual, mc_compare('mc_pq', qual, '[0.3,0.7,0.2]') FROM (VALUES ('c = 3'), ('c < 2')) v(qual);
SELECT count(*) AS problems FROM vector_index_check('mc_pq') WHERE severity = 'error';
DROP INDEX mc_pq;
CREATE INDEX mc_rq ON mc USING ivf (embedding vector_l2_ops, c, flag) WITH (lists = 4, quantizer = 'rabitq');
RESET vector.ivf_rerank;
SELECT qual, mc_compare('mc_rq', qual, '[0.3,0.7,0.2]') FROM (VALUES ('c = 3'), ('c > 7 AND flag = false'),
	('c < 2')) v(qual);
SELECT count(*) AS problems FROM vector_index_check('mc_rq') WHERE severity = 'error';
RESET ivfflat.probes;
DROP TABLE mc;
DROP FUNCTION mc_compare;

-- The planner: with a filter on the index's column the multicolumn index is preferred to the
-- one-column index once the entries its first round rejects outweigh its larger entries (here
-- from 1 row in 100 on; at 1 in 2 and 1 in 10, the one-column index and an executor filter);
-- without a filter, the one-column index.
CREATE TABLE mcp (i int PRIMARY KEY, label int, v vector(32));
INSERT INTO mcp SELECT i, CASE WHEN i % 1000 = 7 THEN 1000 WHEN i % 100 = 3 THEN 100 WHEN i % 10 = 1 THEN 10
	WHEN i % 2 = 0 THEN 2 ELSE 0 END,
	(SELECT array_agg(sin(i * k + k) * 0.5 + 0.5) FROM generate_series(1, 32) k)::real[]::vector
	FROM generate_series(1, 20000) i;
CREATE INDEX mcp_v ON mcp USING ivfflat (v vector_l2_ops) WITH (lists = 50);
CREATE INDEX mcp_v_label ON mcp USING ivfflat (v vector_l2_ops, label) WITH (lists = 50);
ANALYZE mcp;
EXPLAIN (COSTS OFF) SELECT i FROM mcp WHERE label = 2 ORDER BY v <-> (SELECT v FROM mcp WHERE i = 5) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT i FROM mcp WHERE label = 100 ORDER BY v <-> (SELECT v FROM mcp WHERE i = 5) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT i FROM mcp ORDER BY v <-> (SELECT v FROM mcp WHERE i = 5) LIMIT 10;
SET ivfflat.probes = 50;
SELECT array(SELECT i FROM mcp WHERE label = 100 ORDER BY v <-> (SELECT v FROM mcp WHERE i = 5) LIMIT 10)
     = array(SELECT i FROM mcp WHERE label = 100 ORDER BY (v <-> (SELECT v FROM mcp WHERE i = 5)) + 0 LIMIT 10) AS exact;
RESET ivfflat.probes;
DROP TABLE mcp;
