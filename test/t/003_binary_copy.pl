# Binary COPY (vector_send / vector_recv): vectors written with COPY ... (FORMAT binary)
# use pgvector's wire format (int16 dim, int16 unused = 0, dim big-endian float4) and
# read back bit for bit, including values the text form cannot carry exactly
# (subnormals, -0); vector_recv rejects malformed input as pgvector does.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
my $dir = PostgreSQL::Test::Utils::tempdir;

my $header = "PGCOPY\n\377\r\n\0" . pack('N N', 0, 0);
my $trailer = pack('n', 0xFFFF);

# vector_field(DIM, UNUSED, FLOAT_BYTES): one binary COPY field holding a vector.
sub vector_field
{
	my ($dim, $unused, $floats) = @_;
	my $data = pack('n n', $dim, $unused) . $floats;
	return pack('N', length $data) . $data;
}

# copy_file(\@ROWS): a binary COPY file of (id int4, v vector) rows; each row is
# [id, FIELD] with FIELD from vector_field, or undef for NULL.
sub copy_file
{
	my ($rows) = @_;
	my $out = $header;
	for my $row (@$rows)
	{
		my ($id, $field) = @$row;
		$out .= pack('n', 2) . pack('N N', 4, $id) . ($field // pack('N', 0xFFFFFFFF));
	}
	return $out . $trailer;
}

# write_bytes(NAME, BYTES): writes a file in the test's directory; returns its path.
sub write_bytes
{
	my ($name, $bytes) = @_;
	my $path = "$dir/$name";
	open(my $fh, '>:raw', $path) or die "could not write $path: $!";
	print $fh $bytes;
	close $fh or die "could not write $path: $!";
	return $path;
}

# read_bytes(PATH): the file's contents.
sub read_bytes
{
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die "could not open $path: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	return $bytes;
}

# 1. Text in, binary out: the bytes are pgvector's format.
$node->safe_psql(
	'postgres', q{
	CREATE TABLE t (id int, v vector);
	INSERT INTO t VALUES
		(1, '[1,2,3]'),
		(2, '[-0.5,0.25,1e-30,3.4e38,-3.4e38]'),
		(3, '[0.1]'),
		(4, NULL),
		(5, '[-0,0,1.17549435e-38]');
	INSERT INTO t SELECT 6, array_fill(0.125::real, ARRAY[16000])::vector;
	INSERT INTO t SELECT 100 + i, ARRAY[sin(i), cos(i), i / 7.0, -i * 1000.0]::real[]::vector
		FROM generate_series(1, 200) i;
});
my $out = "$dir/t.bin";
$node->safe_psql('postgres', "COPY (SELECT id, v FROM t ORDER BY id) TO '$out' (FORMAT binary)");
my $bytes = read_bytes($out);
is(substr($bytes, 0, length $header), $header, 'binary COPY header');

# Parse the tuples of the file written by the server.
my %parsed;
my $pos = length $header;
while (1)
{
	my $nfields = unpack('n', substr($bytes, $pos, 2));
	$pos += 2;
	last if $nfields == 0xFFFF;
	my ($idlen, $id) = unpack('N N', substr($bytes, $pos, 8));
	$pos += 8;
	my $len = unpack('N', substr($bytes, $pos, 4));
	$pos += 4;
	if ($len == 0xFFFFFFFF)
	{
		$parsed{$id} = undef;
		next;
	}
	$parsed{$id} = substr($bytes, $pos, $len);
	$pos += $len;
}
is($pos, length $bytes, 'the binary file ends after the trailer');
is(scalar keys %parsed, 206, 'every row is in the binary file');
ok(!defined $parsed{4}, 'NULL is written as a NULL field');
is(unpack('H*', $parsed{1}), '00030000' . '3f800000' . '40000000' . '40400000',
	'[1,2,3] is int16 dim, int16 unused 0, big-endian float4');
is(length $parsed{6}, 4 + 4 * 16000, '16000 dimensions');
is(unpack('H*', substr($parsed{5}, 0, 8)), '00030000' . '80000000', '-0 keeps its sign');
my @v2 = unpack('f>*', substr($parsed{2}, 4));
is(unpack('n', $parsed{2}), 5, 'dimension of a 5-d vector');
ok(close_enough($v2[2], 1e-30, 1e-6) && close_enough($v2[3], 3.4e38, 1e-6), 'float4 values as written');

# 2. Binary round trip: COPY FROM the server's own file and compare.
$node->safe_psql('postgres', "CREATE TABLE t2 (id int, v vector); COPY t2 FROM '$out' (FORMAT binary)");
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM t FULL JOIN t2 USING (id) WHERE t.v IS DISTINCT FROM t2.v OR t.v::text IS DISTINCT FROM t2.v::text'
	),
	'0',
	'binary round trip preserves every vector');
my $out2 = "$dir/t2.bin";
$node->safe_psql('postgres', "COPY (SELECT id, v FROM t2 ORDER BY id) TO '$out2' (FORMAT binary)");
ok(read_bytes($out2) eq $bytes, 'writing the copy again gives the same bytes');

# 3. Bit patterns the text form does not carry: subnormals, -0, extremes, random bits.
srand(7);
my @patterns = (0x00000001, 0x80000001, 0x007FFFFF, 0x80000000, 0x00000000, 0x7F7FFFFF, 0xFF7FFFFF, 0x00800000);
for (1 .. 200)
{
	my $bits = int(rand(2**32));
	# Keep finite values: NaN and infinity (exponent all ones) are rejected.
	push @patterns, $bits if (($bits >> 23) & 0xFF) != 0xFF;
}
my $floats = pack('N*', @patterns);
my $crafted = copy_file([ [ 1, vector_field(scalar @patterns, 0, $floats) ], [ 2, undef ] ]);
my $in = write_bytes('crafted.bin', $crafted);
$node->safe_psql('postgres', "CREATE TABLE t3 (id int, v vector); COPY t3 FROM '$in' (FORMAT binary)");
is($node->safe_psql('postgres', 'SELECT vector_dims(v) FROM t3 WHERE id = 1'), scalar @patterns, 'crafted vector read');
my $out3 = "$dir/t3.bin";
$node->safe_psql('postgres', "COPY (SELECT id, v FROM t3 ORDER BY id) TO '$out3' (FORMAT binary)");
ok(read_bytes($out3) eq $crafted, 'every finite float4 bit pattern round-trips exactly');

# 4. Typmod and malformed input are rejected.
# copy_error(NAME, TABLE, BYTES): the error of COPY TABLE FROM a file holding BYTES.
sub copy_error
{
	my ($name, $table, $bytes) = @_;
	my $path = write_bytes("$name.bin", $bytes);
	my ($ret, $stdout, $stderr) = $node->psql('postgres', "COPY $table FROM '$path' (FORMAT binary)");
	isnt($ret, 0, "$name: COPY fails");
	return $stderr;
}

my $one = pack('f>', 1.0);
$node->safe_psql('postgres', 'CREATE TABLE t_dim3 (id int, v vector(3))');
like(copy_error('typmod', 't_dim3', copy_file([ [ 1, vector_field(4, 0, $one x 4) ] ])),
	qr/expected 3 dimensions, not 4/, 'typmod: vector(3) rejects 4 dimensions');
like(copy_error('unused', 't3', copy_file([ [ 1, vector_field(1, 1, $one) ] ])),
	qr/expected unused to be 0, not 1/, 'unused: must be 0');
like(copy_error('nan', 't3', copy_file([ [ 1, vector_field(2, 0, $one . pack('N', 0x7FC00000)) ] ])),
	qr/NaN not allowed in vector/, 'NaN rejected');
like(copy_error('inf', 't3', copy_file([ [ 1, vector_field(2, 0, pack('N', 0xFF800000) . $one) ] ])),
	qr/infinite value not allowed in vector/, 'infinity rejected');
like(copy_error('zero_dim', 't3', copy_file([ [ 1, vector_field(0, 0, '') ] ])),
	qr/vector must have at least 1 dimension/, 'zero dimensions rejected');
like(copy_error('too_many', 't3', copy_file([ [ 1, vector_field(16001, 0, $one x 16001) ] ])),
	qr/vector cannot have more than 16000 dimensions/, 'more than 16000 dimensions rejected');
like(copy_error('short', 't3', copy_file([ [ 1, vector_field(3, 0, $one x 2) ] ])),
	qr/insufficient data left in message|incorrect binary data format/, 'truncated vector rejected');
is($node->safe_psql('postgres', 'SELECT count(*) FROM t_dim3'), '0', 'failed COPY left no rows');

$node->stop;
done_testing();
