# Sharding with PostgreSQL's own engines (the recipe of the README's "Scale out" section): a
# coordinator holds a hash-partitioned table whose partitions are postgres_fdw foreign tables on
# two shard servers plus one local partition. With the server option extensions 'vector' the
# distance operators are shipped: each shard runs ORDER BY embedding <-> q through its own hnsw
# index and the coordinator's Merge Append merges the shards' ordered streams, so a global
# ORDER BY ... LIMIT 10 returns the exact global top 10. Without the option the coordinator
# must fetch every row and sort them itself (same answer, no pushdown): checked too.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $dim = 16;
my $rows = 6000;
srand(302);

my @shards;
for my $name ('shard1', 'shard2')
{
	my $n = PostgreSQL::Test::Cluster->new($name);
	$n->init;
	$n->start;
	$n->safe_psql('postgres', 'CREATE EXTENSION vector');
	$n->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
	$n->safe_psql('postgres', 'CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops)');
	# Search settings of the shards' sessions (postgres_fdw connects as an ordinary client).
	$n->safe_psql('postgres', 'ALTER DATABASE postgres SET hnsw.ef_search = 200');
	push @shards, $n;
}

my $coord = PostgreSQL::Test::Cluster->new('coordinator');
$coord->init;
$coord->start;
$coord->safe_psql('postgres', 'CREATE EXTENSION vector; CREATE EXTENSION postgres_fdw');
$coord->safe_psql('postgres', "CREATE TABLE items (id int NOT NULL, embedding vector($dim)) PARTITION BY HASH (id)");
for my $i (0 .. $#shards)
{
	my $s = $shards[$i];
	my $srv = $s->name;
	$coord->safe_psql('postgres', sprintf(
		"CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '%s', port '%d', dbname 'postgres', extensions 'vector', fetch_size '50');\n"
		  . "CREATE USER MAPPING FOR CURRENT_USER SERVER %s OPTIONS (user '%s');\n"
		  . "CREATE FOREIGN TABLE items_%s PARTITION OF items FOR VALUES WITH (MODULUS 3, REMAINDER %d) SERVER %s OPTIONS (table_name 'items');",
		$srv, $s->host, $s->port, $srv, scalar(getpwuid($<)), $srv, $i, $srv));
}
$coord->safe_psql('postgres', 'CREATE TABLE items_local PARTITION OF items FOR VALUES WITH (MODULUS 3, REMAINDER 2)');
$coord->safe_psql('postgres', 'CREATE INDEX ON items_local USING hnsw (embedding vector_l2_ops)');

# Writes go through the coordinator, which routes each row to its shard.
my $vectors = random_vectors($rows, $dim);
for (my $first = 0; $first < $rows; $first += 1000)
{
	my @chunk = @$vectors[ $first .. $first + 999 ];
	$coord->safe_psql('postgres', insert_vectors_sql('items', $first, \@chunk));
}
my $counts = join(',', map { $_->safe_psql('postgres', 'SELECT count(*) FROM items') } @shards);
like($counts, qr/^\d+,\d+$/, "rows reached the shards ($counts)");
my ($c1, $c2) = split /,/, $counts;
cmp_ok($c1 + $c2, '>', $rows / 2, 'two thirds of the rows are on the shards');
cmp_ok($c1 * $c2, '>', 0, 'each shard has rows');
is($coord->safe_psql('postgres', 'SELECT count(*) FROM items'), $rows, 'the coordinator sees every row');

# The exact global top 10 for each query, computed here.
my $queries = random_vectors(5, $dim);
sub exact_top
{
	my ($q, $k) = @_;
	my @d = map { [ $_, l2_distance($vectors->[$_], $q) ] } 0 .. $#$vectors;
	@d = sort { $a->[1] <=> $b->[1] || $a->[0] <=> $b->[0] } @d;
	return join(',', map { $_->[0] } @d[ 0 .. $k - 1 ]);
}

# global(Q): ids of the coordinator's ORDER BY embedding <-> Q LIMIT 10.
sub global
{
	my ($q, $settings) = @_;
	my $lit = vector_literal($q);
	return join(',', split /\n/, $coord->safe_psql('postgres',
		($settings // '') . "SELECT id FROM items ORDER BY embedding <-> '$lit' LIMIT 10"));
}

my $lit = vector_literal($queries->[0]);
my $plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '$lit' LIMIT 10");
like($plan, qr/Merge Append/, 'the coordinator merges ordered streams (Merge Append)');
like($plan, qr/Remote SQL: SELECT id, embedding FROM public\.items ORDER BY \(embedding OPERATOR\(public\.<->\)/,
	'the distance ORDER BY is shipped to the shards (extensions \'vector\')');

my @idx_before = map { $_->safe_psql('postgres', "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'items_embedding_idx'") } @shards;
for my $i (0 .. $#$queries)
{
	is(global($queries->[$i]), exact_top($queries->[$i], 10), "query $i: the global top 10 is the exact one");
}
# Statistics reach pg_stat_user_indexes with a delay: poll.
for my $i (0 .. $#shards)
{
	my $ok = $shards[$i]->poll_query_until('postgres',
		"SELECT idx_scan >= $idx_before[$i] + " . scalar(@$queries) . " FROM pg_stat_user_indexes WHERE indexrelname = 'items_embedding_idx'");
	ok($ok, $shards[$i]->name . ' answered through its hnsw index');
}

# Without extensions 'vector' the operator is not shipped: the coordinator sorts all rows.
$coord->safe_psql('postgres', "ALTER SERVER shard1 OPTIONS (DROP extensions); ALTER SERVER shard2 OPTIONS (DROP extensions)");
$plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '$lit' LIMIT 10");
unlike($plan, qr/Remote SQL:[^\n]*ORDER BY/, 'without the option no ORDER BY is shipped');
is(global($queries->[0]), exact_top($queries->[0], 10), 'and the answer is the same, computed on the coordinator');
$coord->safe_psql('postgres', "ALTER SERVER shard1 OPTIONS (ADD extensions 'vector'); ALTER SERVER shard2 OPTIONS (ADD extensions 'vector')");

# Filters are shipped as well, and distance in the select list is computed by the shards.
# (The local partition's ordered path is its hnsw index, whose cost counts the rows the filter
# keeps: without statistics on id % 2 the planner takes its default share of 0.5% for it and
# rightly prefers an exact sort there, so tell it the share, one half.)
$coord->safe_psql('postgres', 'CREATE STATISTICS items_local_parity ON (id % 2) FROM items_local; ANALYZE items_local');
$plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) SELECT id, embedding <-> '$lit' AS d FROM items WHERE id % 2 = 0 ORDER BY embedding <-> '$lit' LIMIT 10");
like($plan, qr/Remote SQL: SELECT id, embedding FROM public\.items WHERE \(\(\(id % 2\) = 0\)\) ORDER BY/, 'a WHERE clause is shipped with the ORDER BY');
my @vals = split /\n/, $coord->safe_psql('postgres', "SELECT id || ' ' || round((embedding <-> '$lit')::numeric, 4) FROM items WHERE id % 2 = 0 ORDER BY embedding <-> '$lit' LIMIT 10");
is(scalar(@vals), 10, 'filtered global query returns 10 rows');
ok(!(grep { (split / /)[0] % 2 } @vals), 'all of them pass the filter');

$coord->stop;
$_->stop for @shards;
done_testing();
