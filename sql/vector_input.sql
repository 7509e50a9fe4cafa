-- Text input and output of the vector type: accepted forms, printing, typmod
-- and every rejected form with its SQLSTATE.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Accepted forms
SELECT '[1,2,3]'::vector;
SELECT '[-1,-2,-3]'::vector;
SELECT '[1.,2.,3.]'::vector;
SELECT ' [ 1,  2 ,    3  ] '::vector;
SELECT E'\t[\n1,\r2\f,\0133]\n'::vector;
SELECT '[1.23456]'::vector;
SELECT '[1e2,-2.5e-3,+4]'::vector;
SELECT '[1.5e38,-1.5e38]'::vector;
SELECT '[1e-45,1e-46]'::vector;
SELECT '[0x10]'::vector;
SELECT '[-0]'::vector;
SELECT '[0.1,0.2,0.3]'::vector;
SELECT '[3.4028235e38]'::vector;
SELECT '[1.17549435e-38]'::vector;
SELECT '[100000,1000000,12345678,123456789]'::vector;

-- Rejected forms
SELECT '[hello,1]'::vector;
SELECT '[NaN,1]'::vector;
SELECT '[1,Infinity]'::vector;
SELECT '[-inf]'::vector;
SELECT '[4e38,1]'::vector;
SELECT '[-4e38,1]'::vector;
SELECT '[1,2,3'::vector;
SELECT '[1,2,3]9'::vector;
SELECT '1,2,3'::vector;
SELECT ''::vector;
SELECT '['::vector;
SELECT '[ '::vector;
SELECT '[,'::vector;
SELECT '[]'::vector;
SELECT '[ ]'::vector;
SELECT '[,]'::vector;
SELECT '[1,]'::vector;
SELECT '[1a]'::vector;
SELECT '[1,,3]'::vector;
SELECT '[1 2]'::vector;
SELECT '{1,2,3}'::vector;
SELECT '[1,2,3],'::vector;

-- Dimension limits
SELECT vector_dims(('[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']')::vector);
SELECT ('[' || array_to_string(array_fill(1, ARRAY[16001]), ',') || ']')::vector;

-- Type modifier
SELECT '[1,2,3]'::vector(3);
SELECT '[1,2]'::vector(3);
SELECT '[1,2,3]'::vector(2);
SELECT '[1]'::vector(16000);
SELECT '[1]'::vector(0);
SELECT '[1]'::vector(16001);
SELECT '[1]'::vector(-1);
SELECT '[1]'::vector(1, 2);
SELECT '[1]'::vector('a');
CREATE TABLE typmod_t (v vector(3));
INSERT INTO typmod_t VALUES ('[1,2,3]');
INSERT INTO typmod_t VALUES ('[1,2]');
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'typmod_t'::regclass AND attname = 'v';
SELECT '[1,2,3]'::vector::vector(3);
SELECT '[1,2,3]'::vector::vector(2);
DROP TABLE typmod_t;

-- Output round-trips the exact float: shortest text that reads back identical
SELECT v::text::vector = v AS round_trip FROM (
	SELECT array_to_vector(ARRAY[1/3.0, 2/3.0, 1e-7, 123456.789, -0.1, 16777217]::float4[], -1, false) AS v) s;
SELECT '[0.30000001192092896]'::vector;

-- Strict functions return NULL on NULL input
SELECT NULL::vector;
SELECT vector_dims(NULL::vector);
