-- On-disk layout (pgvector's: int32 varlena header, int16 dim, int16 unused,
-- float4 values), binary send/recv, COPY in binary format, and TOAST.
\set SHOW_CONTEXT never

SELECT pg_column_size('[1,2,3]'::vector);
SELECT vector_send('[1,2,3]'::vector);
SELECT vector_send('[-0.5,1e-45]'::vector);

-- Binary COPY round trip
CREATE TABLE storage_t (id int, v vector);
INSERT INTO storage_t VALUES (1, '[1,2,3]'), (2, '[-1.5,0.25]'), (3, NULL), (4, '[1e-45,3.4028235e38,-0]');
COPY storage_t TO '/tmp/vector_storage_test.bin' WITH (FORMAT binary);
CREATE TABLE storage_copy (id int, v vector);
COPY storage_copy FROM '/tmp/vector_storage_test.bin' WITH (FORMAT binary);
SELECT a.id, a.v, b.v, a.v = b.v AS same, vector_send(a.v) = vector_send(b.v) AS same_bytes
	FROM storage_t a JOIN storage_copy b USING (id) ORDER BY id;
-- A binary row with a dimension that does not fit vector(2)
CREATE TABLE storage_typmod (id int, v vector(2));
COPY storage_typmod FROM '/tmp/vector_storage_test.bin' WITH (FORMAT binary);
DROP TABLE storage_typmod;

-- Large vectors are stored out of line without compression (STORAGE external)
INSERT INTO storage_t SELECT 5, array_fill(1.5, ARRAY[16000])::vector;
SELECT id, vector_dims(v), pg_column_size(v) FROM storage_t WHERE id = 5;
SELECT typstorage FROM pg_type WHERE typname = 'vector';
DROP TABLE storage_t, storage_copy;

-- vector_recv rejects malformed binary input: write a binary COPY file holding
-- one row with the given field bytes, then load it.
CREATE FUNCTION write_binary_copy(field bytea) RETURNS void AS $$
DECLARE
	file bytea := '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
		|| '\x0001'::bytea || int4send(length(field)) || field || '\xffff'::bytea;
BEGIN
	EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
		translate(encode(file, 'base64'), E'\n', ''), 'base64 -d > /tmp/vector_recv_test.bin');
END
$$ LANGUAGE plpgsql;
CREATE TABLE recv_t (v vector);
SELECT write_binary_copy('\x000200003f80000040000000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT v FROM recv_t;
SELECT write_binary_copy('\x00000000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\xffff0000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\x3e810000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\x000100013f800000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\x000100007fc00000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\x00010000ff800000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\x000200003f800000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\x000100003f80000000');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT write_binary_copy('\x0001');
COPY recv_t FROM '/tmp/vector_recv_test.bin' WITH (FORMAT binary);
SELECT count(*) FROM recv_t;
DROP TABLE recv_t;
DROP FUNCTION write_binary_copy(bytea);
