# Helpers shared by the TAP tests in test/t: reading the ANN datasets (.fvecs/.ivecs),
# writing vectors as SQL literals and COPY files, and reference distances computed in
# Perl (double precision) to check the server's operators against.
package VectorTestUtils;

use strict;
use warnings;

use Exporter 'import';
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use Test::More ();

our @EXPORT = qw(
  vector_node dataset_file read_fvecs read_ivecs vector_literal write_copy_file
  l2_distance inner_product cosine_distance close_enough
  knn_ids recall_at_k exact_knn_ids random_vectors insert_vectors_sql copy_vectors
  sparse_literal knn_distances recall_by_distance
);

# vector_node([NAME[, CONF[, INIT...]]]): a started server (PostgreSQL::Test::Cluster NAME,
# default 'main', initialised with the options INIT, e.g. allows_streaming => 1) with the lines
# CONF added to postgresql.conf and the extension created in database postgres.
sub vector_node
{
	my ($name, $conf, %init) = @_;
	require PostgreSQL::Test::Cluster;
	my $node = PostgreSQL::Test::Cluster->new($name // 'main');
	$node->init(%init);
	$node->append_conf('postgresql.conf', $conf) if defined $conf;
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION vector');
	return $node;
}

# dataset_file(REL): absolute path of a dataset file below $VECTOR_DATASETS (default:
# ../shared/datasets beside the repository). When it is missing the test fails and
# ends there, naming the file: a test that needs data never skips silently.
sub dataset_file
{
	my ($rel) = @_;
	my $root = $ENV{VECTOR_DATASETS};
	if (!defined $root || $root eq '')
	{
		# test/perl/../../.. is the parent of the repository.
		$root = abs_path(dirname(__FILE__) . '/../../..') . '/shared/datasets';
	}
	my $path = "$root/$rel";
	return $path if -r $path;
	# Fail (visibly in prove's output) rather than skip.
	Test::More::fail("dataset file $path is present");
	Test::More::diag("dataset file $path is missing: set VECTOR_DATASETS to the datasets directory");
	Test::More::done_testing();
	exit 1;
}

# read_vecs(PATH, TEMPLATE_CHAR, LIMIT): reads a .fvecs ('f') or .ivecs ('l') file,
# at most LIMIT vectors, as an array ref of array refs.
sub read_vecs
{
	my ($path, $type, $limit) = @_;
	open(my $fh, '<:raw', $path) or die "could not open $path: $!";
	local $/;
	my $bytes = <$fh>;
	close $fh;
	my @out;
	my $pos = 0;
	my $len = length $bytes;
	while ($pos < $len && (!defined $limit || @out < $limit))
	{
		die "$path: truncated header at byte $pos\n" if $pos + 4 > $len;
		my $dim = unpack('l<', substr($bytes, $pos, 4));
		die "$path: bad dimension $dim at byte $pos\n" if $dim <= 0 || $dim > 65535;
		die "$path: truncated vector at byte $pos\n" if $pos + 4 + 4 * $dim > $len;
		push @out, [ unpack("$type<$dim", substr($bytes, $pos + 4, 4 * $dim)) ];
		$pos += 4 + 4 * $dim;
	}
	return \@out;
}

# read_fvecs(PATH[, LIMIT]): float32 vectors of a .fvecs file.
sub read_fvecs { return read_vecs($_[0], 'f', $_[1]); }

# read_ivecs(PATH[, LIMIT]): int32 vectors of a .ivecs file (ground-truth ids).
sub read_ivecs { return read_vecs($_[0], 'l', $_[1]); }

# vector_literal(\@v): the vector's text form '[x,y,...]'; %.9g round-trips float32.
sub vector_literal
{
	my ($v) = @_;
	return '[' . join(',', map { sprintf('%.9g', $_) } @$v) . ']';
}

# write_copy_file(PATH, \@vectors[, FIRST_ID]): writes "id<TAB>[...]" lines for
# COPY ... FROM, ids counting from FIRST_ID (default 0, the datasets' row numbers).
sub write_copy_file
{
	my ($path, $vectors, $first_id) = @_;
	$first_id //= 0;
	open(my $fh, '>', $path) or die "could not write $path: $!";
	for my $i (0 .. $#$vectors)
	{
		print $fh ($first_id + $i), "\t", vector_literal($vectors->[$i]), "\n";
	}
	close $fh or die "could not write $path: $!";
	return;
}

# l2_distance(\@a, \@b): Euclidean distance, as the <-> operator.
sub l2_distance
{
	my ($a, $b) = @_;
	my $s = 0;
	for my $i (0 .. $#$a)
	{
		my $d = $a->[$i] - $b->[$i];
		$s += $d * $d;
	}
	return sqrt($s);
}

# inner_product(\@a, \@b): the inner product; the <#> operator returns its negation.
sub inner_product
{
	my ($a, $b) = @_;
	my $s = 0;
	$s += $a->[$_] * $b->[$_] for 0 .. $#$a;
	return $s;
}

# cosine_distance(\@a, \@b): 1 - cosine similarity, as the <=> operator.
sub cosine_distance
{
	my ($a, $b) = @_;
	my $na = sqrt(inner_product($a, $a));
	my $nb = sqrt(inner_product($b, $b));
	return 1 - inner_product($a, $b) / ($na * $nb);
}

# close_enough(X, Y, REL[, ABS]): |X - Y| within REL relative (to the larger
# magnitude) or ABS absolute tolerance.
sub close_enough
{
	my ($x, $y, $rel, $abs) = @_;
	$abs //= 0;
	my $diff = abs($x - $y);
	my $scale = abs($x) > abs($y) ? abs($x) : abs($y);
	return $diff <= $abs || $diff <= $rel * $scale;
}

# knn_ids(NODE, TABLE, OP, \@QUERIES, K[, SETTINGS[, WHERE]]): the ids of the K rows of TABLE
# (columns id, embedding) nearest each query by "ORDER BY embedding OP query LIMIT K", all queries
# run in one psql session after the SQL SETTINGS; returns [ [ids of query 0], [ids of query 1] ...].
# A query is an array ref (a vector) or a string (an SQL expression giving the query vector).
sub knn_ids
{
	my ($node, $table, $op, $queries, $k, $settings, $where) = @_;
	my $sql = ($settings // '') . "\n";
	my $filter = defined $where ? "WHERE $where " : '';
	for my $i (0 .. $#$queries)
	{
		my $q = $queries->[$i];
		my $expr = ref $q ? "'" . vector_literal($q) . "'::vector" : $q;
		$sql .= "SELECT $i, id FROM $table ${filter}ORDER BY embedding $op $expr LIMIT $k;\n";
	}
	my @res = map { [] } @$queries;
	for my $line (split /\n/, $node->safe_psql('postgres', $sql))
	{
		my ($i, $id) = split /\|/, $line;
		push @{ $res[$i] }, $id;
	}
	return \@res;
}

# exact_knn_ids(NODE, TABLE, OP, \@QUERIES, K[, WHERE]): knn_ids by a sequential scan (exact).
sub exact_knn_ids
{
	my ($node, $table, $op, $queries, $k, $where) = @_;
	return knn_ids($node, $table, $op, $queries, $k,
		'SET enable_indexscan = off; SET enable_bitmapscan = off; SET max_parallel_workers_per_gather = 0;', $where);
}

# recall_at_k(\@GOT, \@TRUTH, K): mean over the queries of the share of the first K true ids
# that are among the first K ids found.
sub recall_at_k
{
	my ($got, $truth, $k) = @_;
	die "recall_at_k: " . scalar(@$got) . " results for " . scalar(@$truth) . " queries\n"
	  if @$got != @$truth || !@$truth;
	my $sum = 0;
	for my $i (0 .. $#$truth)
	{
		my $n = $k < @{ $truth->[$i] } ? $k : scalar @{ $truth->[$i] };
		if ($n == 0)
		{
			$sum += 1;    # nothing to find
			next;
		}
		my %want = map { $_ => 1 } @{ $truth->[$i] }[ 0 .. $n - 1 ];
		my $m = @{ $got->[$i] } < $k ? scalar @{ $got->[$i] } : $k;
		my $hits = grep { $want{$_} } @{ $got->[$i] }[ 0 .. $m - 1 ];
		$sum += $hits / $n;
	}
	return $sum / @$truth;
}


# random_vectors(N, DIM[, DECIMALS]): N random vectors of DIM components in [-1, 1), printed with
# DECIMALS decimals (default 6); uses Perl's rand, so a test's srand makes them repeatable.
sub random_vectors
{
	my ($n, $dim, $decimals) = @_;
	my $format = '%.' . ($decimals // 6) . 'f';
	return [ map { [ map { sprintf($format, 2 * rand() - 1) } 1 .. $dim ] } 1 .. $n ];
}

# insert_vectors_sql(TABLE, FIRST_ID, \@VECTORS): one INSERT of the vectors into TABLE (id, embedding)
# with consecutive ids.
sub insert_vectors_sql
{
	my ($table, $first, $vectors) = @_;
	my $i = $first;
	return "INSERT INTO $table (id, embedding) VALUES "
	  . join(",\n", map { '(' . $i++ . ", '" . vector_literal($_) . "')" } @$vectors);
}


# copy_vectors(NODE, TABLE, \@VECTORS): loads the vectors into TABLE (id, embedding) with COPY from
# a file the server can read (ids = row numbers), then ANALYZEs the table.
sub copy_vectors
{
	my ($node, $table, $vectors) = @_;
	require PostgreSQL::Test::Utils;
	my $path = PostgreSQL::Test::Utils::tempdir() . "/$table.tsv";
	write_copy_file($path, $vectors);
	$node->safe_psql('postgres', "COPY $table (id, embedding) FROM '$path'; ANALYZE $table");
	return;
}

# sparse_literal(\@v, TOP): the sparsevec text form of the TOP components of largest magnitude of
# the vector (ties broken by position), '{i:x,...}/dim' with 1-based, increasing indices.
sub sparse_literal
{
	my ($v, $top) = @_;
	my @order = sort { abs($v->[$b]) <=> abs($v->[$a]) || $a <=> $b } 0 .. $#$v;
	my @keep = sort { $a <=> $b } grep { $v->[$_] != 0 } @order[ 0 .. ($top < @order ? $top : @order) - 1 ];
	return '{' . join(',', map { ($_ + 1) . ':' . sprintf('%.9g', $v->[$_]) } @keep) . '}/' . scalar(@$v);
}

# knn_distances(NODE, TABLE, OP, \@EXPRS, K[, SETTINGS]): for each query (an SQL expression), the
# distances of the K rows returned by "ORDER BY embedding OP expr LIMIT K", in order.
sub knn_distances
{
	my ($node, $table, $op, $exprs, $k, $settings) = @_;
	my $sql = ($settings // '') . "\n";
	for my $i (0 .. $#$exprs)
	{
		$sql .= "SELECT $i, d FROM (SELECT embedding $op $exprs->[$i] AS d FROM $table "
		  . "ORDER BY embedding $op $exprs->[$i] LIMIT $k) s;\n";
	}
	my @res = map { [] } @$exprs;
	for my $line (split /\n/, $node->safe_psql('postgres', $sql))
	{
		my ($i, $d) = split /\|/, $line;
		push @{ $res[$i] }, $d;
	}
	return \@res;
}

# recall_by_distance(\@GOT, \@EXACT, K): recall@K that counts ties as hits: the mean over the
# queries of the share of the K rows found whose distance is at most the K-th exact distance
# (for distances with many ties, such as Hamming, where ids are not a fair reference).
sub recall_by_distance
{
	my ($got, $exact, $k) = @_;
	my $sum = 0;
	for my $i (0 .. $#$exact)
	{
		my @e = @{ $exact->[$i] };
		if (!@e)
		{
			$sum += 1;
			next;
		}
		my $limit = $e[-1] + 1e-6 * (1 + abs($e[-1]));
		my $hits = grep { $_ <= $limit } @{ $got->[$i] };
		$hits = @e if $hits > @e;
		$sum += $hits / @e;
	}
	return $sum / @$exact;
}

1;
