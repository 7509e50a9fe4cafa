-- Identical vectors (issue 13): 20 copies of one vector, hnsw.ef_search = 1, no LIMIT. Every
-- copy comes back, after a build and after inserts, for vector, halfvec, sparsevec and bit:
-- the scan goes on past ef_search while the executor asks for rows (pgvector 0.8.6 returns 10,
-- the copies one element holds; we returned 1 before).
SET enable_seqscan = off;
SET hnsw.ef_search = 1;
CREATE TABLE dup (id int, v vector(3), h halfvec(3), s sparsevec(3), b bit(3));
INSERT INTO dup SELECT i, '[1,1,1]', '[1,1,1]', '{1:1,2:1,3:1}/3', '111' FROM generate_series(1, 20) i;
CREATE INDEX dup_v ON dup USING hnsw (v vector_l2_ops);
CREATE INDEX dup_h ON dup USING hnsw (h halfvec_l2_ops);
CREATE INDEX dup_s ON dup USING hnsw (s sparsevec_l2_ops);
CREATE INDEX dup_b ON dup USING hnsw (b bit_hamming_ops);
CREATE FUNCTION pg_temp.counts() RETURNS TABLE (type text, rows bigint, distinct_ids bigint) LANGUAGE sql AS $$
	SELECT 'vector', count(*), count(DISTINCT id) FROM (SELECT id FROM dup ORDER BY v <-> '[1,1,1]') x
	UNION ALL SELECT 'halfvec', count(*), count(DISTINCT id) FROM (SELECT id FROM dup ORDER BY h <-> '[1,1,1]') x
	UNION ALL SELECT 'sparsevec', count(*), count(DISTINCT id) FROM (SELECT id FROM dup ORDER BY s <-> '{1:1,2:1,3:1}/3') x
	UNION ALL SELECT 'bit', count(*), count(DISTINCT id) FROM (SELECT id FROM dup ORDER BY b <~> '111') x
$$;
EXPLAIN (COSTS OFF) SELECT id FROM dup ORDER BY v <-> '[1,1,1]';
SELECT * FROM pg_temp.counts();
INSERT INTO dup SELECT i, '[1,1,1]', '[1,1,1]', '{1:1,2:1,3:1}/3', '111' FROM generate_series(21, 40) i;
SELECT * FROM pg_temp.counts();
DROP TABLE dup;

-- Many copies among other rows: 5,000 identical rows (500 elements of ten) and 500 distinct ones,
-- built at once. Every copy is a tie for every other, and a build used to leave most of their
-- elements with no link in: the scan returned 3,260 of 20,000 copies (vector; pgvector 0.8.6,
-- 2,898) until VACUUM repaired the graph. Now every copy comes back right after the build, and
-- vector_index_check finds every element reachable.
CREATE TABLE copies (id int, v vector(3), h halfvec(3), s sparsevec(3), b bit(8)) WITH (autovacuum_enabled = off);
INSERT INTO copies SELECT i, '[1,2,3]', '[1,2,3]', '{1:1,2:2,3:3}/3', '10101010' FROM generate_series(1, 5000) i;
INSERT INTO copies SELECT 10000 + i, ARRAY[i % 7, i % 11, i % 13 + 0.5], ARRAY[i % 7, i % 11, i % 13 + 0.5],
	ARRAY[i % 7, i % 11, i % 13 + 0.5]::vector::sparsevec, (i % 251)::bit(8) FROM generate_series(1, 500) i;
CREATE INDEX copies_v ON copies USING hnsw (v vector_l2_ops);
CREATE INDEX copies_h ON copies USING hnsw (h halfvec_l2_ops);
CREATE INDEX copies_s ON copies USING hnsw (s sparsevec_l2_ops);
CREATE INDEX copies_b ON copies USING hnsw (b bit_hamming_ops);
SELECT * FROM (
	SELECT 'vector' AS type, count(*) FILTER (WHERE id <= 5000) AS copies FROM (SELECT id FROM copies ORDER BY v <-> '[1,2,3]') x
	UNION ALL SELECT 'halfvec', count(*) FILTER (WHERE id <= 5000) FROM (SELECT id FROM copies ORDER BY h <-> '[1,2,3]') x
	UNION ALL SELECT 'sparsevec', count(*) FILTER (WHERE id <= 5000) FROM (SELECT id FROM copies ORDER BY s <-> '{1:1,2:2,3:3}/3') x
	UNION ALL SELECT 'bit', count(*) FILTER (WHERE id <= 5000) FROM (SELECT id FROM copies ORDER BY b <~> '10101010') x
) counts ORDER BY type;
SELECT idx, count(*) FILTER (WHERE problem = 'unreachable element') AS unreachable,
	count(*) FILTER (WHERE severity = 'error') AS errors
FROM unnest(ARRAY['copies_v', 'copies_h', 'copies_s', 'copies_b']) idx, vector_index_check(idx::regclass)
GROUP BY idx ORDER BY idx;
DROP TABLE copies;
