-- Casts between vector and arrays.
\set SHOW_CONTEXT never

SELECT ARRAY[1,2,3]::vector;
SELECT ARRAY[1.0,2.0,3.0]::vector;
SELECT ARRAY[1,2,3]::float4[]::vector;
SELECT ARRAY[1,2,3]::float8[]::vector;
SELECT ARRAY[1,2,3]::numeric[]::vector;
SELECT ARRAY[1.1234567,2.1234567]::float8[]::vector;
SELECT '{NULL}'::real[]::vector;
SELECT '{1,NULL,2}'::int[]::vector;
SELECT '{NaN}'::real[]::vector;
SELECT '{Infinity}'::real[]::vector;
SELECT '{-Infinity}'::real[]::vector;
SELECT '{1e300}'::float8[]::vector;
SELECT '{1e-300}'::float8[]::vector;
SELECT '{NaN}'::numeric[]::vector;
SELECT '{1e100}'::numeric[]::vector;
SELECT '{}'::real[]::vector;
SELECT '{{1,2},{3,4}}'::real[]::vector;
SELECT '{1,2,3}'::real[]::vector(2);
SELECT '{1,2,3}'::real[]::vector(3);
SELECT array_fill(1, ARRAY[16001])::vector;
SELECT ARRAY[1,2,3]::smallint[]::vector;
SELECT ARRAY['1','2']::text[]::vector;
SELECT array_to_vector(ARRAY[1,2,3]::bigint[], -1, false);

-- vector to real[]
SELECT '[1,2,3]'::vector::real[];
SELECT '[1.5,-2.25]'::vector::float4[];
SELECT ('[' || array_to_string(array_fill(7, ARRAY[16000]), ',') || ']')::vector::real[] = array_fill(7::real, ARRAY[16000]);

-- Assignment casts let arrays go into vector columns
CREATE TABLE cast_t (v vector(3));
INSERT INTO cast_t VALUES (ARRAY[1,2,3]), (ARRAY[4.5,5,6]::float8[]), ('{7,8,9}'::real[]);
INSERT INTO cast_t VALUES (ARRAY[1,2]);
SELECT v FROM cast_t ORDER BY v;
DROP TABLE cast_t;
