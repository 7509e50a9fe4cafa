# Concurrent use of an hnsw index under pgbench: clients insert rows, query (each query checks that
# it got LIMIT distinct rows, or fails the transaction), delete rows and run VACUUM, all at once:
# 6 clients, 100 transactions each (a fixed amount of work, not a time: a loaded machine once got
# through only 480 transactions in the 15 s this test used to run for). No transaction may fail and the server must not crash; afterwards every row is
# found through the index by its own vector and recall@10 against a sequential scan is high.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;
use VectorIndexCheck;

my $dim = 32;
my $node = vector_node('main', "autovacuum = off\nmax_connections = 40");
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE t (id bigserial PRIMARY KEY, embedding vector($dim));
CREATE FUNCTION rand_vec() RETURNS vector LANGUAGE sql VOLATILE AS
  \$\$ SELECT array_agg(random() * 2 - 1)::vector($dim) FROM generate_series(1, $dim) \$\$;
INSERT INTO t (embedding) SELECT rand_vec() FROM generate_series(1, 2000);
CREATE INDEX t_idx ON t USING hnsw (embedding vector_l2_ops) WITH (m = 12, ef_construction = 40);
SQL

my $dir = PostgreSQL::Test::Utils::tempdir;
my %scripts = (
	insert => "INSERT INTO t (embedding) SELECT rand_vec() FROM generate_series(1, 5);\n",
	# an index scan that must return 10 distinct rows (the table always has many more)
	query => <<'EOS',
SET enable_seqscan = off;
SELECT count(*) AS n, count(DISTINCT id) AS d FROM (SELECT id FROM t ORDER BY embedding <-> rand_vec() LIMIT 10) s \gset
\if :n != 10
SELECT ('index scan returned ' || :n || ' rows')::int;
\elif :d != 10
SELECT ('index scan returned a row twice')::int;
\endif
EOS
	# iterative scan with a filter: must also return 10 distinct rows
	filtered => <<'EOS',
SET enable_seqscan = off;
SET hnsw.iterative_scan = strict_order;
SELECT count(*) AS n, count(DISTINCT id) AS d FROM (SELECT id FROM t WHERE id % 10 = 3 ORDER BY embedding <-> rand_vec() LIMIT 10) s \gset
\if :n != 10
SELECT ('iterative scan returned ' || :n || ' rows')::int;
\elif :d != 10
SELECT ('iterative scan returned a row twice')::int;
\endif
EOS
	delete => "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE id % 10 <> 3 ORDER BY random() LIMIT 3);\n",
	vacuum => "VACUUM t;\n",);
my @files;
for my $name (sort keys %scripts)
{
	open(my $fh, '>', "$dir/$name.sql") or die $!;
	print $fh $scripts{$name};
	close $fh;
}
push @files, '-f', "$dir/insert.sql\@10", '-f', "$dir/query.sql\@10", '-f', "$dir/filtered.sql\@4",
  '-f', "$dir/delete.sql\@4", '-f', "$dir/vacuum.sql\@1";

my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'pgbench', '-n', '-c', '6', '-j', '2', '-t', '100', @files, '-d', $node->connstr('postgres') ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pgbench ran to the end without a failed transaction');
my ($done) = $stdout =~ /number of transactions actually processed: (\d+)/;
is($done // 0, 600, 'pgbench processed all 600 transactions');
unlike($stderr, qr/ERROR|FATAL|PANIC|server closed|terminated/, 'no errors from any client') or diag($stderr);
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server is up');
unlike(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr/PANIC|terminated by signal|TRAP/, 'no backend crashed');

# Afterwards: every row is found through the index by its own vector, and recall@10 is high.
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM t');
note("$rows rows after the run");
my $missed = $node->safe_psql('postgres',
	'SET enable_seqscan = off; SET hnsw.ef_search = 100; '
	  . 'SELECT count(*) FROM t a WHERE (SELECT b.id FROM t b ORDER BY b.embedding <-> a.embedding LIMIT 1) IS DISTINCT FROM a.id');
cmp_ok($missed, '<=', $rows / 200, "$missed of the $rows rows are not found first by their own vector (<= 0.5%)");
is( $node->safe_psql('postgres',
		'SET enable_seqscan = off; SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 1000000; '
		  . "SELECT count(*) || ' ' || count(DISTINCT id) FROM (SELECT id FROM t ORDER BY embedding <-> rand_vec() LIMIT 1000000) s"),
	"$rows $rows", 'an unbounded iterative scan returns every row once');

my @queries = map { [ map { 2 * rand() - 1 } 1 .. $dim ] } 1 .. 50;
my $want = exact_knn_ids($node, 't', '<->', \@queries, 10);
my $got = knn_ids($node, 't', '<->', \@queries, 10, 'SET enable_seqscan = off; SET hnsw.ef_search = 100;');
my $recall = recall_at_k($got, $want, 10);
cmp_ok($recall, '>=', 0.95, sprintf('recall@10 at ef_search 100 after the run is %.3f', $recall));

# One more VACUUM with nothing running, then the same checks.
$node->safe_psql('postgres', 'DELETE FROM t WHERE id % 2 = 0; VACUUM t');
$want = exact_knn_ids($node, 't', '<->', \@queries, 10);
$got = knn_ids($node, 't', '<->', \@queries, 10, 'SET enable_seqscan = off; SET hnsw.ef_search = 100;');
$recall = recall_at_k($got, $want, 10);
cmp_ok($recall, '>=', 0.95, sprintf('recall@10 after deleting half and VACUUM is %.3f', $recall));
index_check_clean($node, 't_idx', 'after concurrent use and VACUUM');

$node->stop;
done_testing();
