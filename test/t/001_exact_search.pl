# Exact (sequential scan) nearest-neighbour search on real data: the 100 siftsmall
# queries must return the ground-truth top 10 by L2 distance (ties allowed), and the
# <->, <=> and <#> operators must agree with distances computed in Perl.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $k = 10;

my $base = read_fvecs(dataset_file('siftsmall/siftsmall_base.fvecs'));
my $queries = read_fvecs(dataset_file('siftsmall/siftsmall_query.fvecs'));
my $truth = read_ivecs(dataset_file('siftsmall/siftsmall_groundtruth.ivecs'));
is(scalar @$base, 10000, 'siftsmall base has 10000 vectors');
is(scalar @$queries, 100, 'siftsmall has 100 queries');
is(scalar @$truth, 100, 'siftsmall ground truth has 100 rows');
my $dim = scalar @{ $base->[0] };

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION vector');
$node->safe_psql('postgres', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");

# Load the base vectors with COPY from a file the server can read (ids = row numbers).
copy_vectors($node, 'items', $base);
is($node->safe_psql('postgres', 'SELECT count(*) FROM items'), '10000', 'all base vectors loaded');
is($node->safe_psql('postgres', 'SELECT DISTINCT vector_dims(embedding) FROM items'),
	$dim, 'stored vectors keep their dimension');

# search(OP, \@QUERY_IDS): runs "ORDER BY embedding OP '<query>' LIMIT k" for each query
# in one session; returns { qid => [ [id, distance], ... ] }.
sub search
{
	my ($op, $qids) = @_;
	my $sql = "SET enable_indexscan = off; SET enable_bitmapscan = off;\n";
	for my $q (@$qids)
	{
		my $lit = vector_literal($queries->[$q]);
		$sql .= "SELECT $q, id, embedding $op '$lit' FROM items ORDER BY embedding $op '$lit' LIMIT $k;\n";
	}
	my %res;
	for my $line (split /\n/, $node->safe_psql('postgres', $sql))
	{
		my ($q, $id, $d) = split /\|/, $line;
		push @{ $res{$q} }, [ $id, $d ];
	}
	return \%res;
}

# check_knn(NAME, OP, \&DIST, \@QIDS, \%TRUE_IDS): the returned rows' distances match
# DIST computed in Perl, and rank by rank equal the true neighbours' distances (so an id
# may differ from the ground truth only where distances tie).
sub check_knn
{
	my ($name, $op, $dist, $qids, $true_ids) = @_;
	my $res = search($op, $qids);
	my ($bad, $same_ids) = (0, 0);
	for my $q (@$qids)
	{
		my $rows = $res->{$q} // [];
		my @problems;
		push @problems, 'got ' . scalar(@$rows) . " rows, not $k" if @$rows != $k;
		for my $r (0 .. $#$rows)
		{
			my ($id, $d) = @{ $rows->[$r] };
			my $perl_d = $dist->($queries->[$q], $base->[$id]);
			push @problems, "rank $r: id $id distance $d, Perl computes $perl_d"
			  unless close_enough($d, $perl_d, 1e-5, 1e-6);
			my $tid = $true_ids->{$q}[$r];
			my $true_d = $dist->($queries->[$q], $base->[$tid]);
			push @problems, "rank $r: id $id at distance $d, ground truth id $tid at $true_d"
			  unless close_enough($d, $true_d, 1e-4, 1e-6);
		}
		my $ids = join(',', map { $_->[0] } @$rows);
		$same_ids++ if $ids eq join(',', @{ $true_ids->{$q} });
		if (@problems)
		{
			$bad++;
			diag("$name query $q: " . join('; ', @problems)) if $bad <= 5;
		}
	}
	is($bad, 0, "$name: top-$k of " . scalar(@$qids) . ' queries match the exact neighbours');
	note("$name: $same_ids of " . scalar(@$qids) . ' queries returned exactly the ground-truth ids');
	return;
}

# L2: all 100 queries against the dataset's ground truth.
my %gt = map { $_ => [ @{ $truth->[$_] }[ 0 .. $k - 1 ] ] } 0 .. 99;
check_knn('L2 (<->) vs siftsmall ground truth', '<->', \&l2_distance, [ 0 .. 99 ], \%gt);

# Cosine and inner product: a few queries against a brute-force scan in Perl.
my @spot = (0, 17, 42, 73, 99);
my (%gt_cos, %gt_ip);
for my $q (@spot)
{
	my $qv = $queries->[$q];
	my (@cos, @ip);
	for my $i (0 .. $#$base)
	{
		push @cos, [ $i, cosine_distance($qv, $base->[$i]) ];
		push @ip, [ $i, -inner_product($qv, $base->[$i]) ];
	}
	$gt_cos{$q} = [ map { $_->[0] } (sort { $a->[1] <=> $b->[1] || $a->[0] <=> $b->[0] } @cos)[ 0 .. $k - 1 ] ];
	$gt_ip{$q} = [ map { $_->[0] } (sort { $a->[1] <=> $b->[1] || $a->[0] <=> $b->[0] } @ip)[ 0 .. $k - 1 ] ];
}
check_knn('cosine (<=>) vs Perl brute force', '<=>', \&cosine_distance, \@spot, \%gt_cos);
check_knn('negative inner product (<#>) vs Perl brute force',
	'<#>', sub { -inner_product(@_) }, \@spot, \%gt_ip);

# Spot checks of the three operators between stored vectors (column op column).
my @pairs = ([ 0, 1 ], [ 5, 9999 ], [ 1234, 4321 ], [ 777, 777 ], [ 2500, 7500 ]);
my $values = $node->safe_psql(
	'postgres', 'SELECT a.id, b.id, a.embedding <-> b.embedding, a.embedding <=> b.embedding, '
	  . 'a.embedding <#> b.embedding FROM items a JOIN items b ON (a.id, b.id) IN ('
	  . join(', ', map { "($_->[0], $_->[1])" } @pairs)
	  . ') ORDER BY a.id, b.id');
my @lines = split /\n/, $values;
is(scalar @lines, scalar @pairs, 'one row per pair');
for my $line (@lines)
{
	my ($ia, $ib, $l2, $cos, $nip) = split /\|/, $line;
	my ($va, $vb) = ($base->[$ia], $base->[$ib]);
	ok(close_enough($l2, l2_distance($va, $vb), 1e-5, 1e-6), "$ia <-> $ib = $l2");
	ok(close_enough($cos, cosine_distance($va, $vb), 1e-4, 1e-6), "$ia <=> $ib = $cos");
	ok(close_enough($nip, -inner_product($va, $vb), 1e-5, 1e-6), "$ia <#> $ib = $nip");
}

$node->stop;
done_testing();
