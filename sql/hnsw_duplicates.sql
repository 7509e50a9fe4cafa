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
