-- Issue 17, first slice: filter columns in hnsw indexes. The columns after the vector column are
-- stored in every element and the scan evaluates the quals on them while it walks the graph.
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
CREATE INDEX mc_idx ON mc USING hnsw (embedding vector_l2_ops, s, c, big, flag, d, ts, tz);
SELECT opc.opcname FROM pg_index i, unnest(i.indclass) WITH ORDINALITY k(cls, n), pg_opclass opc
	WHERE i.indexrelid = 'mc_idx'::regclass AND opc.oid = k.cls ORDER BY k.n;
CREATE INDEX ON mc USING hnsw (c, embedding vector_l2_ops);
CREATE INDEX ON mc USING hnsw (embedding vector_l2_ops, embedding vector_cosine_ops);
CREATE INDEX ON mc USING hnsw (c);
CREATE TABLE mc_numeric (embedding vector(3), name numeric);
CREATE INDEX ON mc_numeric USING hnsw (embedding vector_l2_ops, name);
DROP TABLE mc_numeric;
DO $$ BEGIN
	CREATE INDEX ON mc USING hnsw (c, embedding vector_l2_ops);
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'filter column first: SQLSTATE %', SQLSTATE; END $$;
DO $$ BEGIN
	CREATE INDEX ON mc USING hnsw (embedding vector_l2_ops, embedding vector_l2_ops);
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'vector column later: SQLSTATE %', SQLSTATE; END $$;

-- The quals are index conditions, checked exactly by the index (no Filter line, no recheck).
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM mc WHERE c = 3 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM mc WHERE big >= 2 AND flag = true AND tz < '2024-01-10'
	ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
-- (cross-type integer comparisons too: bigint = integer, smallint < bigint)
EXPLAIN (COSTS OFF) SELECT id FROM mc WHERE big = 2 AND s < 5::int8 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
RESET enable_seqscan;

-- Results equal the exact answer: with ef_search above the row count the walk is exhaustive.
-- (Distinct vectors: no ties.)
CREATE FUNCTION mc_compare(qual text, q text, k int DEFAULT 10) RETURNS text LANGUAGE plpgsql AS $$
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
		CASE WHEN plan LIKE '%mc_idx%' THEN '' ELSE ' (index not used)' END);
END $$;
SET hnsw.ef_search = 500;
CREATE TEMP TABLE mc_quals (n serial, qual text);
INSERT INTO mc_quals (qual) VALUES
	('s = 1'), ('s < 1'), ('s >= 2'),
	('c = 3'), ('c <> 3 AND c = 4'), ('c <= 2'), ('c > 8'), ('c > 100'),
	('big = 0'), ('big = 0::int2'), ('big < -2'), ('big >= 3::int8'),
	('flag = true'), ('flag = false'),
	('d = ''2024-01-07'''), ('d < ''2024-01-03'''), ('d >= ''2024-01-29'''),
	('ts >= ''2024-01-10'' AND ts < ''2024-01-12'''), ('ts > ''2024-01-16 12:00'''),
	('tz <= ''2024-01-05 00:00+00'''), ('tz > ''2024-01-20 00:00+00'''),
	('c = 3 AND flag = true AND big > 0'), ('s = 0 AND d = ''2024-01-10'''),
	('c = 5 AND c = 6');
-- The walk (vector.hnsw_filter_strategy = auto would choose the exact filtered scan on a table
-- this small), then the exact filtered scan (hnsw_exact_scan.cpp).
SET vector.hnsw_filter_strategy = walk;
SELECT qual, mc_compare(qual, '[0.3,0.7,0.2]') FROM mc_quals ORDER BY n;
SET vector.hnsw_filter_strategy = exact;
SELECT qual, mc_compare(qual, '[0.3,0.7,0.2]') FROM mc_quals ORDER BY n;
RESET vector.hnsw_filter_strategy;

-- NULLs never match a comparison; a comparison with NULL matches nothing.
SELECT count(*) AS null_c FROM mc WHERE c IS NULL;
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM mc WHERE c >= 0 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 500) s;
SELECT count(*) FROM mc WHERE c >= 0;
PREPARE mc_param(int) AS SELECT id FROM mc WHERE c = $1 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
SET plan_cache_mode = force_generic_plan;
EXECUTE mc_param(NULL);
RESET plan_cache_mode;
DEALLOCATE mc_param;
RESET enable_seqscan;

-- Every round of an iterative scan returns matching rows only, until LIMIT rows (ef_search 10,
-- a filter that keeps 1 row in 10, LIMIT 30).
SET hnsw.ef_search = 10;
SET enable_seqscan = off;
SET hnsw.iterative_scan = strict_order;
SELECT count(*), bool_and(c = 7) FROM (SELECT id, c FROM mc WHERE c = 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 30) s;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), bool_and(c = 7) FROM (SELECT id, c FROM mc WHERE c = 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 30) s;
SET hnsw.iterative_scan = off;
SELECT count(*), bool_and(c = 7) FROM (SELECT id, c FROM mc WHERE c = 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 30) s;
RESET hnsw.iterative_scan;
RESET enable_seqscan;

-- Identical vectors with different filter values are elements of their own; with the same
-- values they share one.
INSERT INTO mc (id, embedding, c) VALUES (1001, '[0.25,0.25,0.25]', 1), (1002, '[0.25,0.25,0.25]', 2),
	(1003, '[0.25,0.25,0.25]', 2), (1004, '[0.25,0.25,0.25]', NULL);
SET enable_seqscan = off;
SELECT c, array(SELECT id FROM mc WHERE mc.c = v.c ORDER BY embedding <-> '[0.25,0.25,0.25]', id LIMIT 2) AS ids
	FROM (VALUES (1), (2)) v(c);
RESET enable_seqscan;
SELECT elements, dead_tuples FROM vector_index_stats('mc_idx');
REINDEX INDEX mc_idx;
SELECT elements, dead_tuples FROM vector_index_stats('mc_idx');
SELECT mc_compare('c = 2', '[0.25,0.25,0.25]');

-- Inserts, deletes, VACUUM: still exact, and the checker finds nothing wrong.
INSERT INTO mc SELECT i, ARRAY[cos(i) * 0.5 + 0.5, sin(i * 1.3) * 0.5 + 0.5, (i % 89) / 89.0]::real[]::vector,
	(i % 3)::int2, i % 10, (i % 7)::int8 - 3, i % 2 = 0, date '2024-01-01' + i % 30,
	timestamp '2024-01-01' + i * interval '1 hour', timestamptz '2024-01-01 00:00+00' + i * interval '90 minutes'
	FROM generate_series(2001, 2200) i;
DELETE FROM mc WHERE id % 5 = 0;
VACUUM mc;
SELECT qual, mc_compare(qual, '[0.6,0.4,0.9]') FROM (VALUES ('c = 3'), ('big < 0 AND flag = false'),
	('tz >= ''2024-01-15 00:00+00''')) v(qual);
SELECT severity, problem FROM vector_index_check('mc_idx') WHERE severity <> 'info';
SELECT count(*) AS problems FROM vector_index_check('mc_idx') WHERE severity = 'error';
DROP TABLE mc;
DROP FUNCTION mc_compare;

-- The planner: a multicolumn index whose columns the quals match is preferred to the
-- one-column index; an extremely selective filter still goes to the btree and a sort.
CREATE TABLE mcp (i int PRIMARY KEY, label int, v vector(3));
INSERT INTO mcp SELECT i, CASE WHEN i % 1000 = 7 THEN 1000 WHEN i % 100 = 3 THEN 100 WHEN i % 10 = 1 THEN 10
	WHEN i % 2 = 0 THEN 2 ELSE 0 END,
	ARRAY[sin(i) * 0.5 + 0.5, cos(i * 1.7) * 0.5 + 0.5, (i % 97) / 97.0]::real[]::vector
	FROM generate_series(1, 20000) i;
CREATE INDEX mcp_label ON mcp (label);
CREATE INDEX mcp_v ON mcp USING hnsw (v vector_l2_ops);
CREATE INDEX mcp_v_label ON mcp USING hnsw (v vector_l2_ops, label);
ANALYZE mcp;
EXPLAIN (COSTS OFF) SELECT i FROM mcp WHERE label = 2 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT i FROM mcp WHERE label = 10 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT i FROM mcp WHERE label = 100 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT i FROM mcp WHERE label = 1000 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 10;
SELECT array(SELECT i FROM mcp WHERE label = 100 ORDER BY v <-> '[0.5,0.5,0.5]' LIMIT 10)
     = array(SELECT i FROM mcp WHERE label = 100 ORDER BY (v <-> '[0.5,0.5,0.5]') + 0 LIMIT 10) AS exact;
DROP TABLE mcp;
