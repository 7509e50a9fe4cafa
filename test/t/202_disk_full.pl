# Disk full during an index build, simulated: the server runs under a file size limit
# (ulimit -f, 3 MB; PostgreSQL ignores SIGXFSZ, so a write past the limit fails with EFBIG as a
# full disk fails with ENOSPC) with 1 MB WAL segments, on a table whose rows are compressed in
# the heap (1.6 MB) but stored uncompressed in the index (about 6 MB). For each access method
# the build ends with a clear ERROR, the server keeps running, no index and no index file is left
# behind, and once the limit is lifted the same build succeeds and checks clean.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorIndexCheck;

my $dim = 1000;
my $rows = 1500;
my $node = PostgreSQL::Test::Cluster->new('disk_full');
$node->init(extra => ['--wal-segsize=1']);
$node->append_conf('postgresql.conf', "autovacuum = off\nmax_wal_size = 64MB\nmin_wal_size = 4MB\nlog_min_messages = warning");

# start_limited(KB): starts the server with a file size limit (1 kB blocks), or none.
sub start_limited
{
	my ($kb) = @_;
	my $limit = defined $kb ? "ulimit -f $kb && " : '';
	my $pgdata = $node->data_dir;
	my $log = $node->logfile;
	# postgresql.conf already holds the node's port and socket directory.
	system('bash', '-c', "${limit}exec pg_ctl -D '$pgdata' -l '$log' -w start >/dev/null") == 0
	  or BAIL_OUT('could not start the server');
	$node->_update_pid(1);
	return;
}

start_limited(undef);
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
# Vectors that compress well: 1000 values repeating a pattern of 5 (distinct rows), so each 4 kB row takes about 1 kB
# in the heap (pglz) while every index keeps 4 kB per row.
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim));
INSERT INTO items SELECT i, (SELECT array_agg(((i * (d % 5 + 1)) % 1009)::real) FROM generate_series(1, $dim) d)::vector
  FROM generate_series(1, $rows) i;
SQL
my $heap_bytes = $node->safe_psql('postgres', "SELECT pg_relation_size('items')");
cmp_ok($heap_bytes, '<', 2_500_000, "the table takes $heap_bytes bytes, under the limit");
$node->stop;

my %index_sql = (
	hnsw => 'USING hnsw (embedding vector_l2_ops) WITH (m = 4, ef_construction = 8)',
	ivfflat => 'USING ivfflat (embedding vector_l2_ops) WITH (lists = 4)',
	ivf => "USING ivf (embedding vector_l2_ops) WITH (lists = 4, quantizer = 'flat')");

my $tried = 0;
for my $am (qw(hnsw ivfflat ivf))
{
	start_limited(3072);
	# (A dropped relation's first file stays, empty, until the next checkpoint.)
	my $files_before = $node->safe_psql('postgres', "CHECKPOINT; SELECT count(*) FROM pg_ls_dir('base/' || (SELECT oid FROM pg_database WHERE datname = 'postgres'))");
	my ($rc, $out, $err) = $node->psql('postgres', "CREATE INDEX items_idx ON items $index_sql{$am}");
	$tried++;
	isnt($rc, 0, "$am: the build fails when the disk is full");
	like($err, qr/ERROR:  could not (extend|write)[^\n]*(File too large|No space left)/, "$am: with a clear ERROR")
	  or diag($err);
	unlike($err, qr/server closed|terminated|PANIC/, "$am: the backend did not crash");
	is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = 'items_idx'"), '0',
		"$am: no index is left behind");
	is($node->safe_psql('postgres', "CHECKPOINT; SELECT count(*) FROM pg_ls_dir('base/' || (SELECT oid FROM pg_database WHERE datname = 'postgres'))"),
		$files_before, "$am: no index file is left behind");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM items'), $rows, "$am: the table is intact");
	$node->stop;

	start_limited(undef);
	$node->safe_psql('postgres', "CREATE INDEX items_idx ON items $index_sql{$am}");
	my $size = $node->safe_psql('postgres', "SELECT pg_relation_size('items_idx')");
	cmp_ok($size, '>', 3072 * 1024, "$am: without the limit the index is built ($size bytes, over the limit)");
	index_check_clean($node, 'items_idx', "$am: the index built after the failure");
	$node->safe_psql('postgres', 'DROP INDEX items_idx');
	$node->stop;
}
unlike(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr/PANIC|terminated by signal/, 'the server never crashed');
note("FIGURES disk_full: builds_failed_cleanly=$tried");
done_testing();
