# An hnsw index of format version 1 (one heap TID per element, before identical rows shared an
# element) is refused by every entry point with a clear error whose hint says REINDEX INDEX:
# scans, inserts, VACUUM, vector_index_check and vector_index_stats. The server stays up, nothing
# is written to the index, and REINDEX makes it usable again. The old index is staged by
# rewriting the version in the metapage of a current index, server stopped (the rest of its
# pages does not matter: nothing may read them).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorIndexCheck;

my $node = PostgreSQL::Test::Cluster->new('format_v1');
$node->init;
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres',
	"CREATE TABLE t (id int, v vector(3)); INSERT INTO t SELECT i, ARRAY[i % 7, i % 5, 1] FROM generate_series(1, 200) i; "
	  . 'CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops); CHECKPOINT');
my $file = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('t_idx')");
$node->stop;

# The metapage's version (uint32 at offset 4 of the content, after the 24-byte page header).
open(my $fh, '+<:raw', $file) or die "$file: $!";
seek($fh, 24 + 4, 0) or die $!;
read($fh, my $version, 4) == 4 or die $!;
is(unpack('V', $version), 2, 'a new index has format version 2');
seek($fh, 24 + 4, 0) or die $!;
print $fh pack('V', 1);
close $fh or die $!;
$node->start;

my @entry_points = (
	[ 'scan', "SET enable_seqscan = off; SELECT id FROM t ORDER BY v <-> '[1,1,1]' LIMIT 3" ],
	[ 'insert', "INSERT INTO t VALUES (201, '[1,1,1]')" ],
	[ 'vacuum', 'DELETE FROM t WHERE id <= 10; VACUUM t' ],
	[ 'vector_index_check', "SELECT * FROM vector_index_check('t_idx')" ],
	[ 'vector_index_stats', "SELECT * FROM vector_index_stats('t_idx')" ],);
for my $e (@entry_points)
{
	my ($name, $sql) = @$e;
	my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	isnt($rc, 0, "$name fails on a version 1 index");
	like($err, qr/ERROR:  0A000: hnsw index "t_idx" has format version 1, this build reads versions 2 and 3/,
		"$name: the error names the index and the versions (feature not supported)");
	like($err, qr/HINT:  Rebuild the index with REINDEX INDEX public\.t_idx\./, "$name: the hint says REINDEX INDEX");
}
# (The DELETE before the failed VACUUM committed; the failed INSERT did not.)
is($node->safe_psql('postgres', 'SELECT count(*) FROM t'), '190', 'the failed insert added no row');

$node->safe_psql('postgres', 'REINDEX INDEX t_idx');
is( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> '[1,1,1]' LIMIT 5) s"),
	'5',
	'after REINDEX the index scans');
$node->safe_psql('postgres', "INSERT INTO t VALUES (201, '[1,1,1]'); DELETE FROM t WHERE id <= 10; VACUUM t");
index_check_clean($node, 't_idx', 'after REINDEX, an insert and VACUUM');
is( $node->safe_psql('postgres',
		"SET enable_seqscan = off; SELECT count(*) FROM (SELECT id FROM t ORDER BY v <-> '[1,1,1]') s"),
	'191',
	'every row comes back from the rebuilt index');

$node->stop;
done_testing();
