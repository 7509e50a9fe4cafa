# hnsw builds on siftsmall: one build thread and all of them (vector.build_threads = 0) give the
# same recall; every element is reachable (an iterative scan with no tuple limit returns every
# row) and findable (a row's own vector finds it first); a build that outgrows
# maintenance_work_mem (the rest of the rows go through the on-disk insert path) and a build on an
# empty table followed by INSERTs give the same recall.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;
use VectorIndexCheck;

my $k = 10;
my $base = read_fvecs(dataset_file('siftsmall/siftsmall_base.fvecs'));
my $queries = read_fvecs(dataset_file('siftsmall/siftsmall_query.fvecs'));
my $truth = read_ivecs(dataset_file('siftsmall/siftsmall_groundtruth.ivecs'));
my @truth_l2 = map { [ @{$_}[ 0 .. $k - 1 ] ] } @$truth;
my $n = scalar @$base;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '256MB'\nautovacuum = off");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector(128))");
copy_vectors($node, 'items', $base);

# (the GUC exists once the library is loaded)
like($node->safe_psql('postgres', "LOAD 'vector'; SELECT min_val || '..' || max_val || ' ' || boot_val FROM pg_settings WHERE name = 'vector.build_threads'"),
	qr/^0\.\.\d+ 0$/, 'vector.build_threads: from 0 (all CPUs), default 0');

my $index_scan = 'SET enable_seqscan = off;';

# check_index(NAME[, TABLE]): recall@10 at ef_search 40 against the ground truth (>= 0.95), every
# row reachable, and nearly every row found by its own vector; returns the recall.
#
# An index grown by INSERTs (inserted set) may have a few elements that later inserts' pruning cut
# off (hnswlib and pgvector share this): at least 99.5% must be reachable as inserted, and all of
# them after VACUUM, which relinks cut-off elements.
sub check_index
{
	my ($name, $table, $inserted) = @_;
	$table //= 'items';
	if ($inserted)
	{
		my $lit = vector_literal($queries->[0]);
		my $count = $node->safe_psql('postgres',
			"$index_scan SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 1000000; "
			  . "SET hnsw.scan_mem_multiplier = 100; SET hnsw.ef_search = 100; "
			  . "SELECT count(DISTINCT id) FROM (SELECT id FROM $table ORDER BY embedding <-> '$lit' LIMIT 20000) s");
		cmp_ok($count, '>=', $n * 0.995, "$name: $count of $n rows reachable before VACUUM (>= 99.5%)");
		$node->safe_psql('postgres', "VACUUM $table");
	}
	my $got = knn_ids($node, $table, '<->', $queries, $k, "$index_scan SET hnsw.ef_search = 40;");
	my $recall = recall_at_k($got, \@truth_l2, $k);
	cmp_ok($recall, '>=', 0.95, sprintf('%s: recall@10 at ef_search 40 is %.3f', $name, $recall));

	# An iterative scan without limits visits every element reachable on layer 0 from where the
	# search lands; from any query that must be every element (layer 0 is one strongly connected
	# component: a part without links out would hide rows from filtered iterative scans).
	for my $q (0, 2, 50, 77)
	{
		my $lit = vector_literal($queries->[$q]);
		is( $node->safe_psql('postgres',
				"$index_scan SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 1000000; "
				  . "SET hnsw.scan_mem_multiplier = 100; SET hnsw.ef_search = 100; "
				  . "SELECT count(*) || ' ' || count(DISTINCT id) FROM (SELECT id FROM $table ORDER BY embedding <-> '$lit' LIMIT 20000) s"),
			"$n $n", "$name: an unbounded iterative scan from query $q returns every row once");
	}

	# Each row's own vector finds a row at distance 0 (itself or an equal vector) first. HNSW may
	# miss a handful of hard-to-reach elements at ef_search 40 (3 to 11 measured): allow 0.2%.
	my $missed = $node->safe_psql('postgres',
		"$index_scan SET hnsw.ef_search = 40; SELECT count(*) FROM $table a WHERE (SELECT b.embedding <-> a.embedding FROM $table b ORDER BY b.embedding <-> a.embedding LIMIT 1) > 0");
	# An index grown by INSERTs: 0 to 9 of 10,000 in 40 runs of the empty build then INSERT since
	# the descent keeps a beam of 4 on the upper layers (kHnswDescentBeam); with a greedy descent
	# the median was 8.5 but 4 runs of 46 passed 50 (worst 143), and this check failed CI. 0.5%
	# stays (a split graph misses thousands).
	my $allowed = $inserted ? 0.005 : 0.002;
	cmp_ok($missed, '<=', $n * $allowed,
		sprintf('%s: %d of %d rows not found by their own vector at ef_search 40 (<= %.1f%%)', $name, $missed, $n, 100 * $allowed));
	return $recall;
}

# ---------------------------------------------------------------- threads
my %recall;
for my $threads (1, 0)
{
	my $t0 = time;
	$node->safe_psql('postgres', "SET vector.build_threads = $threads; CREATE INDEX items_idx ON items USING hnsw (embedding vector_l2_ops)");
	note("build with vector.build_threads = $threads: " . (time - $t0) . ' s');
	$recall{$threads} = check_index("build_threads $threads");
	$node->safe_psql('postgres', 'DROP INDEX items_idx');
}
cmp_ok(abs($recall{1} - $recall{0}), '<=', 0.02,
	sprintf('one thread (%.3f) and all threads (%.3f) give the same recall', $recall{1}, $recall{0}));

# ---------------------------------------------------------------- small table: exact
# On 2,000 rows with ef_search 1000 every row finds itself first, for every operator class.
$node->safe_psql('postgres', 'CREATE TABLE small AS SELECT * FROM items WHERE id < 2000');
for my $opc (['vector_l2_ops', '<->'], ['vector_ip_ops', '<#>'], ['vector_cosine_ops', '<=>'], ['vector_l1_ops', '<+>'])
{
	my ($class, $op) = @$opc;
	$node->safe_psql('postgres', "CREATE INDEX small_idx ON small USING hnsw (embedding $class) WITH (m = 4, ef_construction = 8)");
	# (inner product: a row's own vector is not always its largest inner product; compare with the
	# exact first row's distance instead)
	my $bad = $node->safe_psql('postgres',
		"$index_scan SET hnsw.ef_search = 1000; SELECT count(*) FROM small a WHERE "
		  . "(SELECT b.embedding $op a.embedding FROM small b ORDER BY b.embedding $op a.embedding LIMIT 1) > "
		  . "(SELECT min(c.embedding $op a.embedding) FROM small c)");
	is($bad, '0', "$class, m = 4: with ef_search 1000 every row's own vector finds the exact nearest row first");
	$node->safe_psql('postgres', 'DROP INDEX small_idx');
}

# ---------------------------------------------------------------- maintenance_work_mem
# 10,000 x 128 floats are 5 MB: with 4 MB the build keeps part of the rows in memory, writes them,
# and inserts the rest one by one. The index must be as good; the NOTICE says how many rows the
# memory held, which must be a sensible share of what fits (well over 1,000 rows of 512 bytes).
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET maintenance_work_mem = '4MB'; CREATE INDEX items_idx ON items USING hnsw (embedding vector_l2_ops)");
is($ret, 0, 'build with maintenance_work_mem = 4MB succeeds');
like($stderr, qr/hnsw graph no longer fits into maintenance_work_mem after \d+ tuples/, 'the build says it went on disk');
my ($in_memory) = $stderr =~ /after (\d+) tuples/;
$in_memory //= 0;
cmp_ok($in_memory, '>=', 1000, "the in-memory part of the build held $in_memory rows (4 MB hold over 1,000)");
check_index('build beyond maintenance_work_mem', 'items', 1);
$node->safe_psql('postgres', 'DROP INDEX items_idx');

# ---------------------------------------------------------------- empty build, then INSERT
$node->safe_psql('postgres', 'CREATE TABLE ins (id int PRIMARY KEY, embedding vector(128))');
$node->safe_psql('postgres', 'CREATE INDEX ins_idx ON ins USING hnsw (embedding vector_l2_ops)');
$node->safe_psql('postgres', 'INSERT INTO ins SELECT * FROM items');
check_index('empty build then INSERT', 'ins', 1);

# The index is not much larger than pgvector's for the same data (about 8 kB per 10 elements at
# 128 dimensions and m = 16): catch a layout that wastes pages.
my $pages = $node->safe_psql('postgres', "SELECT pg_relation_size('ins_idx') / 8192");
cmp_ok($pages, '<=', 2 * $n / 10, "the index after 10,000 INSERTs has $pages pages");

index_check_clean($node, 'ins_idx', 'empty build then 10,000 INSERTs');

$node->stop;
done_testing();
