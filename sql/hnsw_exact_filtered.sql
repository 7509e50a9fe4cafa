-- The exact filtered scan of hnsw indexes with filter columns (vector.hnsw_filter_strategy =
-- exact, or auto when few elements match): every element page is read, the elements passing the
-- quals are scored, and every matching row comes back in exact distance order. Checked against
-- the sequential scan for each metric (non-normalised rows), each iterative-scan mode, elements
-- of several rows (identical vectors), rows deleted and vacuumed, rows inserted, halfvec, and
-- vectors stored apart from their element.
CREATE TABLE xf (id int PRIMARY KEY, embedding vector(4), c int4, tags int[]);
INSERT INTO xf SELECT i, ARRAY[sin(i) * 2, cos(i * 1.3) * 3, (i % 89) / 10.0, sin(i * 0.7) - 1]::real[]::vector,
	CASE WHEN i % 17 = 0 THEN NULL ELSE i % 50 END, ARRAY[i % 7, 100 + i % 11]
	FROM generate_series(1, 2000) i;
-- 12 more rows identical to row 7 (vector and filter values): elements of several heap TIDs.
INSERT INTO xf SELECT 10000 + g, embedding, c, tags FROM xf, generate_series(1, 12) g WHERE id = 7;
CREATE INDEX xf_l2 ON xf USING hnsw (embedding vector_l2_ops, c, tags);
CREATE INDEX xf_ip ON xf USING hnsw (embedding vector_ip_ops, c, tags);
CREATE INDEX xf_cos ON xf USING hnsw (embedding vector_cosine_ops, c, tags);
CREATE INDEX xf_l1 ON xf USING hnsw (embedding vector_l1_ops, c, tags);

-- Rows of the index scan against the sequential scan: the same distances in the same order
-- (identical vectors tie, so their ids may come in another order), the same rows when all
-- matching rows are asked for, every one through the index named, with the quals as its index
-- conditions.
CREATE FUNCTION xf_compare(op text, qual text, q text, k int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	by_index float8[];
	exact float8[];
	ids_index int[];
	ids_exact int[];
	plan text := '';
	line text;
	query text := format('SELECT id, (embedding %s %L)::float8 AS d FROM xf WHERE %s ORDER BY embedding %s %L LIMIT %s',
		op, q, qual, op, q, k);
	-- (an ORDER BY no index can serve)
	seq_query text := format('SELECT id, (embedding %s %L)::float8 AS d FROM xf WHERE %s ORDER BY (embedding %s %L) + 0 LIMIT %s',
		op, q, qual, op, q, k);
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_bitmapscan = off;
	SET LOCAL enable_indexscan = on;
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		plan := plan || line;
	END LOOP;
	EXECUTE format('SELECT array_agg(round(d::numeric, 4)::float8 ORDER BY n), array_agg(id ORDER BY id)
		FROM (SELECT *, row_number() OVER () n FROM (%s) s) t', query) INTO by_index, ids_index;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	EXECUTE format('SELECT array_agg(round(d::numeric, 4)::float8 ORDER BY n), array_agg(id ORDER BY id)
		FROM (SELECT *, row_number() OVER () n FROM (%s) s) t', seq_query)
		INTO exact, ids_exact;
	RETURN format('%s rows, %s%s', coalesce(array_length(by_index, 1), 0),
		CASE WHEN by_index IS NOT DISTINCT FROM exact
			AND (k < 1000 OR ids_index IS NOT DISTINCT FROM ids_exact) THEN 'exact' ELSE 'DIFFERENT' END,
		CASE WHEN plan !~ 'Index Scan using xf_' THEN ' (index not used)'
			WHEN plan ~ 'Filter:' THEN ' (a qual left to the executor)' ELSE '' END);
END $$;
CREATE TEMP TABLE xf_cases (n serial, op text, qual text, k int);
INSERT INTO xf_cases (op, qual, k) VALUES
	('<->', 'c = 7', 10), ('<->', 'c = 7', 1000), ('<->', 'c < 3 AND tags && ''{1}''', 15), ('<->', 'tags && ''{3}''', 20),
	('<->', 'c = 7 AND tags @> ''{107}''', 1000), ('<->', 'c = 1000', 10),
	('<#>', 'c = 7', 10), ('<#>', 'c > 20 AND c < 30', 25), ('<#>', 'tags && ''{3}''', 1000),
	('<=>', 'c = 7', 10), ('<=>', 'c >= 45', 30), ('<=>', 'tags @> ''{2,105}''', 1000),
	('<+>', 'c = 7', 10), ('<+>', 'c = 7 AND tags && ''{0,1,2}''', 1000);
-- Row 7's group: c = 7, so its 13 rows are among those of 'c = 7'.
SELECT count(*) FROM xf WHERE c = 7;

SET vector.hnsw_filter_strategy = exact;
SET hnsw.iterative_scan = off;
SELECT op, qual, k, xf_compare(op, qual, '[1,-2,4,-1]', k) FROM xf_cases ORDER BY n;
SET hnsw.iterative_scan = strict_order;
SELECT op, qual, k, xf_compare(op, qual, '[-1.5,2.5,0.5,0]', k) FROM xf_cases ORDER BY n;
SET hnsw.iterative_scan = relaxed_order;
SELECT op, qual, k, xf_compare(op, qual, '[0.1,0.1,8,-2]', k) FROM xf_cases ORDER BY n;

-- auto on this small index chooses the exact scan too: the same answers.
SET vector.hnsw_filter_strategy = auto;
SET hnsw.iterative_scan = off;
SELECT op, qual, k, xf_compare(op, qual, '[1,-2,4,-1]', k) FROM xf_cases ORDER BY n;

-- Deleted rows are not returned (before VACUUM the table's visibility drops them; after it the
-- index no longer holds them); inserted rows are.
SET vector.hnsw_filter_strategy = exact;
DELETE FROM xf WHERE id % 4 = 0 OR id BETWEEN 10000 AND 10005;
SELECT op, qual, k, xf_compare(op, qual, '[1,-2,4,-1]', k) FROM xf_cases ORDER BY n;
VACUUM xf;
INSERT INTO xf SELECT i, ARRAY[cos(i) * 2, sin(i * 1.3) * 3, (i % 83) / 10.0, cos(i * 0.7)]::real[]::vector,
	i % 50, ARRAY[i % 5, 100 + i % 13]
	FROM generate_series(2001, 2600) i;
SELECT op, qual, k, xf_compare(op, qual, '[1,-2,4,-1]', k) FROM xf_cases ORDER BY n;
SELECT severity, problem FROM vector_index_check('xf_l2') WHERE severity <> 'info';

-- A query of NULL matches nothing to order by: every matching row, distance NULL.
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM xf WHERE c = 7 ORDER BY embedding <-> NULL LIMIT 1000) s;
SELECT count(*) FROM xf WHERE c = 7;
-- A zero query under cosine (vector: every distance 0 to the index): every matching row.
SELECT count(*) FROM (SELECT id FROM xf WHERE c = 7 ORDER BY embedding <=> '[0,0,0,0]' LIMIT 1000) s;
RESET enable_seqscan;

-- halfvec: its cosine distance of a zero query is NaN for every row (NaN distances come last,
-- all of them); and ordering by L2.
CREATE TABLE xh (id int PRIMARY KEY, embedding halfvec(4), c int);
INSERT INTO xh SELECT id, embedding::halfvec(4), c FROM xf;
CREATE INDEX xh_l2 ON xh USING hnsw (embedding halfvec_l2_ops, c);
SET enable_seqscan = off;
SELECT array(SELECT id FROM xh WHERE c = 9 ORDER BY embedding <-> '[1,-2,4,-1]' LIMIT 10)
	= array(SELECT id FROM xh WHERE c = 9 ORDER BY (embedding <-> '[1,-2,4,-1]') + 0, id LIMIT 10) AS halfvec_exact;
CREATE INDEX xh_cos ON xh USING hnsw (embedding halfvec_cosine_ops, c);
SELECT count(*) AS nan_rows, count(*) FILTER (WHERE d = 'NaN') AS nan_distances
	FROM (SELECT embedding <=> '[0,0,0,0]' AS d FROM xh WHERE c = 9 ORDER BY embedding <=> '[0,0,0,0]' LIMIT 1000) s;
SELECT count(*) FROM xh WHERE c = 9;
RESET enable_seqscan;

-- Vectors stored apart from their element (2,000 dimensions) and in chunks (3,000).
CREATE TABLE xl (id int PRIMARY KEY, embedding vector(3000), c int);
INSERT INTO xl SELECT i, array_fill(0.001 * i, ARRAY[3000])::vector, i % 4 FROM generate_series(1, 40) i;
CREATE INDEX xl_l2 ON xl USING hnsw (embedding vector_l2_ops, c);
CREATE TABLE xm (id int PRIMARY KEY, embedding vector(2000), c int);
INSERT INTO xm SELECT i, array_fill(0.001 * i, ARRAY[2000])::vector, i % 4 FROM generate_series(1, 40) i;
CREATE INDEX xm_l2 ON xm USING hnsw (embedding vector_l2_ops, c);
SET enable_seqscan = off;
SELECT array(SELECT id FROM xl WHERE c = 1 ORDER BY embedding <-> array_fill(0.02, ARRAY[3000])::vector LIMIT 5) AS chunked,
	array(SELECT id FROM xm WHERE c = 1 ORDER BY embedding <-> array_fill(0.02, ARRAY[2000])::vector LIMIT 5) AS apart;
RESET enable_seqscan;

-- More matching rows than the scan's memory holds (work_mem 64kB: 2,340 rows per pass): each
-- pass reads the index again for the rows after the last one of the pass before. 6,000 rows
-- come back, each once, in distance order, as the sequential scan orders them.
CREATE TABLE xp (id int PRIMARY KEY, embedding vector(4), c int);
INSERT INTO xp SELECT i, ARRAY[sin(i * 0.37), cos(i * 0.91), sin(i * 1.73), cos(i * 0.13)]::real[]::vector, i % 2
	FROM generate_series(1, 12000) i;
CREATE INDEX xp_l2 ON xp USING hnsw (embedding vector_l2_ops, c);
SET work_mem = '64kB';
SET enable_seqscan = off;
SELECT array(SELECT id FROM xp WHERE c = 1 ORDER BY embedding <-> '[0.5,0.5,0.5,0.5]' LIMIT 100000)
	= array(SELECT id FROM xp WHERE c = 1 ORDER BY (embedding <-> '[0.5,0.5,0.5,0.5]') + 0, id LIMIT 100000) AS passes_exact,
	(SELECT count(*) FROM (SELECT id FROM xp WHERE c = 1 ORDER BY embedding <-> '[0.5,0.5,0.5,0.5]' LIMIT 100000) s) AS rows;
-- Ties across passes: 5,000 elements at one distance (identical vectors with distinct filter
-- values, so not one shared element), 2,340 rows per pass: every row once.
CREATE TABLE xt (id int PRIMARY KEY, embedding vector(4), c int);
INSERT INTO xt SELECT i, '[1,2,3,4]', i FROM generate_series(1, 5000) i;
CREATE INDEX xt_l2 ON xt USING hnsw (embedding vector_l2_ops, c);
SELECT count(*) AS rows, count(DISTINCT id) AS distinct_rows
	FROM (SELECT id FROM xt WHERE c >= 0 ORDER BY embedding <-> '[0,0,0,0]' LIMIT 100000) s;
DROP TABLE xt;
-- (three passes: EXPLAIN ANALYZE counts the elements they read)
CREATE FUNCTION xp_passes() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id FROM xp WHERE c = 1 '
		'ORDER BY embedding <-> ''[0.5,0.5,0.5,0.5]'' LIMIT 100000' LOOP
		IF line ~ 'exact filtered scan: ' THEN
			RETURN (regexp_match(line, '(\d+) elements read'))[1]::bigint / 12000;
		END IF;
	END LOOP;
	RETURN NULL;
END $$;
SELECT xp_passes() AS passes;
RESET enable_seqscan;
RESET work_mem;
RESET vector.hnsw_filter_strategy;
RESET hnsw.iterative_scan;
DROP TABLE xf, xh, xl, xm, xp;
DROP FUNCTION xf_compare, xp_passes;
