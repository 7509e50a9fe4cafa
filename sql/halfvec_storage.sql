-- On-disk layout of halfvec (pgvector's: int32 varlena header, int16 dim,
-- int16 unused, binary16 values), binary send/recv, COPY in binary format,
-- malformed binary input, and TOAST.
\set SHOW_CONTEXT never

SELECT pg_column_size('[1,2,3]'::halfvec);
SELECT halfvec_send('[1,2,3]'::halfvec);
SELECT halfvec_send('[-0.5,6e-8,65504,-0]'::halfvec);

-- Binary COPY round trip
CREATE TABLE halfvec_storage_t (id int, v halfvec);
INSERT INTO halfvec_storage_t VALUES (1, '[1,2,3]'), (2, '[-1.5,0.25]'), (3, NULL), (4, '[6e-8,65504,-0,0.1]');
COPY halfvec_storage_t TO '/tmp/halfvec_storage_test.bin' WITH (FORMAT binary);
CREATE TABLE halfvec_storage_copy (id int, v halfvec);
COPY halfvec_storage_copy FROM '/tmp/halfvec_storage_test.bin' WITH (FORMAT binary);
SELECT a.id, a.v, b.v, a.v = b.v AS same, halfvec_send(a.v) = halfvec_send(b.v) AS same_bytes
	FROM halfvec_storage_t a JOIN halfvec_storage_copy b USING (id) ORDER BY id;
-- A binary row whose dimension does not fit halfvec(2)
CREATE TABLE halfvec_storage_typmod (id int, v halfvec(2));
COPY halfvec_storage_typmod FROM '/tmp/halfvec_storage_test.bin' WITH (FORMAT binary);
DROP TABLE halfvec_storage_typmod;

-- Large halfvecs are stored out of line without compression (STORAGE external)
INSERT INTO halfvec_storage_t SELECT 5, array_fill(1.5, ARRAY[16000])::halfvec;
SELECT id, vector_dims(v), pg_column_size(v) FROM halfvec_storage_t WHERE id = 5;
SELECT typstorage FROM pg_type WHERE typname = 'halfvec';
DROP TABLE halfvec_storage_t, halfvec_storage_copy;

-- halfvec_recv rejects malformed binary input: write a binary COPY file
-- holding one row with the given field bytes, then load it.
CREATE FUNCTION write_halfvec_copy(field bytea) RETURNS void AS $$
DECLARE
	file bytea := '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
		|| '\x0001'::bytea || int4send(length(field)) || field || '\xffff'::bytea;
BEGIN
	EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
		translate(encode(file, 'base64'), E'\n', ''), 'base64 -d > /tmp/halfvec_recv_test.bin');
END
$$ LANGUAGE plpgsql;
CREATE TABLE halfvec_recv_t (v halfvec);
-- valid: dim 2, [1, -2]
SELECT write_halfvec_copy('\x000200003c00c000');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
SELECT v FROM halfvec_recv_t;
-- dimension 0
SELECT write_halfvec_copy('\x00000000');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
-- negative dimension
SELECT write_halfvec_copy('\xffff0000');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
-- 16001 dimensions
SELECT write_halfvec_copy('\x3e810000');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
-- unused is not 0
SELECT write_halfvec_copy('\x000100013c00');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
-- fewer values than the dimension says
SELECT write_halfvec_copy('\x000300003c00');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
-- NaN and infinity
SELECT write_halfvec_copy('\x000100007e00');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
SELECT write_halfvec_copy('\x00010000fc00');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
-- trailing garbage after the values
SELECT write_halfvec_copy('\x000100003c00ff');
COPY halfvec_recv_t FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
-- typmod applies to binary input
CREATE TABLE halfvec_recv_typmod (v halfvec(3));
SELECT write_halfvec_copy('\x000200003c00c000');
COPY halfvec_recv_typmod FROM '/tmp/halfvec_recv_test.bin' WITH (FORMAT binary);
SELECT count(*) FROM halfvec_recv_t;
DROP TABLE halfvec_recv_t, halfvec_recv_typmod;
DROP FUNCTION write_halfvec_copy(bytea);
