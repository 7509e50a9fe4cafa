-- Issue 17: text and integer-array filter columns (tags) in hnsw, ivfflat and ivf indexes. A text
-- column stores a hash of its value, an integer array a 64-bit signature of its elements; the
-- scan rejects what they rule out and the executor rechecks the rest, so the results are exact.
CREATE TABLE ft (id int PRIMARY KEY, embedding vector(3), tags int[], name text, big int8[], small int2[], c int);
INSERT INTO ft SELECT i,
	ARRAY[sin(i) * 0.5 + 0.5, cos(i * 1.7) * 0.5 + 0.5, (i % 97) / 97.0]::real[]::vector,
	CASE WHEN i % 17 = 0 THEN NULL WHEN i % 19 = 0 THEN '{}' WHEN i % 23 = 0 THEN ARRAY[NULL, i % 5]
		ELSE ARRAY[i % 5, 10 + i % 3] END,
	CASE WHEN i % 13 = 0 THEN NULL ELSE 'n' || (i % 20) END,
	ARRAY[(i % 4)::int8, (i % 4)::int8 + 4000000000],
	ARRAY[(i % 6)::int2],
	i % 10
	FROM generate_series(1, 600) i;
-- Rows whose signatures have most bits set: they pass a signature test for nearly any value, so
-- the recheck has work to do. (Distinct distances to the first query: no ties.)
INSERT INTO ft SELECT 1000 + i, ARRAY[0.3 + i / 7.0, 0.5, 0.5]::real[]::vector, ARRAY(SELECT generate_series(100, 160)),
	'many', ARRAY(SELECT generate_series(100, 160)::int8), ARRAY(SELECT generate_series(100, 160)::int2), 0
	FROM generate_series(1, 10) i;

-- DDL: the default operator classes, and the types that are not filter columns.
CREATE INDEX ft_hnsw ON ft USING hnsw (embedding vector_l2_ops, tags, name, big, small, c);
SELECT opc.opcname FROM pg_index i, unnest(i.indclass) WITH ORDINALITY k(cls, n), pg_opclass opc
	WHERE i.indexrelid = 'ft_hnsw'::regclass AND opc.oid = k.cls ORDER BY k.n;
CREATE TABLE ft_bad (embedding vector(3), r real[], t text[], n numeric);
DO $$ BEGIN
	CREATE INDEX ON ft_bad USING hnsw (embedding vector_l2_ops, r);
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'real[]: SQLSTATE %: %', SQLSTATE, SQLERRM; END $$;
DO $$ BEGIN
	CREATE INDEX ON ft_bad USING ivfflat (embedding vector_l2_ops, t);
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'text[]: SQLSTATE %: %', SQLSTATE, SQLERRM; END $$;
DO $$ BEGIN
	CREATE INDEX ON ft_bad USING hnsw (t, embedding vector_l2_ops);
EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'array first: SQLSTATE %', SQLSTATE; END $$;
DROP TABLE ft_bad;

-- The quals are index conditions (the executor rechecks the rows the index returns).
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM ft WHERE tags && '{3}' AND name = 'n3' ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM ft WHERE big @> '{2}' AND small <@ '{1,2}' ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
RESET enable_seqscan;

-- The index's answer against the exact one: with ef_search above the row count (and every list
-- probed) the scan is exhaustive. (Distinct vectors: no ties.)
CREATE FUNCTION ft_compare(idx text, qual text, q text, k int DEFAULT 10) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	by_index int[];
	exact int[];
	plan text := '';
	line text;
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_bitmapscan = off;
	SET LOCAL enable_indexscan = on;
	FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM ft WHERE %s ORDER BY embedding <-> %L LIMIT %s',
		qual, q, k) LOOP
		plan := plan || line;
	END LOOP;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ft WHERE %s ORDER BY embedding <-> %L LIMIT %s) s',
		qual, q, k) INTO by_index;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM ft WHERE %s ORDER BY embedding <-> %L LIMIT %s) s',
		qual, q, k) INTO exact;
	RETURN format('%s rows, %s%s', coalesce(array_length(by_index, 1), 0),
		CASE WHEN by_index IS NOT DISTINCT FROM exact THEN 'exact' ELSE 'DIFFERENT' END,
		CASE WHEN plan LIKE '%' || idx || '%' THEN '' ELSE ' (index not used)' END);
END $$;
CREATE TABLE ft_quals (n int, qual text);
INSERT INTO ft_quals VALUES
	(1, 'tags && ''{3}'''), (2, 'tags && ''{3,11}'''), (3, 'tags @> ''{1,12}'''), (4, 'tags <@ ''{0,1,10,11}'''),
	(5, 'tags = ''{0,11}'''), (6, 'tags && ''{}'''), (7, 'tags @> ''{}'''), (8, 'tags <@ ''{}'''),
	(9, 'tags && ''{130}'''), (10, 'tags @> ''{100,160}'''), (11, 'tags && ''{999}'''), (12, 'tags @> ''{NULL}'''),
	(13, 'name = ''n3'''), (14, 'name = ''many'''), (15, 'name = ''nope'''), (16, 'name = '''''),
	(17, 'big && ''{4000000002}'''), (18, 'big @> ''{1,4000000001}'''), (19, 'small <@ ''{0,1,2}'''),
	(20, 'tags && ''{2}'' AND name = ''n7'' AND c < 8'), (21, 'small && ''{5}'' AND big && ''{1}''');
SET hnsw.ef_search = 1000;
SELECT n, qual, ft_compare('ft_hnsw', qual, '[0.3,0.7,0.2]', 15) FROM ft_quals ORDER BY n;

-- ivfflat and ivf (flat and sq8): the same quals.
DROP INDEX ft_hnsw;
CREATE INDEX ft_ivfflat ON ft USING ivfflat (embedding vector_l2_ops, tags, name, big, small, c) WITH (lists = 4);
SET ivfflat.probes = 4;
SELECT n, ft_compare('ft_ivfflat', qual, '[0.3,0.7,0.2]', 15) FROM ft_quals ORDER BY n;
DROP INDEX ft_ivfflat;
CREATE INDEX ft_ivf ON ft USING ivf (embedding vector_l2_ops, tags, name, big, small, c) WITH (lists = 4, quantizer = 'sq8');
SELECT n, ft_compare('ft_ivf', qual, '[0.3,0.7,0.2]', 15) FROM ft_quals ORDER BY n;
DROP INDEX ft_ivf;

-- An iterative hnsw scan with a small ef_search goes on until LIMIT rows pass the recheck.
CREATE INDEX ft_hnsw ON ft USING hnsw (embedding vector_l2_ops, tags, name, big, small, c);
SET hnsw.ef_search = 10;
SET enable_seqscan = off;
SET hnsw.iterative_scan = strict_order;
SELECT count(*), bool_and(tags && '{4}') FROM (SELECT tags FROM ft WHERE tags && '{4}' ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 40) s;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*), bool_and(name = 'n4') FROM (SELECT name FROM ft WHERE name = 'n4' ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 25) s;
RESET hnsw.iterative_scan;
RESET enable_seqscan;

-- Inserts, deletes, VACUUM: still exact, and the checker finds nothing wrong.
INSERT INTO ft SELECT i, ARRAY[cos(i) * 0.5 + 0.5, sin(i * 1.3) * 0.5 + 0.5, (i % 89) / 89.0]::real[]::vector,
	ARRAY[i % 5, 20 + i % 4], 'm' || (i % 5), ARRAY[(i % 3)::int8], ARRAY[(i % 2)::int2], i % 10
	FROM generate_series(2001, 2200) i;
DELETE FROM ft WHERE id % 5 = 0;
VACUUM ft;
SET hnsw.ef_search = 1000;
SELECT qual, ft_compare('ft_hnsw', qual, '[0.6,0.4,0.9]') FROM (VALUES ('tags && ''{21}'''), ('tags @> ''{3}'''),
	('name = ''m2'''), ('name = ''n2''')) v(qual);
SELECT count(*) AS problems FROM vector_index_check('ft_hnsw') WHERE severity = 'error';
CREATE INDEX ft_ivfflat ON ft USING ivfflat (embedding vector_l2_ops, tags, name) WITH (lists = 4);
INSERT INTO ft VALUES (3001, '[0.6,0.4,0.9]', '{77}', 'late', NULL, NULL, 1);
SELECT qual, ft_compare('ft_ivfflat', qual, '[0.6,0.4,0.9]') FROM (VALUES ('tags && ''{77}'''), ('name = ''late''')) v(qual);
SELECT count(*) AS problems FROM vector_index_check('ft_ivfflat') WHERE severity = 'error';
DROP TABLE ft, ft_quals;
DROP FUNCTION ft_compare;

-- The checker compares the filter values the index holds with the table's: an index over a
-- function that lies about being immutable goes stale when the function changes. (A new session
-- after each change: a session keeps the index expressions it has read.)
CREATE TABLE fs (id int, embedding vector(2));
INSERT INTO fs SELECT i, ARRAY[i, i % 7]::real[]::vector FROM generate_series(1, 300) i;
CREATE FUNCTION fs_tag(int) RETURNS int[] IMMUTABLE LANGUAGE sql AS 'SELECT ARRAY[$1 % 3]';
CREATE FUNCTION fs_name(int) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT ''n'' || $1 % 3';
CREATE INDEX fs_hnsw ON fs USING hnsw (embedding vector_l2_ops, (fs_tag(id)), (fs_name(id)));
CREATE INDEX fs_ivf ON fs USING ivfflat (embedding vector_l2_ops, (fs_tag(id)), (fs_name(id))) WITH (lists = 2);
SELECT i, substring(detail from ', \d+ table rows checked.*') FROM unnest(ARRAY['fs_hnsw', 'fs_ivf']) i,
	vector_index_check(i::regclass) WHERE severity = 'info' ORDER BY 1;
CREATE OR REPLACE FUNCTION fs_tag(int) RETURNS int[] IMMUTABLE LANGUAGE sql AS 'SELECT ARRAY[$1 % 4]';
\c
SELECT i, severity, problem, count(*) FROM unnest(ARRAY['fs_hnsw', 'fs_ivf']) i, vector_index_check(i::regclass)
	WHERE severity <> 'info' GROUP BY 1, 2, 3 ORDER BY 1;
SELECT i, substring(detail from ', \d+ table rows checked.*') FROM unnest(ARRAY['fs_hnsw', 'fs_ivf']) i,
	vector_index_check(i::regclass) WHERE severity = 'info' ORDER BY 1;
REINDEX TABLE fs;
SELECT i, severity, problem FROM unnest(ARRAY['fs_hnsw', 'fs_ivf']) i, vector_index_check(i::regclass) WHERE severity <> 'info';
CREATE OR REPLACE FUNCTION fs_name(int) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT ''N'' || $1 % 3';
\c
SELECT i, severity, problem, count(*) FROM unnest(ARRAY['fs_hnsw', 'fs_ivf']) i, vector_index_check(i::regclass)
	WHERE severity <> 'info' GROUP BY 1, 2, 3 ORDER BY 1;
DROP TABLE fs;
DROP FUNCTION fs_tag, fs_name;
