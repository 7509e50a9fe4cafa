# VACUUM after a mass delete and concurrent use of the ivf indexes:
#  - deleting 90% of the rows and vacuuming removes their entries, and re-inserting as many
#    rows reuses the freed space (the index does not grow past its built size);
#  - pgbench clients inserting, querying and vacuuming at the same time finish without error,
#    and afterwards every row is found through each index.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorIndexCheck;

my $dim = 16;
my $node = PostgreSQL::Test::Cluster->new('ivf_vacuum');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
# A copy of the vector column, so that a fourth index (rabitq, L2) has an ORDER BY of its own.
$node->safe_psql('postgres',
	"CREATE TABLE items (id serial PRIMARY KEY, embedding vector($dim), copy vector($dim) GENERATED ALWAYS AS (embedding) STORED)");

my $random_rows = sub {
	my ($n) = @_;
	return "INSERT INTO items (embedding) SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim * $n) g GROUP BY g % $n";
};
$node->safe_psql('postgres', $random_rows->(10000));
$node->safe_psql('postgres', "CREATE INDEX flat_idx ON items USING ivfflat (embedding) WITH (lists = 20)");
$node->safe_psql('postgres', "CREATE INDEX sq8_idx ON items USING ivf (embedding vector_cosine_ops) WITH (lists = 20, quantizer = 'sq8')");
$node->safe_psql('postgres', "CREATE INDEX pq_idx ON items USING ivf (embedding vector_ip_ops) WITH (lists = 20, quantizer = 'pq')");
$node->safe_psql('postgres', "CREATE INDEX rq_idx ON items USING ivf (copy vector_l2_ops) WITH (lists = 20, quantizer = 'rabitq')");
my $zero = "'[" . join(',', (0.5) x $dim) . "]'";
my @indexes = ([ 'flat_idx', '<->' ], [ 'sq8_idx', '<=>' ], [ 'pq_idx', '<#>' ], [ 'rq_idx', '<->', 'copy' ]);

# index_counts(): the number of rows each index returns (all lists probed).
sub index_counts
{
	my $sql = "SET enable_seqscan = off; SET ivfflat.probes = 20;\n";
	$sql .= "SELECT count(*) FROM (SELECT id FROM items ORDER BY " . ($_->[2] // 'embedding') . " $_->[1] $zero LIMIT 1000000) s;\n"
	  for @indexes;
	return [ split /\n/, $node->safe_psql('postgres', $sql) ];
}

# sizes(): the size in blocks of each index.
sub sizes
{
	return [ map { $node->safe_psql('postgres', "SELECT pg_relation_size('$_->[0]') / 8192") } @indexes ];
}

my $built = sizes();
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 10 <> 0');
$node->safe_psql('postgres', 'VACUUM items');
is($node->safe_psql('postgres', "SELECT string_agg(reltuples::text, ',' ORDER BY relname) FROM pg_class WHERE relname IN ('flat_idx', 'sq8_idx', 'pq_idx', 'rq_idx')"),
	'1000,1000,1000,1000', 'VACUUM counts the remaining entries of every index');
is_deeply(index_counts(), [ (1000) x 4 ], 'after VACUUM every index returns exactly the 1000 live rows');
$node->safe_psql('postgres', $random_rows->(9000));
is_deeply(index_counts(), [ (10000) x 4 ], 'rows inserted after VACUUM are found');
my $after = sizes();
for my $i (0 .. $#indexes)
{
	# Without reuse the index would grow by about 90%; list sizes vary a little with the data.
	cmp_ok($after->[$i], '<=', int($built->[$i] * 1.15) + 2,
		"$indexes[$i][0]: re-inserting reuses the freed space ($built->[$i] blocks built, $after->[$i] after)");
}

# Concurrent inserts, queries and VACUUM.
my $insert = "INSERT INTO items (embedding) SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim);\n";
my $query = "SET enable_seqscan = off;\nSELECT id FROM items ORDER BY embedding <-> (SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim)) LIMIT 10;\n"
  . "SELECT id FROM items ORDER BY embedding <=> (SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim)) LIMIT 10;\n"
  . "SELECT id FROM items ORDER BY embedding <#> (SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim)) LIMIT 10;\n"
  . "SELECT id FROM items ORDER BY copy <-> (SELECT array_agg(random()::real)::vector FROM generate_series(1, $dim)) LIMIT 10;\n";
my $delete = "DELETE FROM items WHERE id = (SELECT max(id) - 5 FROM items);\n";
$node->pgbench(
	'--no-vacuum --client=4 --jobs=2 --transactions=300',
	0,
	[qr/processed: 1200\/1200/],
	[qr/^$/],
	'pgbench: concurrent inserts, deletes and index scans',
	{
		'ivf_insert@5' => $insert,
		'ivf_query@4' => $query,
		'ivf_delete@1' => $delete,
	});
$node->safe_psql('postgres', 'VACUUM items');
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
is_deeply(index_counts(), [ ($rows) x 4 ], "after concurrent use every index returns all $rows rows");
index_check_clean($node, $_, 'after concurrent use and VACUUM') for qw(flat_idx sq8_idx pq_idx rq_idx);

$node->stop;
done_testing();
