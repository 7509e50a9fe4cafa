-- Text input and output of the halfvec type: accepted forms, rounding to half
-- precision, printing, typmod and rejected forms with their messages.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Accepted forms; values print as the shortest decimal of the stored half
SELECT '[1,2,3]'::halfvec;
SELECT ' [ -1.5 ,  2 ,    3.25  ] '::halfvec;
SELECT E'\t[\n1,\r2\f,\0133]\n'::halfvec;
SELECT '[0.1,0.2,0.3]'::halfvec;
SELECT '[1.23456]'::halfvec;
SELECT '[65504,-65504]'::halfvec;
SELECT '[65519.99]'::halfvec;
SELECT '[2049,2051,4097]'::halfvec;
SELECT '[6e-8,3e-8,1e-10,5.960464477539063e-8]'::halfvec;
SELECT '[6.1035156e-05,6.097555e-05]'::halfvec;
SELECT '[-0]'::halfvec;
SELECT '[1e-45]'::halfvec;
SELECT '[1e2,-2.5e-3,+4]'::halfvec;

-- Rejected forms
SELECT '[65520]'::halfvec;
SELECT '[-70000,1]'::halfvec;
SELECT '[1e39]'::halfvec;
SELECT '[NaN]'::halfvec;
SELECT '[1,Infinity]'::halfvec;
SELECT '[-inf]'::halfvec;
SELECT '[70000,NaN]'::halfvec;
SELECT '[hello]'::halfvec;
SELECT '[1,2'::halfvec;
SELECT '[1,,2]'::halfvec;
SELECT '[1,]'::halfvec;
SELECT '1,2'::halfvec;
SELECT ''::halfvec;
SELECT '[1] x'::halfvec;
SELECT '[]'::halfvec;
SELECT ('[' || repeat('1,', 16000) || '1]')::halfvec;
SELECT vector_dims(('[' || repeat('1,', 15999) || '1]')::halfvec);

-- Type modifier
SELECT '[1,2,3]'::halfvec(3);
SELECT '[1,2]'::halfvec(3);
SELECT '[1,2,3]'::halfvec(2);
SELECT '[1]'::halfvec(0);
SELECT '[1]'::halfvec(16001);
SELECT '[1]'::halfvec(2,3);
CREATE TABLE halfvec_typmod_t (v halfvec(3));
INSERT INTO halfvec_typmod_t VALUES ('[1,2,3]'), (NULL);
INSERT INTO halfvec_typmod_t VALUES ('[1,2]');
INSERT INTO halfvec_typmod_t VALUES ('[1,2,3]'::halfvec);
INSERT INTO halfvec_typmod_t VALUES ('[1,2,3,4]'::halfvec);
SELECT v FROM halfvec_typmod_t ORDER BY v;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
	WHERE attrelid = 'halfvec_typmod_t'::regclass AND attname = 'v';
DROP TABLE halfvec_typmod_t;
