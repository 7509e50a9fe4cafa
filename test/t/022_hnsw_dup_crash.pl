# Identical rows inserted concurrently, then a crash: every acknowledged row comes back. An hnsw
# index built on 600 rows of 30 distinct vectors (20 copies each: elements of 10 heap TIDs), 4
# sessions inserting more copies of the same 30 vectors one by one (so that they join elements:
# a TID added to an element under its page lock, one WAL record, racing with the other sessions'
# joins and new elements), the whole server killed with kill -9 while they insert, restarted
# (WAL replay). Then for each vector, a query for it returns every row of the table with that
# vector first (distance 0, before any other vector), so every acknowledged row is among them;
# the index checks clean; and after deleting half the rows and VACUUM the other half still comes
# back.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use VectorIndexCheck;
use VectorInserters;
use VectorServerKill;

my ($values, $built_copies, $sessions, $per_session) = (30, 20, 4, 600);
my $value = sub { my $k = shift; return '[' . join(',', map { ($k * 7 + $_ * 3) % 11 + $k } 1 .. 8) . ']' };

my $node = PostgreSQL::Test::Cluster->new('dup_crash');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\nmax_wal_size = 1GB");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY, k int, v vector(8))');
my @values_sql = map { "($_, '" . $value->($_) . "')" } 0 .. $values - 1;
$node->safe_psql('postgres',
	"CREATE TABLE vals (k int, v vector(8)); INSERT INTO vals VALUES " . join(',', @values_sql) . ';'
	  . "INSERT INTO t SELECT i, i % $values, (SELECT v FROM vals WHERE k = i % $values) FROM generate_series(1, "
	  . $values * $built_copies
	  . ') i; CREATE INDEX t_idx ON t USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16)');
my $summary = index_check_clean($node, 't_idx', 'after the build');
like($summary, qr/\b@{[2 * $values]} elements\b.*\b600 heap tids\b/, 'the build put 20 copies of each vector in 2 elements');

my $dir = PostgreSQL::Test::Utils::tempdir;
my @inserters;
my $next_id = $values * $built_copies + 1;
for my $s (0 .. $sessions - 1)
{
	my $script = "$dir/insert_$s.sql";
	open(my $fh, '>', $script) or die $!;
	for my $i (0 .. $per_session - 1)
	{
		my $id = $next_id + $s * $per_session + $i;
		my $k = $id % $values;
		print $fh "INSERT INTO t VALUES ($id, $k, '" . $value->($k) . "') RETURNING id;\n";
	}
	close $fh;
	push @inserters, start_inserter($node, $script, "$dir/acked_$s.txt", "$dir/err_$s.txt");
}
my $acked = sub { return acked_ids(\@inserters); };
my $deadline = time + 120;
usleep(50_000) while @{ $acked->() } < $sessions * $per_session * 0.6 && time < $deadline;
kill_cluster($node);
eval { $_->{h}->finish; } for @inserters;
my $ids = $acked->();
note(scalar(@$ids) . ' inserts acknowledged before the kill');
cmp_ok(scalar @$ids, '>=', 200, scalar(@$ids) . ' inserts were acknowledged before the kill');
$node->start;

my %present = map { $_ => 1 } split /\n/, $node->safe_psql('postgres', 'SELECT id FROM t');
is(scalar(grep { !$present{$_} } @$ids), 0, 'every acknowledged row is in the table');

# For each vector, its rows come first (distance 0): LIMIT its row count, all of them.
my $found_sql = sub {
	return "SET enable_seqscan = off; SELECT coalesce(sum(n), 0) FROM vals, LATERAL (SELECT count(*) AS n FROM "
	  . "(SELECT k FROM t ORDER BY v <-> vals.v LIMIT (SELECT count(*) FROM t WHERE t.k = vals.k)) s "
	  . "WHERE s.k = vals.k) c";
};
my $plan = $node->safe_psql('postgres',
	"SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT k FROM t ORDER BY v <-> '" . $value->(0) . "' LIMIT 5");
like($plan, qr/Index Scan using t_idx/, 'the queries use the hnsw index');
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
is($node->safe_psql('postgres', $found_sql->()), $rows, "all $rows rows come back for their vector after the crash");
$summary = index_check_clean($node, 't_idx', 'after concurrent inserts of copies and a kill');
# (Inserts in flight at the kill may have added the TIDs of rows that never committed: more heap
# TIDs than rows, until VACUUM.)
my ($tids) = $summary =~ /(\d+) heap tids/;
cmp_ok($tids, '>=', $rows, "the index holds a heap TID for each of the $rows rows");
like($summary, qr/\b$rows table rows checked \(0 missing/, 'no row of the table is missing from the index');
my ($elements) = $summary =~ /(\d+) elements/;
cmp_ok($elements, '<', $rows / 4, "copies share elements ($elements elements for $rows rows)");

$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 2 = 0; VACUUM t');
$rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
is($node->safe_psql('postgres', $found_sql->()), $rows, "after deleting half and VACUUM, all $rows rows come back");
$summary = index_check_clean($node, 't_idx', 'after VACUUM');
like($summary, qr/\b$rows heap tids\b/, 'after VACUUM the index holds exactly the heap TIDs of the rows');
note('FIGURES dup_crash: acked=' . scalar(@$ids) . " rows=$rows elements=$elements");

$node->stop;
done_testing();
