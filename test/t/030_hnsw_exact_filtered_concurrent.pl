# The exact filtered scan of hnsw (vector.hnsw_filter_strategy) under concurrent writers: pgbench
# clients insert rows, delete rows and run VACUUM (which frees elements and lets inserts reuse
# their slots) while others read every row of a filter value through the index, in a
# REPEATABLE READ transaction, and compare with the sequential scan of the same snapshot. The
# exact scan (strategy exact) must return every matching row once, in distance order; auto (the
# exact scan on this small index at 1 row in 20; a walk stopped by hnsw.max_scan_tuples and
# finished by an exact scan when every row matches) must return every matching row once. A transaction that sees otherwise fails, and no transaction may fail. Afterwards the
# index checks clean.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorIndexCheck;
use VectorTestUtils;

my $dim = 16;
my $node = vector_node('main', "autovacuum = off\nmax_connections = 40");
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE t (id bigserial PRIMARY KEY, embedding vector($dim), c int);
CREATE FUNCTION rand_vec() RETURNS vector LANGUAGE sql VOLATILE AS
  \$\$ SELECT array_agg(random() * 2 - 1)::vector($dim) FROM generate_series(1, $dim) \$\$;
INSERT INTO t (embedding, c) SELECT rand_vec(), (random() * 19)::int FROM generate_series(1, 3000);
-- 200 rows in groups of 10 identical ones (vector and filter value): elements of several rows.
INSERT INTO t (embedding, c) SELECT v, g % 20 FROM generate_series(1, 20) g, LATERAL (SELECT rand_vec() v OFFSET 0) r,
  generate_series(1, 10);
CREATE INDEX t_idx ON t USING hnsw (embedding vector_l2_ops, c) WITH (m = 8, ef_construction = 32);
SQL

# read_all(STRATEGY, MODE, ORDERED): one filter value's rows through the index (no LIMIT), then
# the sequential scan's count in the same snapshot; a difference, a row twice or (ORDERED) a
# distance smaller than the one before it fails the transaction.
sub read_all
{
	my ($strategy, $mode, $ordered, $where, $settings) = @_;
	$where //= 'c = :c';
	$settings //= '';
	my $order_check = $ordered ? <<'EOS' : '';
\if :o != 1
SELECT ('rows out of distance order')::int;
\endif
EOS
	return <<"EOS";
\\set c random(0, 19)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SET LOCAL vector.hnsw_filter_strategy = $strategy;
SET LOCAL hnsw.iterative_scan = $mode;
$settings
SELECT count(*) AS n, count(DISTINCT id) AS d, coalesce(array_agg(dist) = array_agg(dist ORDER BY dist), true)::int AS o
  FROM (SELECT id, embedding <-> '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,-0.1,-0.2,-0.3,-0.4,-0.5,-0.6]' AS dist
        FROM t WHERE $where
        ORDER BY embedding <-> '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,-0.1,-0.2,-0.3,-0.4,-0.5,-0.6]' LIMIT 100000) s \\gset
SET LOCAL enable_seqscan = on;
SET LOCAL enable_indexscan = off;
SELECT count(*) AS m FROM t WHERE $where \\gset
\\if :n != :m
SELECT ('index returned ' || :n || ' of ' || :m || ' rows')::int;
\\elif :d != :n
SELECT ('index returned a row twice')::int;
\\endif
$order_check
COMMIT;
EOS
}

my $dir = PostgreSQL::Test::Utils::tempdir;
my %scripts = (
	insert => "INSERT INTO t (embedding, c) SELECT rand_vec(), (random() * 19)::int FROM generate_series(1, 5);\n",
	# an identical row of an existing one: it may join that row's element
	duplicate => "INSERT INTO t (embedding, c) SELECT embedding, c FROM t WHERE id = (SELECT max(id) FROM t) - 3;\n",
	delete => "DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY random() LIMIT 6);\n",
	vacuum => "VACUUM t;\n",
	exact_strict => read_all('exact', 'strict_order', 1),
	exact_off => read_all('exact', 'off', 1),
	auto_relaxed => read_all('auto', 'relaxed_order', 0),
	# every row matches, so auto walks; the walk stops at 100 elements and an exact scan of the
	# elements it did not visit finishes it (while VACUUM may free and reuse visited slots)
	walk_then_exact => read_all('auto', 'relaxed_order', 0, 'c >= 0', 'SET LOCAL hnsw.max_scan_tuples = 100;'),);
my @files;
for my $name (sort keys %scripts)
{
	open(my $fh, '>', "$dir/$name.sql") or die $!;
	print $fh $scripts{$name};
	close $fh;
}
push @files, '-f', "$dir/insert.sql\@8", '-f', "$dir/duplicate.sql\@2", '-f', "$dir/delete.sql\@6", '-f',
  "$dir/vacuum.sql\@1", '-f', "$dir/exact_strict.sql\@4", '-f', "$dir/exact_off.sql\@4", '-f',
  "$dir/auto_relaxed.sql\@4", '-f', "$dir/walk_then_exact.sql\@2";

my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'pgbench', '-n', '-c', '6', '-j', '2', '-t', '300', @files, '-d', $node->connstr('postgres') ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pgbench ran to the end without a failed transaction') or diag($stderr);
my ($done) = $stdout =~ /number of transactions actually processed: (\d+)/;
is($done // 0, 1800, 'pgbench processed all 1800 transactions');
unlike($stderr, qr/ERROR|FATAL|PANIC|server closed|terminated/, 'no errors from any client') or diag($stderr);
unlike(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr/PANIC|terminated by signal|TRAP/, 'no backend crashed');

# Nothing running: every filter value's rows, through the exact scan and through auto.
for my $strategy (qw(exact auto))
{
	is( $node->safe_psql('postgres',
			"SET enable_seqscan = off; SET enable_bitmapscan = off; SET vector.hnsw_filter_strategy = $strategy; "
			  . 'SET hnsw.iterative_scan = relaxed_order; '
			  . 'SELECT count(*) FROM generate_series(0, 19) v WHERE (SELECT count(*) FROM '
			  . '(SELECT id FROM t WHERE c = v ORDER BY embedding <-> (SELECT embedding FROM t ORDER BY id LIMIT 1) LIMIT 100000) s) '
			  . '<> (SELECT count(*) FROM t WHERE c = v + 0)'),
		'0', "$strategy: every filter value's rows, all of them");
}
# (the walk_then_exact script's path: a walk, then an exact scan of the elements it did not visit)
like(
	$node->safe_psql('postgres',
		# (LOAD: the EXPLAIN hook is installed when the library is loaded, and in a new session
		# nothing has loaded it before the EXPLAIN)
		"LOAD 'vector'; SET enable_seqscan = off; SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 100; "
		  . 'EXPLAIN (ANALYZE, VERBOSE, COSTS OFF) SELECT id FROM t WHERE c >= 0 '
		  . 'ORDER BY embedding <-> (SELECT embedding FROM t ORDER BY id LIMIT 1) LIMIT 100000'),
	qr/filtered walk: 1 search, \d+ rounds?, \d+ elements visited, 1 exact scan of \d+ elements/,
	'every row matching: a walk, finished by an exact scan');
index_check_clean($node, 't_idx', 'after concurrent inserts, deletes, VACUUM and exact scans');

$node->stop;
done_testing();
