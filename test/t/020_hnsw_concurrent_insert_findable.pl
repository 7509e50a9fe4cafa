# Every acknowledged row is found by its own vector after concurrent inserts and a crash: an hnsw
# l2 index built on 10,000 GloVe rows (not normalised: their norms vary, so some rows lie far from
# all others), 4 sessions inserting 10,000 more one by one, the whole server killed with kill -9
# while they insert, restarted. Then every acknowledged row is in the table, and each one comes
# back among the first 10 rows of a query for its own vector at ef_search 200.
# While a new element's lists kept only the heuristic's choice and a full list took the element
# only when its heuristic wanted it, 9 of about 9,000 rows were missed here (mostly the same rows in every run, inserted long before the kill: graph
# quality, not recovery); rows far from the rest were nobody's choice and lost their few ways in
# to later inserts. The crash adds the elements of uncommitted inserts, half linked, to the graph:
# they must not cut committed rows off.
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
use VectorTestUtils;

my ($built, $inserted, $sessions) = (10000, 10000, 4);
my $rows = read_fvecs(dataset_file('glove-100/glove100_base.fvecs'), $built + $inserted);
my $dim = scalar @{ $rows->[0] };

my $node = PostgreSQL::Test::Cluster->new('findable');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\nmax_wal_size = 1GB");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', "CREATE TABLE t (id int PRIMARY KEY, embedding vector($dim))");
copy_vectors($node, 't', [ @{$rows}[ 0 .. $built - 1 ] ]);
$node->safe_psql('postgres', 'CREATE INDEX t_idx ON t USING hnsw (embedding vector_l2_ops)');

# The inserting sessions: row i goes to session i % $sessions, one INSERT (one transaction) each.
my $dir = PostgreSQL::Test::Utils::tempdir;
my @inserters;
for my $s (0 .. $sessions - 1)
{
	my $script = "$dir/insert_$s.sql";
	open(my $fh, '>', $script) or die $!;
	for (my $i = $built + $s; $i < $built + $inserted; $i += $sessions)
	{
		print $fh "INSERT INTO t VALUES ($i, '" . vector_literal($rows->[$i]) . "') RETURNING id;\n";
	}
	close $fh;
	push @inserters, start_inserter($node, $script, "$dir/acked_$s.txt", "$dir/err_$s.txt");
}
my $acked = sub { return acked_ids(\@inserters); };
# The kill comes once most rows are in (late, so that the graph has grown by many concurrent
# inserts), or after a while on a slow machine.
my $deadline = time + 150;
usleep(100_000) while @{ $acked->() } < $inserted * 0.9 && time < $deadline;
kill_cluster($node);
eval { $_->{h}->finish; } for @inserters;
my $ids = $acked->();
note(scalar(@$ids) . " inserts acknowledged before the kill");
cmp_ok(scalar @$ids, '>=', 1000, scalar(@$ids) . ' inserts were acknowledged before the kill');
$node->start;

my %present = map { $_ => 1 } split /\n/, $node->safe_psql('postgres', 'SELECT id FROM t');
is(scalar(grep { !$present{$_} } @$ids), 0, 'every acknowledged row is in the table');

# Each acknowledged row among the first 10 of a query for its own vector (LIMIT 10 for equal
# vectors). The rows found at ef_search 40 are found; the others are asked again at ef_search 200.
$node->safe_psql('postgres', 'CREATE TABLE acked (id int)');
{
	open(my $fh, '>', "$dir/acked.txt") or die $!;
	print $fh "$_\n" for @$ids;
	close $fh;
}
$node->safe_psql('postgres', "COPY acked FROM '$dir/acked.txt'; ANALYZE t; ANALYZE acked");
my $self_found = 'EXISTS (SELECT 1 FROM (SELECT x.id FROM t x ORDER BY x.embedding <-> '
  . '(SELECT y.embedding FROM t y WHERE y.id = a.id) LIMIT 10) s WHERE s.id = a.id)';
my $plan = $node->safe_psql('postgres',
	"SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT a.id FROM acked a WHERE NOT $self_found");
like($plan, qr/Index Scan using t_idx/, 'the self-queries use the hnsw index');
$node->safe_psql('postgres',
	"SET enable_seqscan = off; SET hnsw.ef_search = 40; CREATE TABLE missed AS SELECT a.id FROM acked a WHERE NOT $self_found");
my $missed = $node->safe_psql('postgres',
	"SET enable_seqscan = off; SET hnsw.ef_search = 200; SELECT coalesce(string_agg(a.id::text, ' ' ORDER BY a.id), '') "
	  . "FROM missed a WHERE NOT $self_found");
my @missed = split / /, $missed;
my $missed_40 = $node->safe_psql('postgres', 'SELECT count(*) FROM missed');
# Every acknowledged row, every run (issue 13). History of this check: before the pruning slack
# (HnswPruneRule) row 10076 was missed in every run (its 9 nearest rows came back but no longer
# linked to it; pgvector 0.8.6, run with its PostgreSQL tree first on PATH, misses it in 20 runs of
# 20); with it, and after a new element stopped giving up links other inserts had added to its list
# (HnswOwnLinks), 0 in 79 runs of 80 and 1 row in one (2026-12-04). Since the descent through the
# upper layers keeps a beam instead of walking greedily (2026-12-06), 0 in 155 runs of 155 (1 to
# 7 rows missed at ef_search 40 in the 55 that counted them).
is(scalar @missed, 0,
	scalar(@$ids) . ' acknowledged rows: ' . scalar(@missed) . ' not found by their own vector at ef_search 200')
  or diag("not found: @missed");
note("not found at ef_search 200: @missed") if @missed;
index_check_clean($node, 't_idx', 'after concurrent inserts and a kill');
note('FIGURES concurrent_insert_findable: acked=' . scalar(@$ids) . " missed_ef40=$missed_40 missed=" . scalar(@missed));

$node->stop;
done_testing();
