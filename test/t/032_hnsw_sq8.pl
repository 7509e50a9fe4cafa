# hnsw WITH (quantizer = 'sq8'): elements hold one byte per dimension and scans return rows by a
# lower bound that PostgreSQL re-ranks from the table (core/distance/sq8_rows.h). On GloVe rows
# made 300-dimensional as in 031 (not normalised), for every operator of vector and halfvec:
# recall@10 against the exact answer stays above the bounds after the build, after inserts, and
# after deletes and VACUUM, with rows in exact distance order; concurrent inserts and VACUUM then
# a crash (immediate stop) lose no acknowledged row and leave every row findable; a streaming
# standby answers as the primary does.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use VectorTestUtils;
use VectorIndexCheck;
use VectorInserters;

my $k = 10;
my $lift = sub { my ($x) = @_; return [ @$x, (map { $_ / 2 + 3 } @$x), (map { -$_ } @$x) ]; };
my $base = [ map { $lift->($_) } @{ read_fvecs(dataset_file('glove-100/glove100_base.fvecs'), 20000) } ];
my $queries = [ map { $lift->($_) } @{ read_fvecs(dataset_file('glove-100/glove100_query.fvecs'), 100) } ];
my $dim = scalar @{ $base->[0] };

my $node = PostgreSQL::Test::Cluster->new('primary');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf',
	"maintenance_work_mem = '512MB'\nautovacuum = off\nwal_keep_size = '2GB'\ncheckpoint_timeout = 30s");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
copy_vectors($node, 'items', [ @{$base}[ 0 .. 14999 ] ]);
$node->safe_psql('postgres',
	"CREATE TABLE items_half AS SELECT id, embedding::halfvec($dim) AS embedding FROM items; "
	  . 'ALTER TABLE items_half ADD PRIMARY KEY (id); ANALYZE items_half');

# A standby from a backup taken now: every index below reaches it through streamed WAL.
$node->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($node, 'backup', has_streaming => 1);
$standby->start;

# recall(TABLE, OP[, NODE]): recall@10 at ef_search 40 against a sequential scan; and whether the
# distances of the first 100 rows of three queries never decrease.
sub recall
{
	my ($table, $op, $on) = @_;
	$on //= $node;
	my $want = exact_knn_ids($on, $table, $op, $queries, $k);
	my $got = knn_ids($on, $table, $op, $queries, $k, 'SET enable_seqscan = off; SET hnsw.ef_search = 40;');
	my $disorder = 0;
	for my $i (3, 50, 97)
	{
		my $q = vector_literal($queries->[$i]);
		$disorder += $on->safe_psql('postgres',
			"SET enable_seqscan = off; SELECT count(*) FROM (SELECT d, lag(d) OVER () AS p FROM "
			  . "(SELECT embedding $op '$q' AS d FROM $table ORDER BY embedding $op '$q' LIMIT 100) s) t WHERE d < p");
	}
	return (recall_at_k($got, $want, $k), $disorder);
}

# [table, opclass, operator, recall bound]: the bounds of the flat index on the same rows (031).
# Measured with sq8: vector 0.997 (L2) / 0.996 (cosine) / 0.989 (inner product) / 0.993 (L1),
# halfvec 0.997 / 0.996 / 0.989 / 0.992; after the inserts 0.989 (L2) and 0.988 (inner product),
# after the deletes and VACUUM 0.995 and 0.989. (The flat index: 0.990 / 0.995 / 0.990.)
my @cases = (
	[ 'items', 'vector_l2_ops', '<->', 0.97 ],
	[ 'items', 'vector_cosine_ops', '<=>', 0.97 ],
	[ 'items', 'vector_ip_ops', '<#>', 0.96 ],
	[ 'items', 'vector_l1_ops', '<+>', 0.95 ],
	[ 'items_half', 'halfvec_l2_ops', '<->', 0.97 ],
	[ 'items_half', 'halfvec_cosine_ops', '<=>', 0.97 ],
	[ 'items_half', 'halfvec_ip_ops', '<#>', 0.96 ],
	[ 'items_half', 'halfvec_l1_ops', '<+>', 0.95 ]);
for my $case (@cases)
{
	my ($table, $opclass, $op, $min) = @$case;
	$node->safe_psql('postgres',
		"CREATE INDEX ${table}_sq8 ON $table USING hnsw (embedding $opclass) WITH (quantizer = 'sq8')");
	my ($r, $disorder) = recall($table, $op);
	cmp_ok($r, '>=', $min, sprintf('%s: recall@%d at ef_search 40 is %.3f (>= %.2f)', $opclass, $k, $r, $min));
	is($disorder, 0, "$opclass: rows in exact distance order");
	$node->safe_psql('postgres', "DROP INDEX ${table}_sq8");
}

# The rest of the rows inserted into built indexes, then a third deleted and VACUUM.
for my $opclass ('vector_l2_ops', 'vector_ip_ops')
{
	my $op = $opclass eq 'vector_l2_ops' ? '<->' : '<#>';
	my $min = $opclass eq 'vector_l2_ops' ? 0.97 : 0.96;
	$node->safe_psql('postgres', 'DELETE FROM items WHERE id >= 15000; VACUUM items');
	$node->safe_psql('postgres',
		"CREATE INDEX items_sq8 ON items USING hnsw (embedding $opclass) WITH (quantizer = 'sq8')");
	my $path = PostgreSQL::Test::Utils::tempdir() . '/rest.tsv';
	write_copy_file($path, [ @{$base}[ 15000 .. 19999 ] ]);
	# (ids from 15000: the file's row numbers are offset by a staging table)
	$node->safe_psql('postgres',
		"CREATE TEMP TABLE rest (id int, embedding vector($dim)); COPY rest FROM '$path'; "
		  . 'INSERT INTO items SELECT id + 15000, embedding FROM rest');
	my ($r, $disorder) = recall('items', $op);
	cmp_ok($r, '>=', $min, sprintf('%s: after 5,000 inserts recall@%d is %.3f (>= %.2f)', $opclass, $k, $r, $min));
	is($disorder, 0, "$opclass: after inserts, rows in exact distance order");
	$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0');
	$node->safe_psql('postgres', 'VACUUM items');
	($r, $disorder) = recall('items', $op);
	cmp_ok($r, '>=', $min,
		sprintf('%s: after deleting a third and VACUUM recall@%d is %.3f (>= %.2f)', $opclass, $k, $r, $min));
	is($disorder, 0, "$opclass: after VACUUM, rows in exact distance order");
	index_check_clean($node, 'items_sq8', "$opclass: after inserts, deletes and VACUUM");

	# The standby has the same index and answers the same.
	$node->wait_for_catchup($standby, 'replay', $node->lsn('insert'));
	my $settings = 'SET enable_seqscan = off; SET hnsw.ef_search = 40;';
	my $sub = [ @{$queries}[ 0 .. 19 ] ];
	is_deeply(knn_ids($standby, 'items', $op, $sub, $k, $settings), knn_ids($node, 'items', $op, $sub, $k, $settings),
		"$opclass: the standby returns the primary's rows");
	index_check_clean($standby, 'items_sq8', "$opclass: on the standby");
	$node->safe_psql('postgres', 'DROP INDEX items_sq8; TRUNCATE items');
	copy_vectors($node, 'items', [ @{$base}[ 0 .. 14999 ] ]);
}

# Concurrent inserts and VACUUM, then a crash.
my $cdim = 64;
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE t (id bigserial PRIMARY KEY, embedding vector($cdim));
CREATE FUNCTION rand_vec() RETURNS vector LANGUAGE sql VOLATILE AS
  \$\$ SELECT array_agg(random() * 2 - 1)::vector($cdim) FROM generate_series(1, $cdim) \$\$;
INSERT INTO t (embedding) SELECT rand_vec() FROM generate_series(1, 1000);
CREATE INDEX t_idx ON t USING hnsw (embedding vector_l2_ops) WITH (quantizer = 'sq8');
SQL
my $dir = PostgreSQL::Test::Utils::tempdir;
my $inserters =
  start_inserters($node, $dir, 3, 3000, sub { "INSERT INTO t (embedding) VALUES (rand_vec()) RETURNING id;" });
my $vacuum_script = "$dir/vacuum.sql";
open(my $vfh, '>', $vacuum_script) or die $!;
print $vfh "DELETE FROM t WHERE id <= 1000 AND id % 10 = $_;\nVACUUM t;\nSELECT pg_sleep(0.2);\n" for 0 .. 9;
close $vfh;
my $vacuum = start_inserter($node, $vacuum_script, "$dir/vacuum.out", "$dir/vacuum.err");

my $deadline = time + 25;
usleep(200_000) while scalar(@{ acked_ids($inserters) }) < 3000 && time < $deadline;
$node->stop('immediate');
eval { $vacuum->{h}->finish; };
my @acked = @{ check_inserters_after_crash($inserters, 200) };

$node->start;
my %present = map { $_ => 1 } split /\n/, $node->safe_psql('postgres', 'SELECT id FROM t');
my @lost = grep { !$present{$_} } @acked;
is(scalar @lost, 0, 'every acknowledged insert is in the table after recovery');

# Every row once through an unbounded iterative scan (in exact order: strict_order), and nearly
# every row found first by its own vector (as 013 allows for the flat index: 0.5%).
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
my $all_once = 'SET enable_seqscan = off; SET hnsw.iterative_scan = strict_order; SET hnsw.max_scan_tuples = 1000000; '
  . "SELECT count(*) || ' ' || count(DISTINCT id) FROM (SELECT id FROM t ORDER BY embedding <-> rand_vec() LIMIT 1000000) s";
my $self_missed = 'SET enable_seqscan = off; SET hnsw.ef_search = 200; '
  . 'SELECT count(*) FROM t a WHERE (SELECT b.id FROM t b ORDER BY b.embedding <-> a.embedding LIMIT 1) IS DISTINCT FROM a.id';
is($node->safe_psql('postgres', $all_once), "$rows $rows", 'an unbounded iterative scan returns every row once after recovery');
my $missed = $node->safe_psql('postgres', $self_missed);
cmp_ok($missed, '<=', $rows / 200, "after recovery $missed of $rows rows are not found first by their own vector");
index_check_clean($node, 't_idx', 'after the crash');
$node->safe_psql('postgres', 'INSERT INTO t (embedding) SELECT rand_vec() FROM generate_series(1, 500)');
$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 3 = 0');
$node->safe_psql('postgres', 'VACUUM t');
$rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
is($node->safe_psql('postgres', $all_once), "$rows $rows", 'after more inserts, deletes and VACUUM every row comes once');
index_check_clean($node, 't_idx', 'after recovery, inserts, deletes and VACUUM');

done_testing();
