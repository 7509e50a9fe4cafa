-- Label graphs of hnsw indexes with filter columns (src/pg/hnsw/hnsw_label_graph.cpp): the build
-- gives every value of the first filter column with at least 1,000 rows a graph of its own, and a
-- scan with first column = value walks it (EXPLAIN ANALYZE VERBOSE: "label walk"). Checked: which
-- walk each qual gets, that the rows are those of an exact scan (recall@10 over 20 queries), that
-- rows inserted afterwards are found by their own vector, and that deletes and VACUUM leave the
-- index checked clean and the answers right, also when every row of a value is deleted; then a
-- text first column, an integer-array one (which gets no label graphs), halfvec and sq8 rows.
SET vector.build_threads = 1;
CREATE TABLE lg (id int PRIMARY KEY, embedding vector(8), cat int, tenant int, name text, tags int[]);
-- Categories 0, 1 and 2: 1,000 rows each (a graph each); category 3: 200 rows (none).
INSERT INTO lg SELECT i, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7), cos(i * 0.3), sin(i * 2.1), cos(i * 1.7),
		sin(i * 0.2), cos(i * 0.9)]::real[]::vector,
	CASE WHEN i <= 3000 THEN i % 3 ELSE 3 END, i % 7, 'n' || (i % 3), ARRAY[i % 3]
	FROM generate_series(1, 3200) i;
CREATE INDEX lg_l2 ON lg USING hnsw (embedding vector_l2_ops, cat, tenant);
ANALYZE lg;

-- The kind of walk of a query (the counts line of EXPLAIN ANALYZE VERBOSE, numbers left out).
CREATE FUNCTION lg_walk(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_bitmapscan = off;
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || query LOOP
		IF line ~ '^    .*(walk|exact filtered scan): ' THEN
			RETURN substring(btrim(line) from '^[a-z ]*(?:walk|exact filtered scan)');
		END IF;
	END LOOP;
	RETURN '(no counts line)';
END $$;
-- Recall@10 of the index against the exact answer (an ORDER BY no index serves) for the vectors of
-- 20 rows as queries, with the qual; and whether every row returned passes it.
CREATE FUNCTION lg_recall(tab text, col text, op text, qual text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	q record;
	n bigint;
	got int[];
	want int[];
	found int := 0;
	total int := 0;
	wrong int := 0;
BEGIN
	FOR q IN EXECUTE format('SELECT %s::text AS v FROM %s ORDER BY id LIMIT 20', col, tab) LOOP
		SET LOCAL enable_seqscan = off;
		SET LOCAL enable_bitmapscan = off;
		EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %s WHERE %s ORDER BY %s %s %L LIMIT 10) s',
			tab, qual, col, op, q.v) INTO got;
		SET LOCAL enable_seqscan = on;
		SET LOCAL enable_indexscan = off;
		EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %s WHERE %s ORDER BY (%s %s %L) + 0 LIMIT 10) s',
			tab, qual, col, op, q.v) INTO want;
		SET LOCAL enable_indexscan = on;
		total := total + coalesce(array_length(want, 1), 0);
		found := found + (SELECT count(*) FROM unnest(got) g WHERE g = ANY (want));
		EXECUTE format('SELECT count(*) FROM %s WHERE id = ANY (%L) AND NOT (%s)', tab, got, qual) INTO n;
		wrong := wrong + n;
	END LOOP;
	RETURN format('%s of %s rows%s', CASE WHEN found >= 0.95 * total THEN 'recall >= 0.95' ELSE
		'recall ' || round(found::numeric / greatest(total, 1), 3) END, total,
		CASE WHEN wrong > 0 THEN ', ' || wrong || ' rows failing the qual' ELSE '' END);
END $$;

-- (lg_walk runs the query with the index.) A value with a graph: a label walk, alone or with a qual on another column; without one, or on
-- another column: a filtered walk.
SELECT lg_walk($$SELECT id FROM lg WHERE cat = 1 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_walk($$SELECT id FROM lg WHERE cat = 1 AND tenant = 2 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_walk($$SELECT id FROM lg WHERE cat = 3 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_walk($$SELECT id FROM lg WHERE tenant = 2 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_recall('lg', 'embedding', '<->', 'cat = 1');
SELECT lg_recall('lg', 'embedding', '<->', 'cat = 0 AND tenant = 3');
SELECT lg_recall('lg', 'embedding', '<->', 'cat = 3');
-- Every row of a value, asked for: all of them, in order.
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM lg WHERE cat = 2 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 5000) s;
SELECT severity, problem FROM vector_index_check('lg_l2') WHERE severity <> 'info';

-- Inserts link into their value's graph: each new row is the nearest row of its category to its
-- own vector.
INSERT INTO lg SELECT i, ARRAY[sin(i) + 0.01, cos(i * 1.3), sin(i * 0.7), cos(i * 0.3), sin(i * 2.1), cos(i * 1.7),
		sin(i * 0.2), cos(i * 0.9)]::real[]::vector,
	i % 3, i % 7, 'n' || (i % 3), ARRAY[i % 3]
	FROM generate_series(5001, 5600) i;
SELECT count(*) AS not_found_by_own_vector FROM lg x WHERE id > 5000 AND
	(SELECT id FROM lg y WHERE y.cat = x.cat ORDER BY y.embedding <-> x.embedding LIMIT 1) <> x.id;
SELECT lg_walk($$SELECT id FROM lg WHERE cat = 0 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_recall('lg', 'embedding', '<->', 'cat = 2');

-- Deletes and VACUUM: the label lists are repaired, dead seeds replaced.
DELETE FROM lg WHERE id % 4 = 1 OR id % 5 = 0;
VACUUM lg;
SELECT severity, problem FROM vector_index_check('lg_l2') WHERE severity <> 'info';
SELECT lg_recall('lg', 'embedding', '<->', 'cat = 1');
SELECT lg_recall('lg', 'embedding', '<->', 'cat = 0');
SELECT count(*) AS not_found_by_own_vector FROM lg x WHERE
	(SELECT id FROM lg y WHERE y.cat = x.cat ORDER BY y.embedding <-> x.embedding LIMIT 1) <> x.id;
-- Every row of category 2 deleted and vacuumed (its seeds with them): nothing comes back, and rows
-- inserted afterwards are found.
DELETE FROM lg WHERE cat = 2;
VACUUM lg;
SELECT count(*) FROM (SELECT id FROM lg WHERE cat = 2 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10) s;
INSERT INTO lg SELECT i, ARRAY[sin(i), cos(i), 0, 0, 0, 0, 0, 1]::real[]::vector, 2, 0, 'n2', '{2}'
	FROM generate_series(7001, 7050) i;
SELECT count(*) AS not_found_by_own_vector FROM lg x WHERE cat = 2 AND
	(SELECT id FROM lg y WHERE y.cat = 2 ORDER BY y.embedding <-> x.embedding LIMIT 1) <> x.id;
SELECT severity, problem FROM vector_index_check('lg_l2') WHERE severity <> 'info';
DROP INDEX lg_l2;

-- A fresh table of 3,000 rows for the other kinds of columns and rows.
CREATE TABLE lg2 (id int PRIMARY KEY, embedding vector(8), cat int, name text, tags int[], h halfvec(8));
INSERT INTO lg2 SELECT i, v, i % 3, 'n' || (i % 3), ARRAY[i % 3], v::halfvec
	FROM (SELECT i, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7), cos(i * 0.3), sin(i * 2.1), cos(i * 1.7),
		sin(i * 0.2), cos(i * 0.9)]::real[]::vector AS v FROM generate_series(1, 3000) i) s;
-- A text first column (hashed values; the executor rechecks): label walks too.
CREATE INDEX lg2_name ON lg2 USING hnsw (embedding vector_l2_ops, name);
SELECT lg_walk($$SELECT id FROM lg2 WHERE name = 'n0' ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_recall('lg2', 'embedding', '<->', 'name = ''n0''');
DROP INDEX lg2_name;
-- An integer-array first column gets no label graphs.
CREATE INDEX lg2_tags ON lg2 USING hnsw (embedding vector_l2_ops, tags);
SELECT lg_walk($$SELECT id FROM lg2 WHERE tags && '{1}' ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
DROP INDEX lg2_tags;
-- halfvec rows, cosine; sq8 rows (their distances are re-ranked from the table).
CREATE INDEX lg2_half ON lg2 USING hnsw (h halfvec_cosine_ops, cat);
SELECT lg_walk($$SELECT id FROM lg2 WHERE cat = 0 ORDER BY h <=> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_recall('lg2', 'h', '<=>', 'cat = 0');
DROP INDEX lg2_half;
CREATE INDEX lg2_sq8 ON lg2 USING hnsw (embedding vector_l2_ops, cat) WITH (quantizer = 'sq8');
SELECT lg_walk($$SELECT id FROM lg2 WHERE cat = 1 ORDER BY embedding <-> '[1,0,0,0,0,0,0,1]' LIMIT 10$$);
SELECT lg_recall('lg2', 'embedding', '<->', 'cat = 1');
SELECT severity, problem FROM vector_index_check('lg2_sq8') WHERE severity <> 'info';
DROP TABLE lg, lg2;
DROP FUNCTION lg_walk(text);
DROP FUNCTION lg_recall(text, text, text, text);
RESET vector.build_threads;
