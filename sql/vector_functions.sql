-- Distance functions, operators and utility functions of the vector type.
\set SHOW_CONTEXT never

-- L2
SELECT l2_distance('[0,0]'::vector, '[3,4]'::vector);
SELECT l2_distance('[0,0]'::vector, '[0,1]'::vector);
SELECT '[0,0]'::vector <-> '[3,4]';
SELECT l2_distance('[1,2]'::vector, '[3]'::vector);
SELECT l2_distance('[3e38]'::vector, '[-3e38]'::vector);
SELECT vector_l2_squared_distance('[0,0]'::vector, '[3,4]'::vector);
SELECT l2_distance('[1,1,1,1,1,1,1,1,1]'::vector, '[1,1,1,1,1,1,1,1,1]'::vector);

-- Inner product
SELECT inner_product('[1,2]'::vector, '[3,4]'::vector);
SELECT '[1,2]'::vector <#> '[3,4]';
SELECT vector_negative_inner_product('[1,2]'::vector, '[3,4]'::vector);
SELECT inner_product('[1,2]'::vector, '[3]'::vector);
SELECT inner_product('[3e38]'::vector, '[3e38]'::vector);

-- Cosine
SELECT cosine_distance('[1,2]'::vector, '[2,4]'::vector);
SELECT cosine_distance('[1,2]'::vector, '[0,0]'::vector);
SELECT cosine_distance('[1,1]'::vector, '[1,1]'::vector);
SELECT cosine_distance('[1,0]'::vector, '[0,2]'::vector);
SELECT cosine_distance('[1,1]'::vector, '[-1,-1]'::vector);
SELECT '[1,2]'::vector <=> '[2,4]';
SELECT cosine_distance('[1,2]'::vector, '[3]'::vector);
SELECT cosine_distance('[1,1]'::vector, '[1.1,1.1]'::vector);
SELECT cosine_distance('[1,1]'::vector, '[-1.1,-1.1]'::vector);
SELECT cosine_distance('[3e38]'::vector, '[3e38]'::vector);
SELECT vector_spherical_distance('[1,0]'::vector, '[0,1]'::vector);
SELECT vector_spherical_distance('[1,0]'::vector, '[1,0]'::vector);

-- L1
SELECT l1_distance('[0,0]'::vector, '[3,4]'::vector);
SELECT l1_distance('[0,0]'::vector, '[0,1]'::vector);
SELECT '[0,0]'::vector <+> '[3,4]';
SELECT l1_distance('[1,2]'::vector, '[3]'::vector);
SELECT l1_distance('[3e38]'::vector, '[-3e38]'::vector);

-- Long vectors exercise the SIMD kernels and their tails; float sums depend on
-- the summation order, so compare with exact values at float precision.
SELECT n,
	abs(l2_distance(a, b) - sqrt(l2)) <= 1e-4 * sqrt(l2) AS l2_ok,
	abs(inner_product(a, b) - ip) <= 1e-4 * abs_ip AS ip_ok,
	abs(cosine_distance(a, b) - (1 - ip / sqrt(na * nb))) <= 1e-4 AS cos_ok,
	abs(l1_distance(a, b) - l1) <= 1e-4 * l1 AS l1_ok,
	abs(vector_norm(a) - sqrt(na)) <= 1e-12 * sqrt(na) AS norm_ok
FROM (
	SELECT n, array_agg(x ORDER BY i)::vector AS a, array_agg(y ORDER BY i)::vector AS b,
		sum((x - y) ^ 2) AS l2, sum(x * y) AS ip, sum(abs(x * y)) AS abs_ip,
		sum(abs(x - y)) AS l1, sum(x * x) AS na, sum(y * y) AS nb
	FROM (SELECT n, i, (sin(i) * 100)::real::float8 AS x, (cos(i * 7) * 3)::real::float8 AS y
		FROM unnest(ARRAY[1, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 999, 1536, 16000]) n,
			generate_series(1, n) i) s
	GROUP BY n) t
ORDER BY n;

-- Norm, dims, normalize
SELECT vector_dims('[1,2,3]'::vector);
SELECT vector_norm('[1,1]'::vector);
SELECT vector_norm('[3,4]'::vector);
SELECT vector_norm('[0,1]'::vector);
SELECT vector_norm('[3e37,4e37]'::vector)::real;
SELECT l2_normalize('[3,4]'::vector);
SELECT l2_normalize('[3,0]'::vector);
SELECT l2_normalize('[0,0.1]'::vector);
SELECT l2_normalize('[0,0]'::vector);
SELECT l2_normalize('[3e38]'::vector);

-- Arithmetic
SELECT '[1,2,3]'::vector + '[4,5,6]';
SELECT '[3e38]'::vector + '[3e38]';
SELECT '[1,2]'::vector + '[3]';
SELECT '[1,2,3]'::vector - '[4,5,6]';
SELECT '[-3e38]'::vector - '[3e38]';
SELECT '[1,2,3]'::vector * '[4,5,6]';
SELECT '[1e37]'::vector * '[1e37]';
SELECT '[1e-37]'::vector * '[1e-37]';
SELECT '[1,2,3]'::vector || '[4,5]';
SELECT array_fill(0, ARRAY[16000])::vector || '[1]';

-- Subvector
SELECT subvector('[1,2,3,4,5]'::vector, 1, 3);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 2);
SELECT subvector('[1,2,3,4,5]'::vector, -1, 3);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 9);
SELECT subvector('[1,2,3,4,5]'::vector, 1, 0);
SELECT subvector('[1,2,3,4,5]'::vector, 3, -1);
SELECT subvector('[1,2,3,4,5]'::vector, -1, 2);
SELECT subvector('[1,2,3,4,5]'::vector, 2147483647, 10);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, -2147483644, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, 6, 1);

-- Binary quantization
SELECT binary_quantize('[1,0,-1]'::vector);
SELECT binary_quantize('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]'::vector);

-- Comparison operators
SELECT '[1,2,3]'::vector < '[1,2,3]', '[1,2,3]'::vector <= '[1,2,3]', '[1,2,3]'::vector = '[1,2,3]',
	'[1,2,3]'::vector <> '[1,2,3]', '[1,2,3]'::vector >= '[1,2,3]', '[1,2,3]'::vector > '[1,2,3]';
SELECT '[1,2,3]'::vector < '[1,2]', '[1,2]'::vector < '[1,2,3]', '[1,2,4]'::vector > '[1,3]';
SELECT vector_cmp('[1,2,3]'::vector, '[1,2,3]'::vector), vector_cmp('[1,2,3]'::vector, '[0,3,4]'::vector), vector_cmp('[1,2]'::vector, '[1,2,3]'::vector);
SELECT '[0]'::vector = '[-0]';
