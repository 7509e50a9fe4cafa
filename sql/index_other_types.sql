-- hnsw, ivfflat and ivf on halfvec, sparsevec and bit: exact answers on small tables (every
-- candidate fits ef_search / every list is probed), expression indexes, limits beyond
-- pgvector's (halfvec up to 16,000 dimensions, sparse vectors with more than 1,000 non-zero
-- elements) and the errors of what cannot be indexed.
SET enable_seqscan = off;
SET hnsw.ef_search = 100;
SET ivfflat.probes = 10;

CREATE TABLE h (id int, embedding halfvec(3));
INSERT INTO h VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]'), (4, '[1,1,0]'), (5, '[1,1,1]'),
	(6, '[-1,0.5,2]'), (7, NULL), (8, '[0,0,0]');
CREATE INDEX h_l2 ON h USING hnsw (embedding halfvec_l2_ops);
SELECT id, round((embedding <-> '[0.93,0.41,0.12]')::numeric, 4) AS d FROM h ORDER BY embedding <-> '[0.93,0.41,0.12]' LIMIT 4;
DROP INDEX h_l2;
CREATE INDEX h_ip ON h USING hnsw (embedding halfvec_ip_ops);
SELECT id, round((embedding <#> '[1.1,2.3,3.7]')::numeric, 4) AS d FROM h ORDER BY embedding <#> '[1.1,2.3,3.7]' LIMIT 4;
DROP INDEX h_ip;
-- the zero vector is not indexed under cosine (its distance is NaN)
CREATE INDEX h_cos ON h USING hnsw (embedding halfvec_cosine_ops);
SELECT id, round((embedding <=> '[1,0.8,0.1]')::numeric, 4) AS d FROM h ORDER BY embedding <=> '[1,0.8,0.1]' LIMIT 10;
DROP INDEX h_cos;
CREATE INDEX h_l1 ON h USING hnsw (embedding halfvec_l1_ops);
SELECT id, round((embedding <+> '[0.1,0.2,1.3]')::numeric, 4) AS d FROM h ORDER BY embedding <+> '[0.1,0.2,1.3]' LIMIT 3;
DROP INDEX h_l1;
CREATE INDEX h_ivf ON h USING ivfflat (embedding halfvec_l2_ops) WITH (lists = 2);
SELECT id, round((embedding <-> '[0.93,0.41,0.12]')::numeric, 4) AS d FROM h ORDER BY embedding <-> '[0.93,0.41,0.12]' LIMIT 4;
DROP INDEX h_ivf;
CREATE INDEX h_ivfc ON h USING ivf (embedding halfvec_cosine_ops) WITH (lists = 2, quantizer = 'sq8');
SELECT id, round((embedding <=> '[1,0.8,0.1]')::numeric, 4) AS d FROM h ORDER BY embedding <=> '[1,0.8,0.1]' LIMIT 3;
DROP INDEX h_ivfc;
-- a query of other dimensions errors as the operator would
CREATE INDEX h_l2 ON h USING hnsw (embedding halfvec_l2_ops);
SELECT id FROM h ORDER BY embedding <-> '[1,2]' LIMIT 1;
DROP TABLE h;

-- sparsevec
CREATE TABLE s (id int, embedding sparsevec(6));
INSERT INTO s VALUES (1, '{1:1}/6'), (2, '{2:1,6:2}/6'), (3, '{3:1.5}/6'), (4, '{1:1,2:1}/6'),
	(5, '{}/6'), (6, '{4:-1,5:2,6:1}/6');
CREATE INDEX s_l2 ON s USING hnsw (embedding sparsevec_l2_ops);
SELECT id, round((embedding <-> '{1:1,2:0.7}/6')::numeric, 4) AS d FROM s ORDER BY embedding <-> '{1:1,2:0.7}/6' LIMIT 4;
DROP INDEX s_l2;
CREATE INDEX s_ip ON s USING hnsw (embedding sparsevec_ip_ops);
SELECT id, round((embedding <#> '{2:1.3,4:0.2,6:1.1}/6')::numeric, 4) AS d FROM s ORDER BY embedding <#> '{2:1.3,4:0.2,6:1.1}/6' LIMIT 3;
DROP INDEX s_ip;
CREATE INDEX s_cos ON s USING hnsw (embedding sparsevec_cosine_ops);
SELECT * FROM (SELECT id, round((embedding <=> '{4:0.3,5:1}/6')::numeric, 4) AS d FROM s ORDER BY embedding <=> '{4:0.3,5:1}/6' LIMIT 10) s ORDER BY d, id;
DROP INDEX s_cos;
CREATE INDEX s_l1 ON s USING hnsw (embedding sparsevec_l1_ops);
SELECT id, round((embedding <+> '{3:1.2,6:0.4}/6')::numeric, 4) AS d FROM s ORDER BY embedding <+> '{3:1.2,6:0.4}/6' LIMIT 3;
SELECT id FROM s ORDER BY embedding <+> '{3:1}/7' LIMIT 1;
DROP TABLE s;

-- sparse vectors with more non-zero elements than a page holds (pgvector stops at 1,000)
CREATE TABLE wide_sparse (id int, embedding sparsevec(100000));
INSERT INTO wide_sparse
	SELECT i, ('{' || string_agg((j * 37 + i) % 100000 + 1 || ':' || ((i * j) % 7 + 1), ',' ORDER BY (j * 37 + i) % 100000) || '}/100000')::sparsevec
	FROM generate_series(1, 30) i, generate_series(1, 1100 + i * 10) j GROUP BY i;
SELECT min(l2_norm(embedding)) > 0 AS nonzero, (SELECT count(*) FROM wide_sparse) AS rows FROM wide_sparse;
CREATE INDEX wide_sparse_idx ON wide_sparse USING hnsw (embedding sparsevec_l2_ops);
INSERT INTO wide_sparse SELECT 100 + id, embedding FROM wide_sparse WHERE id <= 5;
-- each row finds itself (or its copy) first
SELECT count(*) AS found_itself FROM wide_sparse w
	WHERE (SELECT embedding <-> w.embedding FROM wide_sparse ORDER BY embedding <-> w.embedding LIMIT 1) = 0;
DROP TABLE wide_sparse;

-- halfvec indexes up to 16,000 dimensions (pgvector: 4,000)
CREATE TABLE wide_half (id int, embedding halfvec(16000));
INSERT INTO wide_half SELECT i, array_fill((i * 0.37)::real, ARRAY[16000])::halfvec FROM generate_series(1, 12) i;
CREATE INDEX ON wide_half USING hnsw (embedding halfvec_l2_ops);
-- 2 decimals: a float sum over 16,000 dimensions differs in the last digits between SIMD levels (75.8450 vs 75.8449)
SELECT id, round((embedding <-> array_fill(3.1::real, ARRAY[16000])::halfvec)::numeric, 1) AS d FROM wide_half ORDER BY embedding <-> array_fill(3.1::real, ARRAY[16000])::halfvec LIMIT 4;
DROP TABLE wide_half;

-- bit
CREATE TABLE b (id int, embedding bit(8));
INSERT INTO b VALUES (1, '00000000'), (2, '11110000'), (3, '10101010'), (4, '11111111'), (5, '00001111'), (6, NULL);
CREATE INDEX b_ham ON b USING hnsw (embedding bit_hamming_ops);
SELECT * FROM (SELECT id, round((embedding <~> '11100000')::numeric, 4) AS d FROM b ORDER BY embedding <~> '11100000' LIMIT 10) s ORDER BY d, id;
DROP INDEX b_ham;
CREATE INDEX b_jac ON b USING hnsw (embedding bit_jaccard_ops);
SELECT * FROM (SELECT id, round((embedding <%> '11100000')::numeric, 4) AS d FROM b ORDER BY embedding <%> '11100000' LIMIT 10) s ORDER BY d, id;
DROP INDEX b_jac;
CREATE INDEX b_ivf ON b USING ivfflat (embedding bit_hamming_ops) WITH (lists = 2);
SELECT * FROM (SELECT id, round((embedding <~> '11100000')::numeric, 4) AS d FROM b ORDER BY embedding <~> '11100000' LIMIT 10) s ORDER BY d, id;
SELECT id FROM b ORDER BY embedding <~> '111' LIMIT 1;
DROP TABLE b;

-- expression indexes: a vector column indexed as halfvec and as binary-quantized bits
CREATE TABLE items (id int, embedding vector(4));
INSERT INTO items SELECT i, ARRAY[sin(i), cos(i), sin(2 * i), cos(3 * i)]::real[] FROM generate_series(1, 200) i;
CREATE INDEX items_half ON items USING hnsw ((embedding::halfvec(4)) halfvec_cosine_ops);
CREATE INDEX items_bits ON items USING hnsw ((binary_quantize(embedding)::bit(4)) bit_hamming_ops);
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding::halfvec(4) <=> '[1,0,0,0]' LIMIT 5;
SELECT id FROM items ORDER BY embedding::halfvec(4) <=> '[1,0,0,0]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY binary_quantize(embedding)::bit(4) <~> '1000' LIMIT 5;
SELECT count(*) FROM (SELECT id FROM items ORDER BY binary_quantize(embedding)::bit(4) <~> '1010' LIMIT 50) s;
DROP TABLE items;

-- what cannot be indexed
CREATE TABLE e (h halfvec, s sparsevec(3), b bit(64001), b2 bit(4), v halfvec(4001));
CREATE INDEX ON e USING hnsw (h halfvec_l2_ops);
CREATE INDEX ON e USING hnsw (b bit_hamming_ops);
CREATE INDEX ON e USING ivfflat (b bit_hamming_ops);
CREATE INDEX ON e USING ivfflat (v halfvec_l2_ops);
CREATE INDEX ON e USING ivf (b2 bit_hamming_ops) WITH (quantizer = 'pq');
CREATE INDEX ON e USING ivfflat (s sparsevec_l2_ops);
CREATE INDEX ON e USING hnsw (b2 bit_l2_ops);
DROP TABLE e;
