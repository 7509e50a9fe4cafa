-- Distances, norms, comparison and casts of the sparsevec type. Distances are
-- checked against the dense computation of the same vectors.
\set SHOW_CONTEXT never

-- Distance functions and operators
SELECT l2_distance('{}/2'::sparsevec, '{1:3,2:4}/2');
SELECT '{1:3}/2'::sparsevec <-> '{2:4}/2';
SELECT '{1:1,3:3}/3'::sparsevec <-> '{1:1,3:3}/3';
SELECT '{1:1,2:2,5:5}/6'::sparsevec <-> '{2:-2,3:1,6:1}/6';
SELECT inner_product('{1:1,2:2}/3'::sparsevec, '{2:3,3:4}/3');
SELECT '{1:1,2:2}/3'::sparsevec <#> '{2:3,3:4}/3';
SELECT inner_product('{1:1}/3'::sparsevec, '{2:1}/3');
SELECT cosine_distance('{1:1,2:2}/2'::sparsevec, '{1:2,2:4}/2');
SELECT cosine_distance('{1:1}/2'::sparsevec, '{2:1}/2');
SELECT cosine_distance('{1:1}/2'::sparsevec, '{1:-1}/2');
SELECT cosine_distance('{1:1}/2'::sparsevec, '{}/2');
SELECT '{1:1,2:1}/2'::sparsevec <=> '{1:1}/2';
SELECT l1_distance('{}/2'::sparsevec, '{1:3,2:-4}/2');
SELECT '{1:1,3:3}/4'::sparsevec <+> '{2:2,3:1,4:-1}/4';
-- Index support functions
SELECT sparsevec_l2_squared_distance('{1:3}/2', '{2:4}/2');
SELECT sparsevec_negative_inner_product('{1:1,2:2}/3', '{2:3,3:4}/3');
-- Same results as the dense computation on random vectors
CREATE TABLE sparsevec_rand (id int, v vector(40));
SELECT setseed(0.5);
INSERT INTO sparsevec_rand SELECT i, (SELECT array_agg(CASE WHEN random() < 0.3 THEN round((random() * 20 - 10)::numeric, 2) ELSE 0 END)
	FROM generate_series(1, 40) WHERE i > 0)::vector FROM generate_series(1, 20) i;
SELECT count(*) AS pairs,
	bool_and(abs((a.v <-> b.v) - (a.v::sparsevec <-> b.v::sparsevec)) <= 1e-5 * (a.v <-> b.v)) AS l2,
	bool_and(abs((a.v <#> b.v) - (a.v::sparsevec <#> b.v::sparsevec)) <= 1e-4) AS ip,
	bool_and(abs((a.v <+> b.v) - (a.v::sparsevec <+> b.v::sparsevec)) <= 1e-5 * (a.v <+> b.v)) AS l1,
	bool_and(abs((a.v <=> b.v) - (a.v::sparsevec <=> b.v::sparsevec)) <= 1e-6
		OR (a.v <=> b.v) = 'NaN' AND (a.v::sparsevec <=> b.v::sparsevec) = 'NaN') AS cosine
	FROM sparsevec_rand a, sparsevec_rand b;
SELECT bool_and(abs(l2_norm(v::sparsevec) - vector_norm(v)) <= 1e-12 * vector_norm(v)) AS norm
	FROM sparsevec_rand;
DROP TABLE sparsevec_rand;

-- Norms
SELECT l2_norm('{1:3,2:4}/2'::sparsevec);
SELECT l2_norm('{}/2'::sparsevec);
SELECT l2_norm('{1:3e38,2:3e38}/2'::sparsevec);
SELECT l2_normalize('{1:3,3:4}/3'::sparsevec);
SELECT l2_normalize('{}/3'::sparsevec);
SELECT l2_normalize('{1:3e38,2:1e-38}/2'::sparsevec);

-- Comparison (as the dense forms) and the btree operator class
SELECT '{1:1}/3'::sparsevec < '{2:1}/3', '{2:1}/3'::sparsevec < '{1:1}/3',
	'{1:-1}/3'::sparsevec < '{}/3', '{}/3'::sparsevec < '{1:-1}/3';
SELECT '{1:1}/2'::sparsevec = '{1:1}/2', '{1:1}/2'::sparsevec = '{1:1}/3', '{1:1}/2'::sparsevec < '{1:1}/3',
	'{1:2}/2'::sparsevec > '{1:1}/3', '{2:1}/3'::sparsevec <> '{2:1}/3';
SELECT sparsevec_cmp('{3:1}/3', '{}/2'), sparsevec_cmp('{}/2', '{3:1}/3'), sparsevec_cmp('{3:-1}/3', '{}/2');
SELECT '{1:1,2:2}/2'::sparsevec <= '{1:1,2:2}/2', '{1:1,2:2}/2'::sparsevec >= '{1:1,2:3}/2';
CREATE TABLE sparsevec_btree_t (v sparsevec);
INSERT INTO sparsevec_btree_t VALUES ('{1:1}/3'), ('{}/3'), ('{2:1}/3'), ('{1:-1}/3'), (NULL), ('{1:1}/2'),
	('{1:1,3:1}/3'), ('{1:1}/3');
CREATE INDEX ON sparsevec_btree_t (v);
SET enable_seqscan = off;
SELECT v FROM sparsevec_btree_t ORDER BY v;
SELECT v FROM sparsevec_btree_t WHERE v = '{1:1}/3';
RESET enable_seqscan;
SELECT DISTINCT v FROM sparsevec_btree_t ORDER BY v;
DROP TABLE sparsevec_btree_t;

-- Casts
SELECT '[1,0,2,0,-0]'::vector::sparsevec;
SELECT '[0,0]'::vector::sparsevec;
SELECT '{1:1,3:2}/4'::sparsevec::vector;
SELECT '{}/2'::sparsevec::vector;
SELECT '[1,0,2.5]'::halfvec::sparsevec;
SELECT '{1:0.1,3:2}/3'::sparsevec::halfvec;
SELECT '{1:1e-10}/1'::sparsevec::halfvec;
SELECT '[1,2]'::vector::sparsevec(2);
SELECT '[1,2]'::vector::sparsevec(3);
SELECT '{1:1}/2'::sparsevec::vector(3);
SELECT '{1:1}/2'::sparsevec::halfvec(3);
SELECT ARRAY[1,0,3]::sparsevec;
SELECT ARRAY[1.5,0,-2]::real[]::sparsevec;
SELECT ARRAY[0.1,0]::double precision[]::sparsevec;
SELECT ARRAY[0,1.25]::numeric[]::sparsevec;
SELECT ARRAY[1,0,3]::sparsevec(3);
SELECT ARRAY[1e-50]::double precision[]::sparsevec;
-- Implicit casts: vector and halfvec arguments meet sparsevec functions
SELECT l2_distance('{}/2'::sparsevec, '[3,4]'::vector);
SELECT '[3,4]'::halfvec::sparsevec <-> '{}/2';
-- Assignment casts into sparsevec columns
CREATE TABLE sparsevec_cast_t (v sparsevec(3));
INSERT INTO sparsevec_cast_t VALUES (ARRAY[1,0,2]), (ARRAY[0,0.5,0]::real[]), ('[0,0,7]'::vector), ('[1,2,3]'::halfvec);
SELECT v FROM sparsevec_cast_t;
DROP TABLE sparsevec_cast_t;
-- Dense forms limited by their own dimension limits
SELECT '{1:1}/16000'::sparsevec::vector IS NOT NULL AS fits;
SELECT '{1:1}/16001'::sparsevec::vector;
SELECT '{1:1}/16001'::sparsevec::halfvec;
SELECT '{1:1e5}/1'::sparsevec::halfvec;
SELECT vector_dims(array_fill(1, ARRAY[16000])::vector::sparsevec::vector);
