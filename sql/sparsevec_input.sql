-- Text input and output of the sparsevec type: accepted forms (indices are
-- 1-based, sorted on input, zeros dropped), typmod and rejected forms.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- Accepted forms
SELECT '{1:1.5,3:3.5}/5'::sparsevec;
SELECT ' { 1 : 1.5 , 3:-2e1 }  /  5 '::sparsevec;
SELECT E'\t{\n1:1,\r2:2\f}\n/2\n'::sparsevec;
SELECT '{3:3,1:1,2:2}/3'::sparsevec;
SELECT '{1:0,2:1,3:-0}/3'::sparsevec;
SELECT '{}/5'::sparsevec;
SELECT '{ }/1'::sparsevec;
SELECT '{1:0.1}/1'::sparsevec;
SELECT '{1:1e-45,2:3.4028235e38}/2'::sparsevec;
SELECT '{1000000000:1}/1000000000'::sparsevec;
SELECT '{+2:1}/+3'::sparsevec;

-- Rejected forms
SELECT '{1:1,1:2}/3'::sparsevec;
SELECT '{2:1,1:2,2:3}/3'::sparsevec;
SELECT '{0:1}/3'::sparsevec;
SELECT '{4:1}/3'::sparsevec;
SELECT '{-1:1}/3'::sparsevec;
SELECT '{2147483648:1}/3'::sparsevec;
SELECT '{-2147483649:1}/3'::sparsevec;
SELECT '{1:NaN}/3'::sparsevec;
SELECT '{1:Infinity}/3'::sparsevec;
SELECT '{1:-inf}/3'::sparsevec;
SELECT '{1:1e39}/3'::sparsevec;
SELECT '{1:1e-46}/3'::sparsevec;
SELECT '{1:1}/0'::sparsevec;
SELECT '{}/-1'::sparsevec;
SELECT '{1:1}/1000000001'::sparsevec;
SELECT '{1:1}/99999999999'::sparsevec;
SELECT '{1:1}'::sparsevec;
SELECT '{1:1}/'::sparsevec;
SELECT '{1:1}/x'::sparsevec;
SELECT '{1:1}/3 x'::sparsevec;
SELECT '{1:1}/3.5'::sparsevec;
SELECT '1:1/3'::sparsevec;
SELECT ''::sparsevec;
SELECT '{'::sparsevec;
SELECT '{1}/3'::sparsevec;
SELECT '{1:}/3'::sparsevec;
SELECT '{:1}/3'::sparsevec;
SELECT '{1:1,}/3'::sparsevec;
SELECT '{,1:1}/3'::sparsevec;
SELECT '{1:1 2:2}/3'::sparsevec;
SELECT '{a:1}/3'::sparsevec;
-- The non-zero limit counts the pairs written, zeros included
SELECT ('{' || string_agg(i || ':1', ',') || '}/20000')::sparsevec FROM generate_series(1, 16001) i;
SELECT ('{' || string_agg(i || ':0', ',') || '}/20000')::sparsevec FROM generate_series(1, 16001) i;
SELECT l2_norm(('{' || string_agg(i || ':1', ',') || '}/20000')::sparsevec) FROM generate_series(1, 16000) i;

-- Type modifier
SELECT '{1:1}/3'::sparsevec(3);
SELECT '{1:1}/3'::sparsevec(2);
SELECT '{1:1}/3'::sparsevec(0);
SELECT '{1:1}/3'::sparsevec(1000000001);
SELECT '{1:1}/3'::sparsevec(1000000000);
SELECT '{1:1}/3'::sparsevec(2,3);
CREATE TABLE sparsevec_typmod_t (v sparsevec(3));
INSERT INTO sparsevec_typmod_t VALUES ('{1:1}/3'), (NULL);
INSERT INTO sparsevec_typmod_t VALUES ('{1:1}/4');
INSERT INTO sparsevec_typmod_t VALUES ('{2:1}/3'::sparsevec);
INSERT INTO sparsevec_typmod_t VALUES ('{2:1}/2'::sparsevec);
SELECT v FROM sparsevec_typmod_t ORDER BY v;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute
	WHERE attrelid = 'sparsevec_typmod_t'::regclass AND attname = 'v';
DROP TABLE sparsevec_typmod_t;
