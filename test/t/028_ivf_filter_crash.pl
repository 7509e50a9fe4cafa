# Crash recovery of an ivfflat index with filter columns (issue 17): four sessions insert rows one
# by one (each its own tenant, a category drawn per row; each INSERT commits on its own and prints
# the new id once acknowledged) while a fifth deletes old rows and runs VACUUM; then every process
# of the server is killed (SIGKILL), so recovery replays the WAL (the attribute area is bytes of
# the list entry, written by the same generic WAL records). A streaming standby replays the same
# WAL. After the restart every acknowledged row is in the table, and every row is found through the
# index by its own vector among the rows of its own filter values, the filter evaluated by the
# index (every list probed: exact).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use VectorIndexCheck;
use VectorInserters;
use VectorServerKill;

my $dim = 16;
my $node = PostgreSQL::Test::Cluster->new('main');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', "autovacuum = off\ncheckpoint_timeout = 30s\nmax_wal_size = 64MB");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE t (id bigserial PRIMARY KEY, embedding vector($dim), category int, tenant bigint,
  tags int[] GENERATED ALWAYS AS (ARRAY[category, 100 + tenant::int]) STORED,
  owner text GENERATED ALWAYS AS ('tenant-' || tenant) STORED);
CREATE FUNCTION rand_vec() RETURNS vector LANGUAGE sql VOLATILE AS
  \$\$ SELECT array_agg(random() * 2 - 1)::vector($dim) FROM generate_series(1, $dim) \$\$;
INSERT INTO t (embedding, category, tenant) SELECT rand_vec(), (random() * 9)::int, 0 FROM generate_series(1, 2000);
CREATE INDEX t_idx ON t USING ivfflat (embedding vector_l2_ops, category, tenant, tags, owner) WITH (lists = 20);
SQL
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->start;

my $dir = PostgreSQL::Test::Utils::tempdir;
# Inserting sessions: tenant s, 3000 single-row INSERTs each (more than they finish before the crash).
my $inserters = start_inserters($node, $dir, 4, 3000,
	sub { "INSERT INTO t (embedding, category, tenant) VALUES (rand_vec(), (random() * 9)::int, $_[0]) RETURNING id;" });
open(my $vfh, '>', "$dir/vacuum.sql") or die $!;
print $vfh "DELETE FROM t WHERE id <= 2000 AND id % 10 = $_;\nVACUUM t;\nSELECT pg_sleep(0.2);\n" for 0 .. 9;
close $vfh;
my $vacuum = IPC::Run::start([ 'psql', '-X', '-q', '-d', $node->connstr('postgres'), '-f', "$dir/vacuum.sql" ],
	'<', \undef, '>', "$dir/vacuum.out", '2>', "$dir/vacuum.err");

my $deadline = time + 25;
usleep(200_000) while scalar(@{ acked_ids($inserters) }) < 3000 && time < $deadline;
kill_cluster($node);
eval { $vacuum->finish; };

my @acked = @{ check_inserters_after_crash($inserters, 200) };

$node->start;
my %present = map { $_ => 1 } split /\n/, $node->safe_psql('postgres', 'SELECT id FROM t');
my @lost = grep { !$present{$_} } @acked;
is(scalar @lost, 0, 'every acknowledged insert is in the table after recovery') or diag("lost: @lost[0 .. ($#lost < 9 ? $#lost : 9)]");

# Every list probed: the filtered scan is exact, so every row is found first by its own vector
# among the rows of its category and tenant (random vectors: no two equal), and an unbounded
# filtered scan returns exactly the rows of its tenant.
my $settings = 'SET enable_seqscan = off; SET ivfflat.probes = 20; ';
my $self_missed = 'SELECT count(*) FROM t a WHERE (SELECT b.id FROM t b WHERE b.category = a.category AND b.tenant = a.tenant '
  . 'ORDER BY b.embedding <-> a.embedding LIMIT 1) IS DISTINCT FROM a.id';
my $query = "'[" . join(',', map { sprintf('%.3f', 0.9 * sin($_)) } 1 .. $dim) . "]'";
my $scan_all = "SELECT count(*), count(*) FILTER (WHERE tenant <> 3) FROM (SELECT id, tenant FROM t WHERE tenant = 3 "
  . "ORDER BY embedding <-> $query LIMIT 100000) s";
like($node->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) $self_missed"),
	qr/Index Scan using t_idx on t b\s+Index Cond: \(\(category = a.category\) AND \(tenant = a.tenant\)\)/,
	'the filter is the index\'s condition');
like($node->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) $scan_all"), qr/Index Cond: \(tenant = 3\)/,
	'the unbounded scan uses the index');
# The same through the hashed filter columns (an integer array and a text, generated from the
# others and rechecked by the executor): the tags and owner of tenant 3.
my $scan_hashed = "SELECT count(*), count(*) FILTER (WHERE tenant <> 3) FROM (SELECT id, tenant FROM t "
  . "WHERE tags && ARRAY[103] AND owner = 'tenant-3' ORDER BY embedding <-> $query LIMIT 100000) s";
like($node->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) $scan_hashed"),
	qr/Index Cond: \(\(tags && '\{103\}'::integer\[\]\) AND \(owner = 'tenant-3'::text\)\)/,
	'the unbounded scan on the hashed columns uses the index');

# check_node(NODE, WHEN): the checks above on NODE.
sub check_node
{
	my ($n, $when) = @_;
	is($n->safe_psql('postgres', "$settings $self_missed"), '0', "$when: every row is found by its own vector and filter values");
	my $tenant_rows = $n->safe_psql('postgres', 'SELECT count(*) FROM t WHERE tenant = 3');
	is($n->safe_psql('postgres', "$settings $scan_all"), "$tenant_rows|0",
		"$when: an unbounded filtered scan returns every row of its filter and no other");
	is($n->safe_psql('postgres', "$settings $scan_hashed"), "$tenant_rows|0",
		"$when: an unbounded scan filtered on the hashed columns returns every row of its filter and no other");
	index_check_clean($n, 't_idx', $when);
}

check_node($node, 'after recovery');
$node->safe_psql('postgres', 'INSERT INTO t (embedding, category, tenant) SELECT rand_vec(), (random() * 9)::int, 5 FROM generate_series(1, 500)');
$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 3 = 0');
$node->safe_psql('postgres', 'VACUUM t');
check_node($node, 'after recovery, inserts, deletes and VACUUM');

$node->wait_for_catchup($standby, 'replay', $node->lsn('insert'));
is($standby->safe_psql('postgres', 'SELECT count(*) FROM t'), $node->safe_psql('postgres', 'SELECT count(*) FROM t'),
	'the standby has the same rows');
check_node($standby, 'on the standby');
is($standby->safe_psql('postgres', "$settings SELECT array(SELECT id FROM t WHERE category = 4 ORDER BY embedding <-> $query LIMIT 10)"),
	$node->safe_psql('postgres', "$settings SELECT array(SELECT id FROM t WHERE category = 4 ORDER BY embedding <-> $query LIMIT 10)"),
	'the standby answers a filtered query as the primary does');

$standby->stop;
$node->stop;
done_testing();
