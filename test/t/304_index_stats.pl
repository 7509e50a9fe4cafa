# vector_index_stats(regclass): for hnsw, ivfflat and ivf (each quantizer) indexes, the counts it
# reads from the pages agree with the table (elements = indexed rows, dead tuples = deleted rows
# until VACUUM removes them, then 0), the hnsw level histogram adds up to the elements, and the
# ivf list sizes add up too; empty indexes, wrong arguments and missing privileges give clear
# errors with their SQLSTATE. Also: EXPLAIN (SETTINGS) lists the scan settings that differ from
# their defaults (the GUCs are marked GUC_EXPLAIN), and EXPLAIN (VERBOSE) in text format ends
# with every setting of each vector index scan, while plain EXPLAIN and JSON stay PostgreSQL's.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $dim = 8;
my $rows = 3000;
srand(304);

my $node = PostgreSQL::Test::Cluster->new('stats');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
$node->safe_psql('postgres', insert_vectors_sql('items', 0, random_vectors($rows, $dim)));
$node->safe_psql('postgres', 'UPDATE items SET embedding = NULL WHERE id % 100 = 1');
my $indexed = $node->safe_psql('postgres', 'SELECT count(embedding) FROM items');

my %indexes = (
	items_hnsw    => [ 'hnsw (embedding vector_l2_ops) WITH (m = 8)', 'hnsw', 'l2' ],
	items_ivfflat => [ 'ivfflat (embedding vector_cosine_ops) WITH (lists = 30)', 'ivfflat', 'cosine' ],
	items_flat    => [ "ivf (embedding vector_ip_ops) WITH (lists = 16, quantizer = 'flat')", 'ivf', 'inner_product' ],
	items_sq8     => [ "ivf (embedding vector_l2_ops) WITH (lists = 16, quantizer = 'sq8')", 'ivf', 'l2' ],
	items_pq      => [ "ivf (embedding vector_l2_ops) WITH (lists = 16, quantizer = 'pq', pq_m = 4)", 'ivf', 'l2' ],
);
$node->safe_psql('postgres', "CREATE INDEX $_ ON items USING $indexes{$_}[0]") for sort keys %indexes;

# stats(INDEX): the function's row as a hash.
sub stats
{
	my ($index) = @_;
	my $out = $node->safe_psql('postgres',
		"SELECT row_to_json(s) FROM vector_index_stats('$index') s");
	my %h;
	while ($out =~ /"(\w+)":(\[[^\]]*\]|"[^"]*"|[^,}]+)/g)
	{
		my ($k, $v) = ($1, $2);
		$v =~ s/^"|"$//g;
		$h{$k} = $v;
	}
	return \%h;
}

for my $ix (sort keys %indexes)
{
	my (undef, $am, $metric) = @{ $indexes{$ix} };
	my $s = stats($ix);
	is($s->{access_method}, $am, "$ix: access method");
	is($s->{metric}, $metric, "$ix: metric");
	is($s->{dimensions}, $dim, "$ix: dimensions");
	is($s->{elements}, $indexed, "$ix: one element per non-NULL row");
	is($s->{dead_tuples}, 0, "$ix: no dead tuples after the build");
	is($s->{bytes}, $node->safe_psql('postgres', "SELECT pg_relation_size('$ix')"), "$ix: bytes = pg_relation_size");
	if ($am eq 'hnsw')
	{
		is($s->{m}, 8, "$ix: m");
		is($s->{quantizer}, 'flat', "$ix: quantizer");
		my @levels = $s->{level_counts} =~ /(\d+)/g;
		my $sum = 0;
		$sum += $_ for @levels;
		is($sum, $indexed, "$ix: level_counts add up to the elements");
		is(scalar(@levels), $s->{levels}, "$ix: one count per level");
		cmp_ok($levels[0], '>', $levels[-1], "$ix: fewer elements on higher levels");
	}
	else
	{
		my $lists = $ix eq 'items_ivfflat' ? 30 : 16;
		is($s->{lists}, $lists, "$ix: lists");
		cmp_ok($s->{min_list_size}, '<=', $s->{avg_list_size}, "$ix: min <= avg list size");
		cmp_ok($s->{avg_list_size}, '<=', $s->{max_list_size}, "$ix: avg <= max list size");
		ok(abs($s->{avg_list_size} * $lists - $indexed) < 0.01, "$ix: list sizes add up to the elements");
		cmp_ok($s->{list_size_cv}, '>=', 0, "$ix: coefficient of variation");
		is($s->{quantizer}, ($ix =~ /_(flat|sq8|pq)$/ ? $1 : 'flat'), "$ix: quantizer");
	}
}

# Deleted rows count as dead until VACUUM removes their entries.
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 10 = 0');
my $deleted = $indexed - $node->safe_psql('postgres', 'SELECT count(embedding) FROM items');
for my $ix (sort keys %indexes)
{
	is(stats($ix)->{dead_tuples}, $deleted, "$ix: $deleted dead tuples after DELETE");
}
$node->safe_psql('postgres', 'VACUUM items');
my $left = $node->safe_psql('postgres', 'SELECT count(embedding) FROM items');
for my $ix (sort keys %indexes)
{
	my $s = stats($ix);
	is($s->{dead_tuples} . '/' . $s->{elements}, "0/$left", "$ix: after VACUUM no dead tuples and one element per row");
}

# An index on an empty table.
$node->safe_psql('postgres', "CREATE TABLE empty (embedding vector($dim)); CREATE INDEX empty_hnsw ON empty USING hnsw (embedding vector_l2_ops); CREATE INDEX empty_ivf ON empty USING ivfflat (embedding) WITH (lists = 4)");
is(stats('empty_hnsw')->{elements}, 0, 'empty hnsw index: 0 elements');
is(stats('empty_ivf')->{elements}, 0, 'empty ivfflat index: 0 elements');

# Errors.
$node->safe_psql('postgres', 'CREATE INDEX items_btree ON items (id)');
my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nSELECT * FROM vector_index_stats('items_btree')");
like($err, qr/42809: "items_btree" is not an hnsw, ivfflat or ivf index/, 'a btree index: 42809');
($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nSELECT * FROM vector_index_stats('items')");
like($err, qr/42809: "items" is not an index/, 'a table: 42809');
$node->safe_psql('postgres', 'CREATE ROLE reader LOGIN');
($rc, $out, $err) = $node->psql('postgres', "SET ROLE reader;\n\\set VERBOSITY verbose\nSELECT * FROM vector_index_stats('items_hnsw')");
like($err, qr/42501: permission denied for table items/, 'without SELECT on the table: 42501');
$node->safe_psql('postgres', 'GRANT SELECT ON items TO reader');
is($node->safe_psql('postgres', "SET ROLE reader; SELECT elements FROM vector_index_stats('items_hnsw')"), $left,
	'with SELECT on the table the role reads the statistics');

# EXPLAIN (SETTINGS): the changed scan settings of every access method are shown, defaults not.
my $plan = $node->safe_psql('postgres', "SET hnsw.ef_search = 123; SET ivfflat.probes = 7; SET vector.ivf_rerank = 55; SET hnsw.iterative_scan = relaxed_order;\n"
	  . "EXPLAIN (SETTINGS, COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '" . vector_literal([ (0.5) x $dim ]) . "' LIMIT 5");
like($plan, qr/Index Scan using/, 'EXPLAIN shows the index scan');
like($plan, qr/^ ?Settings: .*hnsw\.ef_search = '123'/m, "EXPLAIN (SETTINGS) shows hnsw.ef_search");
like($plan, qr/hnsw\.iterative_scan = 'relaxed_order'/, '... hnsw.iterative_scan');
like($plan, qr/ivfflat\.probes = '7'/, '... ivfflat.probes');
like($plan, qr/vector\.ivf_rerank = '55'/, '... vector.ivf_rerank');
unlike($node->safe_psql('postgres', "EXPLAIN (SETTINGS, COSTS OFF) SELECT 1"), qr/hnsw|ivfflat/, 'defaults are not listed');

my $q = vector_literal([ (0.25) x $dim ]);
my $two = "SELECT * FROM (SELECT id FROM items ORDER BY embedding <-> '$q' LIMIT 3) a, (SELECT id FROM items ORDER BY embedding <=> '$q' LIMIT 3) b";
# (the hnsw index serves <-> once the other L2 indexes are out of the way)
$plan = $node->safe_psql('postgres', "BEGIN; DROP INDEX items_sq8, items_pq; SET ivfflat.probes = 9; EXPLAIN (VERBOSE, COSTS OFF) $two; ROLLBACK;");
like($plan, qr/^Vector Index Scans:\n  (items_\w+) \((hnsw|ivf|ivfflat)\): .*\n  (items_\w+) \((hnsw|ivf|ivfflat)\): .*$/m,
	'EXPLAIN (VERBOSE) lists both vector index scans');
like($plan, qr/\(hnsw\): hnsw\.ef_search=40, hnsw\.iterative_scan=off, hnsw\.max_scan_tuples=20000, hnsw\.scan_mem_multiplier=1, vector\.hnsw_filter_strategy=auto$/m,
	'hnsw scan: its settings, defaults included');
like($plan, qr/\(ivf(flat)?\): ivfflat\.probes=9, ivfflat\.iterative_scan=off, ivfflat\.max_probes=32768/m,
	'ivf scan: its settings, the changed probes included');
my ($scan1, $scan2) = $plan =~ /Index Scan using (\w+) on .*?Index Scan using (\w+) on/s;
like($plan, qr/^  \Q$scan1\E \(/m, "the first scanned index ($scan1) is listed");
like($plan, qr/^  \Q$scan2\E \(/m, "the second scanned index ($scan2) is listed");
unlike($node->safe_psql('postgres', "EXPLAIN (COSTS OFF) $two"), qr/Vector Index Scans/, 'plain EXPLAIN is unchanged');
unlike($node->safe_psql('postgres', "EXPLAIN (VERBOSE, FORMAT JSON) $two"), qr/Vector Index Scans|ef_search/, 'JSON is unchanged');
unlike($node->safe_psql('postgres', "EXPLAIN (VERBOSE) SELECT count(*) FROM items"), qr/Vector Index Scans/,
	'no lines for a query without a vector index scan');

$node->stop;
done_testing();
