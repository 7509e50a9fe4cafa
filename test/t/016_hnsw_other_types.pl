# hnsw on halfvec, sparsevec and bit: recall@10 of every operator class on real data, after a
# build, after INSERTs into a half-built index, and after deleting 75% of the rows and VACUUM
# (then INSERTs again).
#   - halfvec: siftsmall (10,000 x 128) cast to halfvec(128);
#   - sparsevec: siftsmall reduced to each row's 16 largest components (sparsevec(128));
#   - bit: the first 10,000 glove-100 rows, binary-quantized to bit(100) (Hamming and Jaccard
#     have many ties, so recall counts any row at the k-th exact distance as a hit);
#   - and that a halfvec index is smaller than a vector one (rows of 2 bytes per dimension).
# The reference answers are exact sequential scans in the same database.
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
my $sift = read_fvecs(dataset_file('siftsmall/siftsmall_base.fvecs'));
my $sift_queries = read_fvecs(dataset_file('siftsmall/siftsmall_query.fvecs'));
my $glove = read_fvecs(dataset_file('glove-100/glove100_base.fvecs'), 10000);
my $glove_queries = read_fvecs(dataset_file('glove-100/glove100_query.fvecs'), 100);

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '256MB'\nautovacuum = off");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');

# The source tables and the derived ones, one per type.
$node->safe_psql('postgres', 'CREATE TABLE sift (id int PRIMARY KEY, embedding vector(128))');
copy_vectors($node, 'sift', $sift);
$node->safe_psql('postgres', 'CREATE TABLE glove (id int PRIMARY KEY, embedding vector(100))');
copy_vectors($node, 'glove', $glove);
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE h_src AS SELECT id, embedding::halfvec(128) AS embedding FROM sift;
CREATE TABLE b_src AS SELECT id, binary_quantize(embedding)::bit(100) AS embedding FROM glove;
CREATE TABLE s_src (id int, embedding sparsevec(128));
SQL
{
	my $path = PostgreSQL::Test::Utils::tempdir() . '/sparse.tsv';
	open(my $fh, '>', $path) or die "could not write $path: $!";
	print $fh "$_\t" . sparse_literal($sift->[$_], 16) . "\n" for 0 .. $#$sift;
	close $fh;
	$node->safe_psql('postgres', "COPY s_src FROM '$path'");
}

my %queries = (
	halfvec => [ map { "'" . vector_literal($_) . "'::halfvec(128)" } @$sift_queries ],
	sparsevec => [ map { "'" . sparse_literal($_, 16) . "'::sparsevec(128)" } @$sift_queries ],
	bit => [ map { "binary_quantize('" . vector_literal($_) . "'::vector)::bit(100)" } @$glove_queries ],
);
my %source = (halfvec => 'h_src', sparsevec => 's_src', bit => 'b_src');
my %op = (l2 => '<->', ip => '<#>', cosine => '<=>', l1 => '<+>', hamming => '<~>', jaccard => '<%>');

my $index_scan = 'SET enable_seqscan = off; SET hnsw.ef_search = 64;';
my $exact_scan = 'SET enable_indexscan = off; SET enable_bitmapscan = off; SET max_parallel_workers_per_gather = 0;';

# check(NAME, TYPE, CLASS, TABLE, MIN): the index scan is used and its tie-aware recall@k at
# ef_search 64 is at least MIN; every query returns k rows in non-decreasing distance.
sub check
{
	my ($name, $type, $class, $table, $min) = @_;
	my $op = $op{$class};
	my $q = $queries{$type};
	my $plan = $node->safe_psql('postgres',
		"$index_scan EXPLAIN (COSTS OFF) SELECT id FROM $table ORDER BY embedding $op $q->[0] LIMIT $k");
	like($plan, qr/Index Scan using/, "$name: the queries use the index");
	my $got = knn_distances($node, $table, $op, $q, $k, $index_scan);
	my $exact = knn_distances($node, $table, $op, $q, $k, $exact_scan);
	my $recall = recall_by_distance($got, $exact, $k);
	cmp_ok($recall, '>=', $min, sprintf('%s: recall@%d is %.3f (>= %.2f)', $name, $k, $recall, $min));
	my @short = grep { @{ $got->[$_] } != $k } 0 .. $#$got;
	is(scalar @short, 0, "$name: every query returns $k rows") or diag("queries: @short");
	my @unordered = grep {
		my $d = $got->[$_];
		grep { $d->[$_] < $d->[ $_ - 1 ] } 1 .. $#$d
	} 0 .. $#$got;
	is(scalar @unordered, 0, "$name: distances do not decrease") or diag("queries: @unordered");
	return $recall;
}

# reachable(NAME, TABLE, CLASS, TYPE): an unbounded iterative scan returns every row once.
sub reachable
{
	my ($name, $table, $class, $type) = @_;
	my $op = $op{$class};
	my $q = $queries{$type}->[1];
	my $rows = $node->safe_psql('postgres', "SELECT count(*) FROM $table");
	is( $node->safe_psql('postgres',
			"SET enable_seqscan = off; SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 1000000; "
			  . "SET hnsw.scan_mem_multiplier = 100; "
			  . "SELECT count(*) || ' ' || count(DISTINCT id) FROM (SELECT id FROM $table ORDER BY embedding $op $q LIMIT 100000) s"),
		"$rows $rows", "$name: every row is reachable (unbounded iterative scan)");
}

my @classes = (
	[ 'halfvec', 'l2', 0.95 ], [ 'halfvec', 'ip', 0.93 ], [ 'halfvec', 'cosine', 0.95 ], [ 'halfvec', 'l1', 0.95 ],
	[ 'sparsevec', 'l2', 0.90 ], [ 'sparsevec', 'ip', 0.85 ], [ 'sparsevec', 'cosine', 0.90 ], [ 'sparsevec', 'l1', 0.90 ],
	[ 'bit', 'hamming', 0.90 ], [ 'bit', 'jaccard', 0.90 ],
);

# ---------------------------------------------------------------- built on the whole table
for my $c (@classes)
{
	my ($type, $class, $min) = @$c;
	my $src = $source{$type};
	$node->safe_psql('postgres', "CREATE INDEX ${src}_idx ON $src USING hnsw (embedding ${type}_${class}_ops)");
	check("build ${type}_${class}_ops", $type, $class, $src, $min);
	index_check_clean($node, "${src}_idx", "build ${type}_${class}_ops");
	$node->safe_psql('postgres', "DROP INDEX ${src}_idx");
}

# ---------------------------------------------------------------- half built, half inserted
for my $c (@classes)
{
	my ($type, $class, $min) = @$c;
	my $src = $source{$type};
	my $coltype = $node->safe_psql('postgres',
		"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$src'::regclass AND attname = 'embedding'");
	$node->safe_psql('postgres', <<"SQL");
DROP TABLE IF EXISTS grown;
CREATE TABLE grown (id int PRIMARY KEY, embedding $coltype);
INSERT INTO grown SELECT * FROM $src WHERE id % 2 = 0;
CREATE INDEX grown_idx ON grown USING hnsw (embedding ${type}_${class}_ops);
INSERT INTO grown SELECT * FROM $src WHERE id % 2 = 1;
SQL
	check("insert ${type}_${class}_ops", $type, $class, 'grown', $min);
	index_check_clean($node, 'grown_idx', "insert ${type}_${class}_ops");
}

# ---------------------------------------------------------------- 75% deleted, VACUUM
for my $c (@classes)
{
	my ($type, $class, $min) = @$c;
	my $src = $source{$type};
	my $coltype = $node->safe_psql('postgres',
		"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$src'::regclass AND attname = 'embedding'");
	$node->safe_psql('postgres', <<"SQL");
DROP TABLE IF EXISTS vac;
CREATE TABLE vac (id int PRIMARY KEY, embedding $coltype);
INSERT INTO vac SELECT * FROM $src;
CREATE INDEX vac_idx ON vac USING hnsw (embedding ${type}_${class}_ops);
DELETE FROM vac WHERE id % 4 <> 0;
VACUUM vac;
SQL
	is($node->safe_psql('postgres', "SELECT reltuples FROM pg_class WHERE relname = 'vac_idx'"), '2500',
		"vacuum ${type}_${class}_ops: the index has 2500 tuples after VACUUM");
	check("vacuum ${type}_${class}_ops", $type, $class, 'vac', $min - 0.03);
	reachable("vacuum ${type}_${class}_ops", 'vac', $class, $type);
	$node->safe_psql('postgres', "INSERT INTO vac SELECT * FROM $src WHERE id % 4 = 1");
	# The bound of the thinned-out index above. (It was 0.70 while rows inserted into an index
	# that VACUUM had just thinned out linked mostly among themselves: recall 0.79 in about 1 of
	# 30 runs of TAP 010's vector case; that case now gives 0.998 to 1.000 in 30 runs, on the same
	# insert code as these types.)
	check("vacuum then insert ${type}_${class}_ops", $type, $class, 'vac', $min - 0.03);
	index_check_clean($node, 'vac_idx', "vacuum then insert ${type}_${class}_ops");
}

# ---------------------------------------------------------------- size
# The same rows as vector(128) and as halfvec(128): the halfvec index holds 2-byte elements.
$node->safe_psql('postgres', <<'SQL');
CREATE INDEX sift_idx ON sift USING hnsw (embedding vector_l2_ops);
CREATE INDEX h_src_idx ON h_src USING hnsw (embedding halfvec_l2_ops);
SQL
my ($vsize, $hsize) = split /\|/,
  $node->safe_psql('postgres', "SELECT pg_relation_size('sift_idx'), pg_relation_size('h_src_idx')");
cmp_ok($hsize / $vsize, '<=', 0.75, sprintf('halfvec index is %.2fx the size of the vector index', $hsize / $vsize));

$node->stop;
done_testing();
