-- hnsw WITH (quantizer = 'sq8'): elements hold one byte per dimension, scans return rows by a
-- lower bound and PostgreSQL re-ranks them from the table, so the order and distances are exact.
-- Options, errors, every operator of vector and halfvec, inserts, VACUUM, 16,000 dimensions.
\set SHOW_CONTEXT never
CREATE TABLE sq8_items (id int PRIMARY KEY, embedding vector(8), half halfvec(8));
INSERT INTO sq8_items SELECT i, v, v::halfvec FROM (SELECT i, ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7) + 0.5,
	(i % 13) / 13.0, cos(i * 0.1) * 40, sin(i * 2.9) * 2, (i % 101) / 50.0 - 1, cos(i * 0.37)]::real[]::vector AS v
	FROM generate_series(1, 3000) i) s;
-- duplicates, a NULL and a zero vector (not indexed under cosine)
INSERT INTO sq8_items SELECT 3000 + id, embedding, half FROM sq8_items WHERE id <= 40;
INSERT INTO sq8_items VALUES (3101, NULL, NULL), (3102, '[0,0,0,0,0,0,0,0]', '[0,0,0,0,0,0,0,0]');
ANALYZE sq8_items;

-- same_as_exact(COLUMN, OP, QUERY): the index's top 30 distances equal a sequential scan's, in
-- order (rows at equal distance may come in any order).
CREATE FUNCTION same_as_exact(col text, op text, q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	by_index float8[];
	exact float8[];
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	EXECUTE format('SELECT array_agg(d) FROM (SELECT %I %s %L AS d FROM sq8_items ORDER BY %I %s %L LIMIT 30) s', col, op, q, col, op, q)
		INTO by_index;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_bitmapscan = off;
	EXECUTE format('SELECT array_agg(d) FROM (SELECT %I %s %L AS d FROM sq8_items WHERE %I IS NOT NULL ORDER BY %I %s %L LIMIT 30) s', col, op, q, col, col, op, q)
		INTO exact;
	IF by_index IS DISTINCT FROM exact THEN
		RAISE NOTICE 'index: %', by_index;
		RAISE NOTICE 'exact: %', exact;
	END IF;
	RETURN by_index = exact;
END $$;

-- in_order_with_nearest(COLUMN, OP, QUERY): the index's top 30 come in exact order and start with
-- the nearest row. (For the inner product of rows of different norms a graph can miss rows that
-- an exact scan finds, flat or not: the test data has such rows. So can L2 on the halfvec rows
-- below, whose graph depends on the build's threads: with one thread the flat index misses the
-- second and third nearest rows of the first query too.)
CREATE FUNCTION in_order_with_nearest(col text, op text, q text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	by_index float8[];
	nearest float8;
BEGIN
	SET LOCAL enable_seqscan = off;
	SET LOCAL enable_indexscan = on;
	EXECUTE format('SELECT array_agg(d) FROM (SELECT %I %s %L AS d FROM sq8_items ORDER BY %I %s %L LIMIT 30) s', col, op, q, col, op, q)
		INTO by_index;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_bitmapscan = off;
	EXECUTE format('SELECT min(%I %s %L) FROM sq8_items', col, op, q) INTO nearest;
	RETURN by_index[1] = nearest AND by_index = ARRAY(SELECT unnest(by_index) ORDER BY 1);
END $$;

SET hnsw.ef_search = 100;
CREATE INDEX sq8_l2 ON sq8_items USING hnsw (embedding vector_l2_ops) WITH (quantizer = 'sq8');
CREATE INDEX sq8_ip ON sq8_items USING hnsw (embedding vector_ip_ops) WITH (quantizer = 'sq8');
CREATE INDEX sq8_cos ON sq8_items USING hnsw (embedding vector_cosine_ops) WITH (quantizer = 'sq8');
CREATE INDEX sq8_l1 ON sq8_items USING hnsw (embedding vector_l1_ops) WITH (quantizer = 'sq8', m = 8);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sq8_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT same_as_exact('embedding', '<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('embedding', '<->', '[1,-1,0,1,0,2,-1,0]');
SELECT in_order_with_nearest('embedding', '<#>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), in_order_with_nearest('embedding', '<#>', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('embedding', '<=>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('embedding', '<=>', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('embedding', '<+>', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('embedding', '<+>', '[1,-1,0,1,0,2,-1,0]');
-- A query equal to a stored row finds it (and its duplicate) first, at distance 0.
SELECT id, embedding <-> (SELECT embedding FROM sq8_items WHERE id = 7) AS d FROM sq8_items
	ORDER BY embedding <-> (SELECT embedding FROM sq8_items WHERE id = 7), id LIMIT 2;
-- A zero query under cosine (NaN distances) and a NULL query return rows without re-ranking.
SELECT count(*) FROM (SELECT id FROM sq8_items ORDER BY embedding <=> '[0,0,0,0,0,0,0,0]' LIMIT 5) s;
SELECT count(*) FROM (SELECT id FROM sq8_items ORDER BY embedding <-> NULL LIMIT 5) s;
-- Every indexed row comes back, in exact order.
SET hnsw.iterative_scan = strict_order;
SELECT count(*), bool_and(d >= prev) FROM (SELECT d, lag(d, 1, 0::float8) OVER (ORDER BY n) AS prev
	FROM (SELECT embedding <-> '[0,0,0,0,0,0,0,0]' AS d, row_number() OVER () AS n
	      FROM (SELECT embedding FROM sq8_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 10000) r) s) t;
RESET hnsw.iterative_scan;
SELECT severity, problem FROM vector_index_check('sq8_l2') WHERE severity <> 'info';
SELECT access_method, quantizer, elements FROM vector_index_stats('sq8_l2');
SELECT severity, problem FROM vector_index_check('sq8_cos') WHERE severity <> 'info';
-- Inserts, deletes and VACUUM.
INSERT INTO sq8_items SELECT i, v, v::halfvec FROM (SELECT i, ARRAY[i / 4000.0, sin(i * 3.1), 0.75, cos(i), 0, 1,
	(i % 11) / 11.0, -0.5]::real[]::vector AS v FROM generate_series(3103, 3600) i) s;
SELECT same_as_exact('embedding', '<->', '[0.81,0.25,0.75,0,0,1,0.5,-0.5]'), same_as_exact('embedding', '<=>', '[0.81,0.25,0.75,0,0,1,0.5,-0.5]');
DELETE FROM sq8_items WHERE id % 4 = 0;
VACUUM sq8_items;
SELECT same_as_exact('embedding', '<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('embedding', '<=>', '[1,-1,0,1,0,2,-1,0]');
SELECT same_as_exact('embedding', '<+>', '[0.81,0.25,0.75,0,0,1,0.5,-0.5]');
SELECT severity, problem FROM vector_index_check('sq8_ip') WHERE severity <> 'info';
DROP INDEX sq8_l2, sq8_ip, sq8_cos, sq8_l1;

-- halfvec
CREATE INDEX sq8_half_l2 ON sq8_items USING hnsw (half halfvec_l2_ops) WITH (quantizer = 'sq8');
CREATE INDEX sq8_half_cos ON sq8_items USING hnsw (half halfvec_cosine_ops) WITH (quantizer = 'sq8');
SELECT in_order_with_nearest('half', '<->', '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]'), same_as_exact('half', '<=>', '[1,-1,0,1,0,2,-1,0]');
INSERT INTO sq8_items VALUES (4001, '[9,9,9,9,9,9,9,9]', '[9,9,9,9,9,9,9,9]');
SELECT id FROM sq8_items ORDER BY half <-> '[9,9,9,9,9,9,9,8.5]' LIMIT 1;
SELECT severity, problem FROM vector_index_check('sq8_half_cos') WHERE severity <> 'info';
DROP INDEX sq8_half_l2, sq8_half_cos;

-- Options and errors.
CREATE INDEX ON sq8_items USING hnsw (embedding vector_l2_ops) WITH (quantizer = 'pq');
CREATE INDEX ON sq8_items USING hnsw (embedding vector_l2_ops) WITH (quantizer = 'flat');
SELECT reloptions FROM pg_class WHERE relname = 'sq8_items_embedding_idx';
DROP INDEX sq8_items_embedding_idx;
CREATE TABLE sq8_bits (id int, b bit(16), s sparsevec(16));
CREATE INDEX ON sq8_bits USING hnsw (b bit_hamming_ops) WITH (quantizer = 'sq8');
CREATE INDEX ON sq8_bits USING hnsw (s sparsevec_l2_ops) WITH (quantizer = 'sq8');
DROP TABLE sq8_bits;

-- 16,000 dimensions: rows of 16,024 bytes, stored in chunks; built, then inserted into.
CREATE TABLE sq8_big (id int, val vector(16000));
INSERT INTO sq8_big SELECT i, (SELECT array_agg(((i * 7919 + j * 104729) % 1000) / 1000.0 + CASE WHEN j = i THEN i ELSE 0 END ORDER BY j)
	FROM generate_series(1, 16000) j)::vector FROM generate_series(1, 8) i;
CREATE INDEX sq8_big_l2 ON sq8_big USING hnsw (val vector_l2_ops) WITH (quantizer = 'sq8');
INSERT INTO sq8_big SELECT i, (SELECT array_agg(((i * 7919 + j * 104729) % 1000) / 1000.0 + CASE WHEN j = i THEN i ELSE 0 END ORDER BY j)
	FROM generate_series(1, 16000) j)::vector FROM generate_series(9, 14) i;
SELECT array(SELECT id FROM sq8_big ORDER BY val <-> (SELECT val FROM sq8_big WHERE id = 11) LIMIT 14)
     = array(SELECT id FROM sq8_big ORDER BY (val <-> (SELECT val FROM sq8_big WHERE id = 11)) + 0) AS l2_exact;
SELECT severity, problem FROM vector_index_check('sq8_big_l2') WHERE severity <> 'info';
DROP TABLE sq8_big;

-- Sizes at 256 dimensions: an sq8 index is less than half the flat one (its rows are a quarter,
-- its links the same).
CREATE TABLE sq8_size (id int, val vector(256));
INSERT INTO sq8_size SELECT i, (SELECT array_agg(sin(i * j) ORDER BY j) FROM generate_series(1, 256) j)::vector
	FROM generate_series(1, 2000) i;
CREATE INDEX sq8_size_flat ON sq8_size USING hnsw (val vector_l2_ops);
CREATE INDEX sq8_size_sq8 ON sq8_size USING hnsw (val vector_l2_ops) WITH (quantizer = 'sq8');
SELECT pg_relation_size('sq8_size_sq8') * 2 < pg_relation_size('sq8_size_flat') AS less_than_half;
DROP TABLE sq8_size;
DROP TABLE sq8_items;
DROP FUNCTION same_as_exact(text, text, text), in_order_with_nearest(text, text, text);
