# hnsw recall on siftsmall (10,000 x 128): recall@10 of the 100 queries
#   - L2 against the dataset's ground truth, inner product, cosine and L1 against exact answers
#     computed by a sequential scan in the same database;
#   - for an index built on half the rows that received the other half by INSERT;
#   - after deleting 75% of the rows and VACUUM (against the remaining rows' exact answers);
#   - and that the rows come back in non-decreasing distance.
# A correct HNSW (m = 16, ef_construction = 64) is far above the thresholds: see the numbers the
# test prints. A graph that lost edges or entries falls well below them.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $k = 10;
my $base = read_fvecs(dataset_file('siftsmall/siftsmall_base.fvecs'));
my $queries = read_fvecs(dataset_file('siftsmall/siftsmall_query.fvecs'));
my $truth = read_ivecs(dataset_file('siftsmall/siftsmall_groundtruth.ivecs'));
my $dim = scalar @{ $base->[0] };

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '256MB'\nautovacuum = off");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');

$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
copy_vectors($node, 'items', $base);

my $index_scan = 'SET enable_seqscan = off;';
my @truth_l2 = map { [ @{$_}[ 0 .. $k - 1 ] ] } @$truth;

# check_recall(NAME, OP, \@TRUTH, MIN, EF_SEARCH[, TABLE]): recall@k of the index scan with
# hnsw.ef_search = EF_SEARCH is at least MIN; returns it.
sub check_recall
{
	my ($name, $op, $want, $min, $ef, $table) = @_;
	$table //= 'items';
	my $plan = $node->safe_psql('postgres',
		"$index_scan EXPLAIN (COSTS OFF) SELECT id FROM $table ORDER BY embedding $op '"
		  . vector_literal($queries->[0]) . "' LIMIT $k");
	like($plan, qr/Index Scan using/, "$name: the queries use the index");
	my $got = knn_ids($node, $table, $op, $queries, $k, "$index_scan SET hnsw.ef_search = $ef;");
	my $recall = recall_at_k($got, $want, $k);
	cmp_ok($recall, '>=', $min, sprintf('%s: recall@%d at ef_search %d is %.3f (>= %.2f)', $name, $k, $ef, $recall, $min));
	# No query is left behind (a part of the graph cut off gives some queries ~0 of their true
	# neighbours while the mean stays high).
	# (at ef_search 40 and more; at 10 a few queries legitimately fall short)
	if ($ef >= 40)
	{
		# (at most 1% of the queries: a split graph leaves many far behind; the inner product,
		# not a metric, occasionally strands one query after heavy churn)
		# (inner product after churn: 2 of 100 queries measured once, at a mean recall of 0.977)
		my @poor = grep { recall_at_k([ $got->[$_] ], [ $want->[$_] ], $k) < 0.5 } 0 .. $#$want;
		# (an index grown by INSERT: levels are drawn at random, and one run in several leaves 2
		# or 3 queries short, at a mean recall of 0.967 against 0.99 usually)
		my $allowed = ($name =~ /\bip\b/ || $name =~ /^insert/) ? int(@$want * 3 / 100) : int(@$want / 100);
		cmp_ok(scalar @poor, '<=', $allowed,
			"$name: at most $allowed of the queries find fewer than half of their true neighbours at ef_search $ef")
		  or diag("queries: @poor");
	}
	return $recall;
}

# ---------------------------------------------------------------- built on the whole table
my %ops = (l2 => '<->', ip => '<#>', cosine => '<=>', l1 => '<+>');
for my $name (qw(l2 ip cosine l1))
{
	my $op = $ops{$name};
	$node->safe_psql('postgres', "CREATE INDEX items_idx ON items USING hnsw (embedding vector_${name}_ops)");
	my $want = $name eq 'l2' ? \@truth_l2 : exact_knn_ids($node, 'items', $op, $queries, $k);
	if ($name eq 'l2')
	{
		# The exact scan agrees with the dataset's ground truth (ties aside): the reference is right.
		my $exact = exact_knn_ids($node, 'items', $op, $queries, $k);
		cmp_ok(recall_at_k($exact, \@truth_l2, $k), '>=', 0.99, 'l2: a sequential scan finds the ground truth');
		# ef_search 10 must already be good, and more ef_search must not be worse
		my $r10 = check_recall("build $name", $op, $want, 0.80, 10);
		my $r40 = check_recall("build $name", $op, $want, 0.95, 40);
		my $r100 = check_recall("build $name", $op, $want, 0.98, 100);
		cmp_ok($r100, '>=', $r10, 'l2: recall grows with ef_search');
	}
	else
	{
		check_recall("build $name", $op, $want, 0.95, 64);
	}

	# Rows come back in non-decreasing distance, and no row twice.
	my $lit = vector_literal($queries->[7]);
	my $rows = $node->safe_psql('postgres',
		"$index_scan SET hnsw.ef_search = 100; SELECT id, embedding $op '$lit' FROM items ORDER BY embedding $op '$lit' LIMIT 100");
	my @d = map { (split /\|/)[1] } split /\n/, $rows;
	my %seen = map { (split /\|/)[0] => 1 } split /\n/, $rows;
	is(scalar @d, 100, "build $name: LIMIT 100 returns 100 rows");
	is(scalar keys %seen, 100, "build $name: 100 different rows");
	ok(!grep({ $d[$_] < $d[ $_ - 1 ] } 1 .. $#d), "build $name: distances do not decrease");
	$node->safe_psql('postgres', 'DROP INDEX items_idx');
}

# ---------------------------------------------------------------- half built, half inserted
# The index is built on the even rows, then the odd rows arrive by INSERT (through aminsert).
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE half (id int PRIMARY KEY, embedding vector(128));
INSERT INTO half SELECT * FROM items WHERE id % 2 = 0;
SQL
for my $name (qw(l2 cosine))
{
	my $op = $ops{$name};
	$node->safe_psql('postgres', "TRUNCATE half; INSERT INTO half SELECT * FROM items WHERE id % 2 = 0");
	$node->safe_psql('postgres', "CREATE INDEX half_idx ON half USING hnsw (embedding vector_${name}_ops)");
	$node->safe_psql('postgres', "INSERT INTO half SELECT * FROM items WHERE id % 2 = 1");
	is($node->safe_psql('postgres', 'SELECT count(*) FROM half'), '10000', "insert $name: all rows present");
	my $want = $name eq 'l2' ? \@truth_l2 : exact_knn_ids($node, 'half', $op, $queries, $k);
	check_recall("insert $name", $op, $want, 0.95, 64, 'half');
	# the inserted rows are found as often as the built ones
	my $got = knn_ids($node, 'half', $op, $queries, $k, "$index_scan SET hnsw.ef_search = 64;");
	my ($odd_got, $odd_want) = (0, 0);
	for my $i (0 .. $#$want)
	{
		my %g = map { $_ => 1 } @{ $got->[$i] };
		for my $id (grep { $_ % 2 } @{ $want->[$i] }[ 0 .. $k - 1 ])
		{
			$odd_want++;
			$odd_got++ if $g{$id};
		}
	}
	cmp_ok($odd_got / $odd_want, '>=', 0.93,
		sprintf('insert %s: recall of the inserted rows alone is %.3f', $name, $odd_got / $odd_want));
	$node->safe_psql('postgres', 'DROP INDEX half_idx');
}

# ---------------------------------------------------------------- 75% deleted, VACUUM
# Deleted rows must not come back, and the remaining rows must still be found: VACUUM repairs
# the links that went through deleted elements.
for my $name (qw(l2 ip))
{
	my $op = $ops{$name};
	$node->safe_psql('postgres', 'DROP TABLE IF EXISTS vac; CREATE TABLE vac (id int PRIMARY KEY, embedding vector(128)); INSERT INTO vac SELECT * FROM items');
	$node->safe_psql('postgres', "CREATE INDEX vac_idx ON vac USING hnsw (embedding vector_${name}_ops)");
	$node->safe_psql('postgres', 'DELETE FROM vac WHERE id % 4 <> 0');
	$node->safe_psql('postgres', 'VACUUM vac');
	is($node->safe_psql('postgres', 'SELECT count(*) FROM vac'), '2500', "vacuum $name: 2500 rows left");
	# VACUUM reports the index's live tuples (pg_class.reltuples of the index)
	is($node->safe_psql('postgres', "SELECT reltuples FROM pg_class WHERE relname = 'vac_idx'"), '2500',
		"vacuum $name: the index has 2500 tuples after VACUUM");
	my $want = exact_knn_ids($node, 'vac', $op, $queries, $k);
	check_recall("vacuum $name", $op, $want, 0.95, 64, 'vac');
	# every remaining row is still reachable: an unbounded iterative scan returns each once
	my $lit1 = vector_literal($queries->[1]);
	is( $node->safe_psql('postgres',
			"$index_scan SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 1000000; SET hnsw.scan_mem_multiplier = 100; "
			  . "SELECT count(*) || ' ' || count(DISTINCT id) FROM (SELECT id FROM vac ORDER BY embedding $op '$lit1' LIMIT 100000) s"),
		'2500 2500', "vacuum $name: every remaining row is reachable (unbounded iterative scan)");
	# New rows reuse the freed heap space (and index space): all of them are found, none of the
	# deleted ones come back.
	$node->safe_psql('postgres', 'INSERT INTO vac SELECT id, embedding FROM items WHERE id % 4 = 1');
	is($node->safe_psql('postgres', 'SELECT count(*) FROM vac'), '5000', "vacuum $name: 2500 rows inserted again");
	$want = exact_knn_ids($node, 'vac', $op, $queries, $k);
	# (inner product varies more from build to build: 0.94 to 0.997 measured; an index whose
	# VACUUM left the dead elements pointing at reused heap TIDs gives 0.76)
	# (0.998 to 0.999 for l2 in 20 runs of this scenario, 0.999 to 1.000 for inner product in 10,
	# no query short. It fell to 0.79 in about 1 run of 30, 2 or 3 queries short, while a new
	# element's lists kept only the heuristic's choice and a full list took it only when the
	# heuristic wanted it: after VACUUM every survivor's list is full, new rows got few links from
	# survivors, linked mostly among themselves and trapped some queries.)
	check_recall("vacuum then insert $name", $op, $want, 0.95, 64, 'vac');
	my $lit = vector_literal($queries->[3]);
	my $ids = $node->safe_psql('postgres',
		"$index_scan SET hnsw.ef_search = 200; SELECT id FROM vac ORDER BY embedding $op '$lit' LIMIT 200");
	my @ids = split /\n/, $ids;
	my %once = map { $_ => 1 } @ids;
	is(scalar keys %once, scalar @ids, "vacuum $name: no row twice");
	is(scalar(grep { $_ % 4 == 2 || $_ % 4 == 3 } @ids), 0, "vacuum $name: no deleted row comes back");
	$node->safe_psql('postgres', 'DROP TABLE vac');
}

$node->stop;
done_testing();
