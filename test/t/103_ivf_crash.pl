# Crash recovery of the ivf indexes: rows inserted one transaction at a time (and acknowledged)
# while the inserting backend is killed with SIGKILL, and again while the server stops in
# immediate mode, must all be found through every index after recovery (all lists probed).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorIndexCheck;
use Time::HiRes qw(usleep);
use IPC::Run;

my $dim = 8;
my $dir = PostgreSQL::Test::Utils::tempdir;
my $node = PostgreSQL::Test::Cluster->new('ivf_crash');
$node->init;
$node->append_conf('postgresql.conf', "restart_after_crash = on\nfsync = on");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
# A copy of the vector column, so that a fourth index (rabitq, L2) has an ORDER BY of its own.
$node->safe_psql('postgres',
	"CREATE TABLE items (id serial PRIMARY KEY, embedding vector($dim), copy vector($dim) GENERATED ALWAYS AS (embedding) STORED)");
$node->safe_psql('postgres',
	"INSERT INTO items (embedding) SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim * 2000) g GROUP BY g % 2000");
$node->safe_psql('postgres', "CREATE INDEX flat_idx ON items USING ivfflat (embedding) WITH (lists = 10)");
$node->safe_psql('postgres', "CREATE INDEX sq8_idx ON items USING ivf (embedding vector_cosine_ops) WITH (lists = 10, quantizer = 'sq8')");
$node->safe_psql('postgres', "CREATE INDEX pq_idx ON items USING ivf (embedding vector_ip_ops) WITH (lists = 10, quantizer = 'pq')");
$node->safe_psql('postgres', "CREATE INDEX rq_idx ON items USING ivf (copy vector_l2_ops) WITH (lists = 10, quantizer = 'rabitq')");

# start_inserts(): a psql that inserts rows one autocommit transaction at a time, printing
# each acknowledged id; returns (harness, \$stdout).
sub start_inserts
{
	my $stdout = '';
	my $stderr = '';
	my $sql = join('',
		map { "INSERT INTO items (embedding) SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim) RETURNING id;\n" }
		  1 .. 20000);
	# From a file, so that nothing is written to a pipe the dying psql has closed.
	my $file = "$dir/inserts.sql";
	open(my $fh, '>', $file) or die "could not write $file: $!";
	print $fh $sql;
	close $fh;
	my $h = IPC::Run::start([ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-f', $file ],
		'<', \undef, '>', \$stdout, '2>', \$stderr);
	return ($h, \$stdout);
}

# wait_rows(\$STDOUT, N): waits until the inserter has acknowledged at least N rows.
sub wait_rows
{
	my ($h, $out, $n) = @_;
	for (1 .. 600)
	{
		$h->pump_nb;
		my @ids = ($$out =~ /^(\d+)$/mg);
		return if @ids >= $n;
		usleep(50_000);
	}
	die "inserter did not acknowledge $n rows";
}

# check_all_found(WHAT, \@IDS): every id is returned by each index (all lists probed).
sub check_all_found
{
	my ($what, $ids) = @_;
	my %want = map { $_ => 1 } @$ids;
	for my $ix ([ 'flat_idx', '<->' ], [ 'sq8_idx', '<=>' ], [ 'pq_idx', '<#>' ], [ 'rq_idx', '<->', 'copy' ])
	{
		my ($name, $op, $column) = @$ix;
		$column //= 'embedding';
		my $found = $node->safe_psql('postgres',
			"SET enable_seqscan = off; SET ivfflat.probes = 10; SET vector.ivf_rerank = 100000;\n"
			  . "SELECT id FROM items ORDER BY $column $op '[" . join(',', (0.5) x $dim) . "]' LIMIT 1000000");
		my %got = map { $_ => 1 } split /\n/, $found;
		my @missing = grep { !$got{$_} } keys %want;
		is(scalar @missing, 0, "$what: $name returns all " . scalar(@$ids) . ' acknowledged rows')
		  or diag('missing ids: ' . join(',', (sort { $a <=> $b } @missing)[ 0 .. ($#missing < 9 ? $#missing : 9) ]));
	}
}

# 1. SIGKILL of the inserting backend: the postmaster reinitializes and replays WAL.
my ($h, $out) = start_inserts();
wait_rows($h, $out, 1500);
my $pid = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE query LIKE 'INSERT INTO items%' AND pid <> pg_backend_pid() LIMIT 1");
ok($pid =~ /^\d+$/, 'found the inserting backend');
kill 'KILL', $pid;
eval { $h->finish; };
my @acked = ($$out =~ /^(\d+)$/mg);
$node->poll_query_until('postgres', 'SELECT true') or die 'server did not come back';
ok(@acked >= 1500, scalar(@acked) . ' rows acknowledged before the kill');
check_all_found('after SIGKILL of a backend', \@acked);

# 2. Immediate shutdown (no checkpoint) during inserts, then restart.
($h, $out) = start_inserts();
wait_rows($h, $out, 1500);
$node->stop('immediate');
eval { $h->finish; };
my @acked2 = ($$out =~ /^(\d+)$/mg);
$node->start;
check_all_found('after an immediate stop', [ @acked, @acked2 ]);

# The recovered indexes keep working: inserts, VACUUM, and the row count through each index.
$node->safe_psql('postgres',
	"INSERT INTO items (embedding) SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim * 200) g GROUP BY g % 200; DELETE FROM items WHERE id % 5 = 0; VACUUM items");
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
my $via_index = $node->safe_psql('postgres',
	"SET enable_seqscan = off; SET ivfflat.probes = 10; SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '["
	  . join(',', (0.5) x $dim) . "]' LIMIT 1000000) s");
is($via_index, $rows, 'after recovery, inserts and VACUUM the index returns every row');
my $via_rq = $node->safe_psql('postgres',
	"SET enable_seqscan = off; SET ivfflat.probes = 10; SELECT count(*) FROM (SELECT id FROM items ORDER BY copy <-> '["
	  . join(',', (0.5) x $dim) . "]' LIMIT 1000000) s");
is($via_rq, $rows, 'after recovery, inserts and VACUUM the rabitq index returns every row');
index_check_clean($node, $_, 'after recovery, inserts and VACUUM') for qw(flat_idx sq8_idx pq_idx rq_idx);

$node->stop;
done_testing();
