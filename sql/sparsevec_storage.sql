-- On-disk layout of sparsevec (pgvector's: int32 varlena header, int32 dim,
-- int32 nnz, int32 unused, nnz int32 0-based indices, nnz float4 values),
-- binary send/recv, COPY in binary format and malformed binary input.
\set SHOW_CONTEXT never

SELECT pg_column_size('{1:1,3:2}/5'::sparsevec);
SELECT pg_column_size('{}/5'::sparsevec);
SELECT sparsevec_send('{1:1,3:-2}/5'::sparsevec);
SELECT sparsevec_send('{}/1000000000'::sparsevec);

-- Binary COPY round trip
CREATE TABLE sparsevec_storage_t (id int, v sparsevec);
INSERT INTO sparsevec_storage_t VALUES (1, '{1:1,3:2}/5'), (2, '{}/3'), (3, NULL), (4, '{1000000000:1e-45}/1000000000');
COPY sparsevec_storage_t TO '/tmp/sparsevec_storage_test.bin' WITH (FORMAT binary);
CREATE TABLE sparsevec_storage_copy (id int, v sparsevec);
COPY sparsevec_storage_copy FROM '/tmp/sparsevec_storage_test.bin' WITH (FORMAT binary);
SELECT a.id, a.v, b.v, a.v = b.v AS same, sparsevec_send(a.v) = sparsevec_send(b.v) AS same_bytes
	FROM sparsevec_storage_t a JOIN sparsevec_storage_copy b USING (id) ORDER BY id;
CREATE TABLE sparsevec_storage_typmod (id int, v sparsevec(5));
COPY sparsevec_storage_typmod FROM '/tmp/sparsevec_storage_test.bin' WITH (FORMAT binary);
SELECT typstorage FROM pg_type WHERE typname = 'sparsevec';
DROP TABLE sparsevec_storage_t, sparsevec_storage_copy, sparsevec_storage_typmod;

-- sparsevec_recv rejects malformed binary input: write a binary COPY file
-- holding one row with the given field bytes, then load it.
CREATE FUNCTION write_sparsevec_copy(field bytea) RETURNS void AS $$
DECLARE
	file bytea := '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
		|| '\x0001'::bytea || int4send(length(field)) || field || '\xffff'::bytea;
BEGIN
	EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
		translate(encode(file, 'base64'), E'\n', ''), 'base64 -d > /tmp/sparsevec_recv_test.bin');
END
$$ LANGUAGE plpgsql;
-- Builds a sparsevec binary field from its parts.
CREATE FUNCTION sparsevec_field(dim int, nnz int, unused int, indices int[], vals real[]) RETURNS bytea AS $$
	SELECT int4send(dim) || int4send(nnz) || int4send(unused)
		|| coalesce((SELECT string_agg(int4send(i), '' ORDER BY o) FROM unnest(indices) WITH ORDINALITY u(i, o)), '')
		|| coalesce((SELECT string_agg(float4send(x), '' ORDER BY o) FROM unnest(vals) WITH ORDINALITY u(x, o)), '')
$$ LANGUAGE sql;
CREATE TABLE sparsevec_recv_t (v sparsevec);
-- valid
SELECT write_sparsevec_copy(sparsevec_field(5, 2, 0, '{0,4}', '{1,-2}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT v FROM sparsevec_recv_t;
-- dimension out of range
SELECT write_sparsevec_copy(sparsevec_field(0, 0, 0, '{}', '{}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(1000000001, 0, 0, '{}', '{}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
-- nnz out of range
SELECT write_sparsevec_copy(sparsevec_field(5, -1, 0, '{}', '{}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(100000, 16001, 0, '{}', '{}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(1, 2, 0, '{0,1}', '{1,1}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
-- unused is not 0
SELECT write_sparsevec_copy(sparsevec_field(5, 1, 7, '{0}', '{1}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
-- indices: out of bounds, unsorted, duplicate
SELECT write_sparsevec_copy(sparsevec_field(5, 1, 0, '{5}', '{1}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(5, 1, 0, '{-1}', '{1}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(5, 2, 0, '{3,1}', '{1,1}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(5, 2, 0, '{1,1}', '{1,1}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
-- values: zero, NaN, infinity
SELECT write_sparsevec_copy(sparsevec_field(5, 1, 0, '{1}', '{0}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(5, 1, 0, '{1}', '{NaN}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT write_sparsevec_copy(sparsevec_field(5, 1, 0, '{1}', '{-Infinity}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
-- truncated: nnz says 2, one pair present
SELECT write_sparsevec_copy(sparsevec_field(5, 2, 0, '{1}', '{1}'));
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
-- truncated header
SELECT write_sparsevec_copy('\x00000005');
COPY sparsevec_recv_t FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
-- typmod applies to binary input
CREATE TABLE sparsevec_recv_typmod (v sparsevec(4));
SELECT write_sparsevec_copy(sparsevec_field(5, 1, 0, '{1}', '{1}'));
COPY sparsevec_recv_typmod FROM '/tmp/sparsevec_recv_test.bin' WITH (FORMAT binary);
SELECT count(*) FROM sparsevec_recv_t;
DROP TABLE sparsevec_recv_t, sparsevec_recv_typmod;
DROP FUNCTION write_sparsevec_copy(bytea);
DROP FUNCTION sparsevec_field(int, int, int, int[], real[]);
