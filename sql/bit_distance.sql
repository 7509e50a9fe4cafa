-- Hamming (<~>) and Jaccard (<%>) distances between bit strings, alone and on
-- binary_quantize results, with lengths that exercise the popcount loops
-- (whole words, 64-byte blocks and their tails).
\set SHOW_CONTEXT never

SELECT hamming_distance(B'111', B'111'), hamming_distance(B'111', B'110'), hamming_distance(B'111', B'000');
SELECT B'1100' <~> B'1010', B'1100' <%> B'1010';
SELECT jaccard_distance(B'1111', B'1111'), jaccard_distance(B'1111', B'0000'), jaccard_distance(B'0000', B'0000');
SELECT jaccard_distance(B'1100', B'1000'), jaccard_distance(B'1', B'1');
SELECT B'1'::varbit <~> B'0'::varbit, B'10101'::bit(5) <%> B'10001'::varbit;
SELECT hamming_distance(B'', B''), jaccard_distance(B'', B'');
SELECT NULL::bit <~> B'1';

-- Lengths around the 8-byte word and the 64-byte block, against a per-bit count
CREATE TABLE bit_distance_t (n int, a varbit, b varbit);
SELECT setseed(0.25);
INSERT INTO bit_distance_t
	SELECT n, (SELECT string_agg(CASE WHEN random() < 0.5 THEN '1' ELSE '0' END, '') FROM generate_series(1, n) WHERE n > 0)::varbit,
		(SELECT string_agg(CASE WHEN random() < 0.3 THEN '1' ELSE '0' END, '') FROM generate_series(1, n) WHERE n > 0)::varbit
	FROM unnest(ARRAY[1, 7, 8, 9, 63, 64, 65, 511, 512, 513, 1000, 4099]) n;
SELECT n,
	a <~> b = (SELECT count(*) FROM generate_series(0, n - 1) i WHERE get_bit(a, i) <> get_bit(b, i)) AS hamming_ok,
	a <%> b = (SELECT CASE WHEN sum(get_bit(a, i) & get_bit(b, i)) = 0 THEN 1
			ELSE 1 - sum(get_bit(a, i) & get_bit(b, i))::float8 / sum(get_bit(a, i) | get_bit(b, i)) END
		FROM generate_series(0, n - 1) i) AS jaccard_ok,
	a <~> a AS self_hamming, a <%> a AS self_jaccard
	FROM bit_distance_t ORDER BY n;
DROP TABLE bit_distance_t;

-- On binary_quantize results
SELECT binary_quantize('[1,-1,2,-2]'::vector) <~> binary_quantize('[1,1,-2,-2]'::vector);
SELECT binary_quantize('[1,-1,2,-2]'::halfvec) <%> binary_quantize('[1,1,-2,-2]'::halfvec);
CREATE TABLE bit_items (id int, embedding vector(3));
INSERT INTO bit_items VALUES (1, '[1,1,1]'), (2, '[-1,-1,-1]'), (3, '[1,-1,1]'), (4, NULL);
SELECT id, binary_quantize(embedding) <~> binary_quantize('[1,1,-1]'::vector) AS hamming
	FROM bit_items ORDER BY hamming, id;
DROP TABLE bit_items;

-- Different lengths are an error
SELECT B'111' <~> B'11';
SELECT hamming_distance(B'1', B'');
SELECT B'111' <%> B'1111';
SELECT jaccard_distance(B'1'::varbit, B'10'::varbit);
