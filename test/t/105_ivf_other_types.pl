# ivfflat and ivf on halfvec and bit: recall@10 of every operator class on real data after a
# build, after INSERTs, and after deleting most rows and VACUUM.
#   - halfvec: siftsmall (10,000 x 128) cast to halfvec(128): halfvec_{l2,ip,cosine}_ops, with
#     flat lists (ivfflat, ivf) and sq8 / pq / rabitq lists (ivf);
#   - bit: the first 10,000 glove-100 rows binary-quantized to bit(100): bit_hamming_ops.
# With probes = lists every list is scanned, so flat lists must find the exact answer (recall
# 1.0, ties counted as hits); at a tenth of the lists recall must stay reasonable.
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
my $lists = 40;
my $sift = read_fvecs(dataset_file('siftsmall/siftsmall_base.fvecs'));
my $sift_queries = read_fvecs(dataset_file('siftsmall/siftsmall_query.fvecs'));
my $glove = read_fvecs(dataset_file('glove-100/glove100_base.fvecs'), 10000);
my $glove_queries = read_fvecs(dataset_file('glove-100/glove100_query.fvecs'), 100);

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '128MB'\nautovacuum = off");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', 'CREATE TABLE sift (id int PRIMARY KEY, embedding vector(128))');
copy_vectors($node, 'sift', $sift);
$node->safe_psql('postgres', 'CREATE TABLE glove (id int PRIMARY KEY, embedding vector(100))');
copy_vectors($node, 'glove', $glove);
$node->safe_psql('postgres', <<'SQL');
CREATE TABLE h_src AS SELECT id, embedding::halfvec(128) AS embedding FROM sift;
CREATE TABLE b_src AS SELECT id, binary_quantize(embedding)::bit(100) AS embedding FROM glove;
SQL

my %queries = (
	halfvec => [ map { "'" . vector_literal($_) . "'::halfvec(128)" } @$sift_queries ],
	bit => [ map { "binary_quantize('" . vector_literal($_) . "'::vector)::bit(100)" } @$glove_queries ],
);
my %source = (halfvec => 'h_src', bit => 'b_src');
my %op = (l2 => '<->', ip => '<#>', cosine => '<=>', hamming => '<~>');
my $exact_scan = 'SET enable_indexscan = off; SET enable_bitmapscan = off; SET max_parallel_workers_per_gather = 0;';

# check(NAME, TYPE, CLASS, TABLE, PROBES, MIN): index used, tie-aware recall@k >= MIN.
sub check
{
	my ($name, $type, $class, $table, $probes, $min) = @_;
	my $op = $op{$class};
	my $q = $queries{$type};
	my $settings = "SET enable_seqscan = off; SET ivfflat.probes = $probes;";
	my $plan = $node->safe_psql('postgres',
		"$settings EXPLAIN (COSTS OFF) SELECT id FROM $table ORDER BY embedding $op $q->[0] LIMIT $k");
	like($plan, qr/Index Scan using/, "$name: the queries use the index");
	my $got = knn_distances($node, $table, $op, $q, $k, $settings);
	my $exact = knn_distances($node, $table, $op, $q, $k, $exact_scan);
	my $recall = recall_by_distance($got, $exact, $k);
	cmp_ok($recall, '>=', $min, sprintf('%s: recall@%d at probes %d is %.3f (>= %.2f)', $name, $k, $probes, $recall, $min));
	my @short = grep { @{ $got->[$_] } != $k } 0 .. $#$got;
	is(scalar @short, 0, "$name: every query returns $k rows") or diag("queries: @short");
	return $recall;
}

my @cases = (
	# [ type, class, access method, options, recall at probes = lists, recall at lists / 10 ]
	[ 'halfvec', 'l2', 'ivfflat', '', 1.0, 0.75 ],
	[ 'halfvec', 'ip', 'ivfflat', '', 1.0, 0.65 ],
	[ 'halfvec', 'cosine', 'ivfflat', '', 1.0, 0.75 ],
	[ 'halfvec', 'l2', 'ivf', ", quantizer = 'flat'", 1.0, 0.75 ],
	[ 'halfvec', 'cosine', 'ivf', ", quantizer = 'sq8'", 0.99, 0.70 ],
	[ 'halfvec', 'l2', 'ivf', ", quantizer = 'pq'", 0.97, 0.65 ],
	[ 'halfvec', 'ip', 'ivf', ", quantizer = 'rabitq'", 0.99, 0.65 ],
	[ 'bit', 'hamming', 'ivfflat', '', 1.0, 0.60 ],
	[ 'bit', 'hamming', 'ivf', '', 1.0, 0.60 ],
);

for my $c (@cases)
{
	my ($type, $class, $am, $options, $full, $tenth) = @$c;
	my $src = $source{$type};
	my $name = "$am ${type}_${class}_ops$options";
	$node->safe_psql('postgres',
		"CREATE INDEX ${src}_idx ON $src USING $am (embedding ${type}_${class}_ops) WITH (lists = $lists$options)");
	check("build $name", $type, $class, $src, $lists, $full);
	check("build $name", $type, $class, $src, $lists / 10, $tenth);
	index_check_clean($node, "${src}_idx", "build $name");
	$node->safe_psql('postgres', "DROP INDEX ${src}_idx");
}

# Inserts after the build, then deletes and VACUUM, for every ivfflat class.
for my $c (grep { $_->[2] eq 'ivfflat' } @cases)
{
	my ($type, $class, $am, $options, $full, $tenth) = @$c;
	my $src = $source{$type};
	my $name = "$am ${type}_${class}_ops";
	my $coltype = $node->safe_psql('postgres',
		"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$src'::regclass AND attname = 'embedding'");
	$node->safe_psql('postgres', <<"SQL");
DROP TABLE IF EXISTS grown;
CREATE TABLE grown (id int PRIMARY KEY, embedding $coltype);
INSERT INTO grown SELECT * FROM $src WHERE id % 2 = 0;
CREATE INDEX grown_idx ON grown USING $am (embedding ${type}_${class}_ops) WITH (lists = $lists);
INSERT INTO grown SELECT * FROM $src WHERE id % 2 = 1;
SQL
	check("insert $name", $type, $class, 'grown', $lists, 1.0);
	$node->safe_psql('postgres', 'DELETE FROM grown WHERE id % 4 <> 0; VACUUM grown');
	is($node->safe_psql('postgres', "SELECT reltuples FROM pg_class WHERE relname = 'grown_idx'"), '2500',
		"vacuum $name: the index has 2500 tuples after VACUUM");
	check("vacuum $name", $type, $class, 'grown', $lists, 1.0);
	is( $node->safe_psql('postgres',
			"SET enable_seqscan = off; SET ivfflat.probes = $lists; SELECT count(*) FROM (SELECT id FROM grown ORDER BY embedding $op{$class} $queries{$type}->[0] LIMIT 100000) s WHERE id % 4 <> 0"),
		'0', "vacuum $name: no deleted row comes back");
	index_check_clean($node, 'grown_idx', "vacuum $name");
}

# Sizes: a halfvec ivfflat index is about half a vector one; a bit index far smaller still.
$node->safe_psql('postgres', <<"SQL");
CREATE INDEX sift_idx ON sift USING ivfflat (embedding vector_l2_ops) WITH (lists = $lists);
CREATE INDEX h_src_idx ON h_src USING ivfflat (embedding halfvec_l2_ops) WITH (lists = $lists);
SQL
my ($vsize, $hsize) = split /\|/,
  $node->safe_psql('postgres', "SELECT pg_relation_size('sift_idx'), pg_relation_size('h_src_idx')");
cmp_ok($hsize / $vsize, '<=', 0.6, sprintf('halfvec ivfflat index is %.2fx the size of the vector one', $hsize / $vsize));

# Errors: quantized bit lists, dimensions beyond what a directory page holds.
my ($ret, $out, $err) = $node->psql('postgres',
	"CREATE INDEX ON b_src USING ivf (embedding bit_hamming_ops) WITH (lists = 4, quantizer = 'sq8')");
like($err, qr/quantizer 'sq8' does not support bit vectors/, 'sq8 on bit is refused');
($ret, $out, $err) = $node->psql('postgres',
	"CREATE TABLE wide (embedding halfvec(4001)); CREATE INDEX ON wide USING ivfflat (embedding halfvec_l2_ops)");
like($err, qr/column cannot have more than 4000 dimensions for ivf indexes/, 'halfvec beyond 4000 dimensions is refused');

$node->stop;
done_testing();
