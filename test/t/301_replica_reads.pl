# Read scaling with streaming replicas (the recipe of the README's "Scale out" section): one
# primary takes the writes, two hot standbys serve the k-NN reads through the indexes the
# primary built. Checks that both standbys answer like the primary (exact and through hnsw
# and ivfflat), that an index made on the primary after the standbys started serves them too,
# that libpq's multi-host connection strings route reads to a standby and writes to the
# primary (target_session_attrs), that a standby refuses writes with SQLSTATE 25006, and that
# concurrent clients (pgbench) can query a standby.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $dim = 24;
srand(301);

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
# The primary keeps 2 GB of WAL: a standby that lags on a loaded machine must still find
# the segments it has not streamed yet (without this, 012 once saw "requested WAL segment
# ... has already been removed" and timed out waiting for the standby).
$primary->append_conf('postgresql.conf', "wal_keep_size = '2GB'");
$primary->append_conf('postgresql.conf', "maintenance_work_mem = '64MB'\n");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION vector');
$primary->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
$primary->safe_psql('postgres', insert_vectors_sql('items', 0, random_vectors(3000, $dim)));
$primary->safe_psql('postgres', 'CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)');
$primary->backup('base');

my @standbys;
for my $name ('replica1', 'replica2')
{
	my $s = PostgreSQL::Test::Cluster->new($name);
	$s->init_from_backup($primary, 'base', has_streaming => 1);
	# Recommended for read replicas: the primary keeps rows a standby query still needs,
	# so long k-NN queries are not cancelled by VACUUM on the primary.
	$s->append_conf('postgresql.conf', "hot_standby_feedback = on\n");
	$s->start;
	push @standbys, $s;
}

# After the standbys started: more rows, and a second index built with CONCURRENTLY.
$primary->safe_psql('postgres', insert_vectors_sql('items', 3000, random_vectors(1000, $dim)));
$primary->safe_psql('postgres', 'CREATE INDEX CONCURRENTLY items_ivfflat ON items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 20)');
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 50 = 3');
$primary->safe_psql('postgres', 'VACUUM items');
$primary->wait_for_catchup($_, 'replay', $primary->lsn('insert')) for @standbys;

my $queries = random_vectors(4, $dim);

# answers(NODE, SETTINGS, OP): ids and distances of the 10 nearest rows of each query.
sub answers
{
	my ($node, $settings, $op) = @_;
	my $sql = "$settings\n";
	for my $q (@$queries)
	{
		my $lit = vector_literal($q);
		$sql .= "SELECT id, round((embedding $op '$lit')::numeric, 5) FROM items ORDER BY embedding $op '$lit' LIMIT 10;\n";
	}
	return $node->safe_psql('postgres', $sql);
}

my %cases = (
	'exact (sequential scan)' => [ 'SET enable_indexscan = off;', '<->', undef ],
	'hnsw'                    => [ 'SET enable_seqscan = off; SET hnsw.ef_search = 200;', '<->', 'items_hnsw' ],
	'ivfflat'                 => [ 'SET enable_seqscan = off; SET ivfflat.probes = 20;', '<=>', 'items_ivfflat' ],
);
for my $case (sort keys %cases)
{
	my ($settings, $op, $index) = @{ $cases{$case} };
	my $expected = answers($primary, $settings, $op);
	isnt($expected, '', "$case: the primary answers");
	for my $s (@standbys)
	{
		if (defined $index)
		{
			my $lit = vector_literal($queries->[0]);
			like($s->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding $op '$lit' LIMIT 10"),
				qr/Index Scan using $index/, "$case: " . $s->name . ' plans the index scan');
		}
		is(answers($s, $settings, $op), $expected, "$case: " . $s->name . " answers like the primary");
	}
}

# Routing with libpq: a multi-host connection string picks a standby for reads and the
# primary for writes.
my $hosts = join(',', map { $_->host } ($primary, @standbys));
my $ports = join(',', map { $_->port } ($primary, @standbys));
my $read_conn = "host=$hosts port=$ports dbname=postgres target_session_attrs=standby";
my $write_conn = "host=$hosts port=$ports dbname=postgres target_session_attrs=read-write";
my ($out, $err);
IPC::Run::run([ 'psql', '-X', '-A', '-t', '-d', $read_conn, '-c', 'SELECT pg_is_in_recovery(), current_setting(\'port\')' ], '>', \$out, '2>', \$err);
chomp $out;
like($out, qr/^t\|(\d+)$/, 'target_session_attrs=standby connects to a standby');
my ($port) = $out =~ /\|(\d+)$/;
ok((grep { $_->port == ($port // -1) } @standbys), 'and that server is one of the replicas');
IPC::Run::run([ 'psql', '-X', '-A', '-t', '-d', $write_conn, '-c', "INSERT INTO items VALUES (100000, array_fill(1, ARRAY[$dim])::vector) RETURNING pg_is_in_recovery()" ], '>', \$out, '2>', \$err);
chomp $out;
like($out, qr/^f/, 'target_session_attrs=read-write sends the write to the primary');
$primary->wait_for_catchup($_, 'replay', $primary->lsn('insert')) for @standbys;
is($standbys[1]->safe_psql('postgres', "SET enable_seqscan = off; SELECT id FROM items ORDER BY embedding <-> array_fill(1, ARRAY[$dim])::vector LIMIT 1"),
	'100000', 'the new row is found through the index on a replica');

# A standby refuses writes.
my ($rc, $stdout, $stderr) = $standbys[0]->psql('postgres', "\\set VERBOSITY verbose\nINSERT INTO items VALUES (100001, array_fill(1, ARRAY[$dim])::vector)");
isnt($rc, 0, 'an INSERT on a replica fails');
like($stderr, qr/25006/, 'with SQLSTATE 25006 (read-only transaction)');

# Concurrent readers on one replica: 4 clients, 50 k-NN queries each, all succeed.
my $script = PostgreSQL::Test::Utils::tempdir . '/knn.sql';
open(my $fh, '>', $script) or die $!;
print $fh "SET hnsw.ef_search = 100;\nSELECT id FROM items ORDER BY embedding <-> '" . vector_literal($queries->[1]) . "' LIMIT 10;\n";
close $fh;
$standbys[0]->command_like([ 'pgbench', '-n', '-c', '4', '-j', '2', '-t', '50', '-f', $script, $standbys[0]->connstr('postgres') ],
	qr/number of transactions actually processed: 200\/200/, 'pgbench: 200 k-NN queries served by a replica');

$_->stop for @standbys;
$primary->stop;
done_testing();
