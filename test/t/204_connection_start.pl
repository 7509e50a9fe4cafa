# What a backend pays for the extension (issue 16): vector.so links no BLAS, LAPACK or OpenMP,
# and what index builds need from them lives in vector_build.so, loaded by the first build of a
# backend. Checked on siftsmall (10,000 x 128), without and then with
# shared_preload_libraries = 'vector':
#   - a backend that never builds an index, but runs vector queries of every type, index scans
#     of hnsw, ivfflat and ivf (sq8, pq) and INSERTs into those indexes, has exactly one task in
#     /proc/<pid>/task and maps no BLAS, LAPACK, OpenMP or vector_build.so;
#   - a backend that builds maps vector_build.so (so the check above can see it);
#   - with the preload, the postmaster has loaded vector.so, still has one task and maps none of
#     those libraries, before and after backends have built indexes;
#   - the builds give the recall they must: hnsw, ivfflat (all lists: exact; a tenth: k-means
#     worked), ivf sq8 and pq.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $k = 10;
my $lists = 50;
my $base = read_fvecs(dataset_file('siftsmall/siftsmall_base.fvecs'));
my $queries = read_fvecs(dataset_file('siftsmall/siftsmall_query.fvecs'), 30);
my @exprs = map { "'" . vector_literal($_) . "'::vector" } @$queries;

# Shared libraries that only builds may map.
my $build_only_libs = 'openblas|libblas|lapack|gomp|gfortran|vector_build';

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '128MB'\nautovacuum = off\nvector.build_threads = 2");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', 'CREATE TABLE items (id int PRIMARY KEY, embedding vector(128))');
copy_vectors($node, 'items', $base);

# One table per index, so that each scan has one index to use.
my %index = (
	t_hnsw => "USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)",
	t_ivfflat => "USING ivfflat (embedding vector_l2_ops) WITH (lists = $lists)",
	t_sq8 => "USING ivf (embedding vector_l2_ops) WITH (lists = $lists, quantizer = 'sq8')",
	t_pq => "USING ivf (embedding vector_l2_ops) WITH (lists = $lists, quantizer = 'pq')",
);
for my $t (sort keys %index)
{
	$node->safe_psql('postgres', "CREATE TABLE $t AS SELECT * FROM items; ANALYZE $t");
}

# The build-only libraries a backend has mapped: "maps:" and their file names.
my $maps_sql = "SELECT 'maps:' || coalesce(string_agg(DISTINCT substring(l FROM '[^/]+\$'), ' '), '') "
  . "FROM regexp_split_to_table(pg_read_file('/proc/' || pg_backend_pid() || '/maps'), E'\\n') l "
  . "WHERE l ~ '($build_only_libs)'";
my $tasks_sql = "SELECT count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task')";

# The postmaster's task count and build-only libraries; and whether it mapped vector.so.
sub postmaster_state
{
	open(my $fh, '<', $node->data_dir . '/postmaster.pid') or die "postmaster.pid: $!";
	my $pid = <$fh>;
	close $fh;
	chomp $pid;
	opendir(my $dh, "/proc/$pid/task") or die "/proc/$pid/task: $!";
	my $tasks = grep { /^\d+$/ } readdir $dh;
	closedir $dh;
	open(my $maps, '<', "/proc/$pid/maps") or die "/proc/$pid/maps: $!";
	my (%libs, $vector);
	while (my $line = <$maps>)
	{
		$libs{$1} = 1 if $line =~ m{/([^/]*(?:$build_only_libs)[^/\s]*)\s*$};
		$vector = 1 if $line =~ m{/vector\.so\s*$};
	}
	close $maps;
	return ($tasks, join(' ', sort keys %libs), $vector ? 1 : 0);
}

# Builds every index in one backend; that backend then maps vector_build.so.
sub build_all
{
	my ($label) = @_;
	my $sql = join('', map { "DROP INDEX IF EXISTS ${_}_idx; CREATE INDEX ${_}_idx ON $_ $index{$_};\n" } sort keys %index);
	my $mapped = $node->safe_psql('postgres', "SET client_min_messages = warning;\n$sql$maps_sql");
	like($mapped, qr/vector_build/, "$label: the backend that built the indexes mapped vector_build.so");
}

# recall@k of TABLE's index (tie-aware) with SETTINGS, against a sequential scan.
sub recall
{
	my ($table, $settings) = @_;
	my $plan = $node->safe_psql('postgres',
		"$settings SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM $table ORDER BY embedding <-> $exprs[0] LIMIT $k");
	like($plan, qr/Index Scan using ${table}_idx/, "$table: the queries use the index");
	my $got = knn_distances($node, $table, '<->', \@exprs, $k, "$settings SET enable_seqscan = off;");
	my $exact = knn_distances($node, $table, '<->', \@exprs, $k,
		'SET enable_indexscan = off; SET enable_bitmapscan = off; SET max_parallel_workers_per_gather = 0;');
	return recall_by_distance($got, $exact, $k);
}

sub check_recall
{
	my ($label) = @_;
	my @checks = (
		# [ table, settings, minimum recall@10 ]
		[ 't_hnsw', 'SET hnsw.ef_search = 40;', 0.95 ],
		[ 't_ivfflat', "SET ivfflat.probes = $lists;", 1.0 ],
		[ 't_ivfflat', 'SET ivfflat.probes = ' . ($lists / 10) . ';', 0.75 ],
		[ 't_sq8', "SET ivfflat.probes = $lists;", 0.97 ],
		[ 't_pq', "SET ivfflat.probes = $lists;", 0.97 ],
	);
	for my $c (@checks)
	{
		my ($table, $settings, $min) = @$c;
		my $r = recall($table, $settings);
		cmp_ok($r, '>=', $min, sprintf('%s: %s recall@%d with "%s" is %.3f (>= %.2f)', $label, $table, $k, $settings, $r, $min));
	}
}

# A backend that uses vectors and the indexes but builds none: one task, no build-only library.
sub check_reader
{
	my ($label) = @_;
	my $q = $exprs[1];
	my $new = vector_literal($queries->[2]);
	my $sql = <<"SQL";
SET enable_seqscan = off;
SET ivfflat.probes = 5;
SELECT '[1,2,3]'::vector <=> '[3,2,1]', '[1,2,3]'::halfvec <-> '[3,2,1]', '{1:1,3:2}/3'::sparsevec <#> '{2:1}/3',
	'101'::bit(3) <~> '011'::bit(3), l2_normalize('[3,4]'::vector), binary_quantize('[1,-1]'::vector);
SELECT avg(embedding) IS NOT NULL, count(*) FROM items;
SELECT count(*) FROM (SELECT id FROM t_hnsw ORDER BY embedding <-> $q LIMIT $k) s;
SELECT count(*) FROM (SELECT id FROM t_ivfflat ORDER BY embedding <-> $q LIMIT $k) s;
SELECT count(*) FROM (SELECT id FROM t_sq8 ORDER BY embedding <-> $q LIMIT $k) s;
SELECT count(*) FROM (SELECT id FROM t_pq ORDER BY embedding <-> $q LIMIT $k) s;
INSERT INTO t_hnsw VALUES (100000, '$new');
INSERT INTO t_ivfflat VALUES (100000, '$new');
INSERT INTO t_sq8 VALUES (100000, '$new');
INSERT INTO t_pq VALUES (100000, '$new');
SELECT count(*) FROM (SELECT id FROM t_pq ORDER BY embedding <-> '$new' LIMIT $k) s WHERE id = 100000;
DELETE FROM t_hnsw WHERE id = 100000; DELETE FROM t_ivfflat WHERE id = 100000;
DELETE FROM t_sq8 WHERE id = 100000; DELETE FROM t_pq WHERE id = 100000;
SQL
	my @out = split /\n/, $node->safe_psql('postgres', "$sql$tasks_sql; $maps_sql");
	is($out[-2], 1, "$label: a backend that ran vector queries, index scans and inserts has 1 task");
	is($out[-1], 'maps:', "$label: it maps no BLAS, LAPACK, OpenMP or vector_build.so");
	is($out[-3], 1, "$label: its insert into the pq index is found by its own vector");
	is(scalar(grep { $_ eq $k } @out), 4, "$label: every index scan returned $k rows");
}

# Without preloading.
build_all('no preload');
check_recall('no preload');
check_reader('no preload');

# With shared_preload_libraries = 'vector'.
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'vector'");
$node->restart;
my ($tasks, $libs, $vector) = postmaster_state();
is($vector, 1, 'preload: the postmaster has loaded vector.so');
is($tasks, 1, 'preload: the postmaster has 1 task');
is($libs, '', 'preload: the postmaster maps no BLAS, LAPACK, OpenMP or vector_build.so');
check_reader('preload');
build_all('preload');
check_recall('preload');
check_reader('preload, after builds');
# Many backends forked, some built with threads: the postmaster is unchanged.
($tasks, $libs) = postmaster_state();
is($tasks, 1, 'preload: after the builds the postmaster still has 1 task');
is($libs, '', 'preload: after the builds the postmaster still maps none of the build-only libraries');

$node->stop;
done_testing();
