# Backup and restore with pg_dump / pg_restore: a database with columns of every type the
# installed extension has (vector always; halfvec, sparsevec and bit when present) and one
# index per operator class of every access method (hnsw, ivfflat, ivf with each quantizer),
# dumped in custom format (restored with pg_restore) and in plain format (restored with
# psql), must come back with the same data, the same index definitions, indexes that the
# planner uses, and the same answers to the same nearest-neighbour queries. The dump refers
# to the extension (CREATE EXTENSION) instead of copying its objects.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $dim = 16;
my $rows = 1000;
srand(20261122);

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->append_conf('postgresql.conf', "maintenance_work_mem = '64MB'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION vector');

# The types this build of the extension has, each with the column that holds it and the
# expression that fills that column from the vector column v.
my %fill = (
	vector    => undef,
	halfvec   => "embedding::halfvec($dim)",
	sparsevec => "embedding::sparsevec($dim)",
	bit       => 'binary_quantize(embedding)',
);
my %column = (vector => 'embedding', halfvec => 'h', sparsevec => 's', bit => 'b');
# A type counts when the extension owns it, or, for PostgreSQL's own bit type, owns its
# hamming_distance function.
my @types = grep {
	my $object = $_ eq 'bit' ? "to_regprocedure('hamming_distance(bit,bit)')" : "to_regtype('$_')";
	$node->safe_psql('src', "SELECT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid WHERE e.extname = 'vector' AND d.deptype = 'e' AND d.objid = $object)") eq 't'
} qw(vector halfvec sparsevec bit);
note("types in the extension: @types");
ok((grep { $_ eq 'vector' } @types), 'the extension has the vector type');

my $coldefs = join(', ',
	map { "$column{$_} " . ($_ eq 'bit' ? "bit($dim)" : "$_($dim)") } @types);
$node->safe_psql('src', "CREATE TABLE items (id int PRIMARY KEY, $coldefs, tags vector[])");
$node->safe_psql('src', insert_vectors_sql('items', 0, random_vectors($rows, $dim)));
for my $t (grep { $_ ne 'vector' } @types)
{
	$node->safe_psql('src', "UPDATE items SET $column{$t} = $fill{$t}");
}
$node->safe_psql('src', "UPDATE items SET tags = ARRAY[embedding, embedding * embedding] WHERE id % 7 = 0");
$node->safe_psql('src', 'UPDATE items SET embedding = NULL WHERE id % 97 = 5');
# A view and a function that use the type are dumped after the extension.
$node->safe_psql('src', "CREATE VIEW nearest_origin AS SELECT id, embedding <-> array_fill(0, ARRAY[$dim])::vector AS d FROM items");
$node->safe_psql('src', 'CREATE FUNCTION twice(vector) RETURNS vector LANGUAGE sql IMMUTABLE AS $$ SELECT $1 + $1 $$');

# One index per (access method, operator class) whose input type has a column, with the
# operator that orders by it; ivf once per quantizer for the vector type.
my @opclasses = split /\n/, $node->safe_psql('src', q{
	SELECT am.amname, oc.opcname, format_type(oc.opcintype, NULL),
	       (SELECT ao.amopopr::regoperator::text FROM pg_amop ao
	        WHERE ao.amopfamily = oc.opcfamily AND ao.amoppurpose = 'o' LIMIT 1)
	FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
	WHERE am.amname IN ('hnsw', 'ivfflat', 'ivf')
	ORDER BY 1, 2});
my @indexes;    # [ name, column, operator name, CREATE INDEX statement ]
for my $line (@opclasses)
{
	my ($am, $opc, $type, $op) = split /\|/, $line;
	next unless defined $op && $op ne '' && exists $column{$type} && grep { $_ eq $type } @types;
	my $col = $column{$type};
	(my $opname = $op) =~ s/\(.*//;
	my @variants = ('');
	@variants = ('flat', 'sq8', 'pq', 'rabitq') if $am eq 'ivf' && $type eq 'vector';
	for my $q (@variants)
	{
		my $name = "items_${am}_${opc}" . ($q eq '' ? '' : "_$q");
		my $with =
			$am eq 'hnsw' ? ' WITH (m = 8, ef_construction = 40)'
		  : $am eq 'ivf' && $q ne '' ? " WITH (lists = 8, quantizer = '$q')"
		  : ' WITH (lists = 8)';
		push @indexes, [ $name, $col, $opname, "CREATE INDEX $name ON items USING $am ($col $opc)$with" ];
	}
}
# Filter columns (integer, integer array, text) in multicolumn hnsw and ivfflat indexes, on a table
# of their own: their default operator classes are dumped by name only when not the default.
$node->safe_psql('src', <<"SQL");
CREATE TABLE labelled (id int PRIMARY KEY, embedding vector($dim), cat int, tags int[], lang text);
INSERT INTO labelled SELECT id, embedding, id % 5, ARRAY[id % 7, 100 + id % 3], 'lang-' || id % 4 FROM items WHERE embedding IS NOT NULL;
CREATE INDEX labelled_hnsw ON labelled USING hnsw (embedding vector_l2_ops, cat, tags, lang) WITH (m = 8, ef_construction = 40);
CREATE INDEX labelled_ivf ON labelled USING ivfflat (embedding vector_l2_ops, cat, tags, lang) WITH (lists = 8);
ANALYZE labelled;
SQL
note(scalar(@indexes) . ' indexes: ' . join(', ', map { $_->[0] } @indexes));
cmp_ok(scalar(@indexes), '>=', 10, 'an index for every operator class of every access method');
$node->safe_psql('src', $_->[3]) for @indexes;
$node->safe_psql('src', 'ANALYZE items');

my @queries = map { vector_literal($_) } @{ random_vectors(3, $dim) };
my $settings = 'SET hnsw.ef_search = 400; SET ivfflat.probes = 8; SET vector.ivf_rerank = 1000;';

# query_for(COLUMN, OP, Q): SELECT of the 10 nearest rows' distances (rounded: bit and
# sparse distances tie, so ids could come in either order); Q is the vector literal.
sub query_for
{
	my ($col, $op, $q) = @_;
	my $type = (grep { $column{$_} eq $col } keys %column)[0];
	my $arg = $col eq 'embedding' ? "'$q'::vector" : $fill{$type} =~ s/\bembedding\b/'$q'::vector/r;
	return "SELECT round(($col $op $arg)::numeric, 4) FROM items WHERE $col IS NOT NULL ORDER BY $col $op $arg LIMIT 10";
}

# answers(DB): for each index, in a transaction where it is the only index of the table,
# its plan's index name and the answers to the queries; then the exact answers and a
# digest of the data.
sub answers
{
	my ($db) = @_;
	my $out = '';
	for my $ix (@indexes)
	{
		my ($name, $col, $op) = @$ix;
		my @others = map { $_->[0] } grep { $_->[0] ne $name } @indexes;
		my $sql = "BEGIN; DROP INDEX " . join(', ', @others) . "; SET enable_seqscan = off; $settings\n";
		$sql .= "EXPLAIN (COSTS OFF) " . query_for($col, $op, $queries[0]) . ";\n";
		$sql .= query_for($col, $op, $_) . ";\n" for @queries;
		$sql .= "ROLLBACK;\n";
		my $res = $node->safe_psql($db, $sql);
		$out .= "== $name\n$res\n";
	}
	# The filter-column indexes, each alone, on quals of every kind of filter column.
	for my $name (qw(labelled_hnsw labelled_ivf))
	{
		my $other = $name eq 'labelled_hnsw' ? 'labelled_ivf' : 'labelled_hnsw';
		my $sql = "BEGIN; DROP INDEX $other; SET enable_seqscan = off; SET enable_bitmapscan = off; $settings\n";
		for my $q (@queries)
		{
			$sql .= "SELECT string_agg(id::text, ',') FROM (SELECT id FROM labelled WHERE cat = 2 AND tags && '{3}' "
			  . "AND lang = 'lang-1' ORDER BY embedding <-> '$q' LIMIT 10) s;\n";
		}
		$sql .= "EXPLAIN (COSTS OFF) SELECT id FROM labelled WHERE tags \@> '{101}' AND lang = 'lang-2' "
		  . "ORDER BY embedding <-> '$queries[0]' LIMIT 10;\nROLLBACK;\n";
		$out .= "== $name\n" . $node->safe_psql($db, $sql) . "\n";
	}
	my $exact = 'SET enable_indexscan = off; SET enable_bitmapscan = off;' . "\n";
	for my $ix (@indexes)
	{
		$exact .= query_for($ix->[1], $ix->[2], $_) . ";\n" for @queries;
	}
	$exact .= 'SELECT md5(string_agg(' . join(" || '|' || ", map { "coalesce($_\::text, '-')" } (map { $column{$_} } @types), 'tags') . ", ',' ORDER BY id)) FROM items;\n";
	$exact .= "SELECT count(*), sum(d) FROM nearest_origin; SELECT twice('[1,2]');\n";
	$exact .= "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE tablename IN ('items', 'labelled') ORDER BY 1;\n";
	$exact .= "SELECT md5(string_agg(concat_ws('|', id, cat, tags, lang), ',' ORDER BY id)) FROM labelled;\n";
	$out .= "== exact\n" . $node->safe_psql($db, $exact);
	return $out;
}

my $before = answers('src');
for my $ix (@indexes)
{
	like($before, qr/== \Q$ix->[0]\E\n[^=]*Index Scan using \Q$ix->[0]\E/, "source: $ix->[0] serves its queries");
}
for my $name (qw(labelled_hnsw labelled_ivf))
{
	like($before, qr/== $name\n[^=]*Index Scan using $name on labelled\n\s+Index Cond: \(\(tags \@> '\{101\}'::integer\[\]\) AND \(lang = 'lang-2'::text\)\)/,
		"source: $name serves the filtered queries, the filters as its conditions");
	unlike($before, qr/== $name\n,*\n/, "source: $name returns rows");
}

my $dir = PostgreSQL::Test::Utils::tempdir;
my $src = $node->connstr('src');

# Custom format, restored with pg_restore.
$node->command_ok([ 'pg_dump', '-Fc', '-d', $src, '-f', "$dir/src.dump" ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored_custom');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored_custom'), "$dir/src.dump" ],
	'pg_restore of the custom-format dump');
is(answers('restored_custom'), $before, 'custom format: same data, index definitions and answers');

# Plain format, restored with psql.
$node->command_ok([ 'pg_dump', '-Fp', '-d', $src, '-f', "$dir/src.sql" ], 'pg_dump -Fp');
my $plain = slurp_file("$dir/src.sql");
like($plain, qr/CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;/, 'the dump creates the extension');
unlike($plain, qr/CREATE (TYPE|FUNCTION|OPERATOR|ACCESS METHOD) public\.(vector|l2_distance|hnsw)\b/,
	"the dump does not copy the extension's own objects");
like($plain, qr/USING hnsw \(embedding public\.vector_l2_ops\) WITH \(m='8', ef_construction='40'\)/, 'index options are dumped');
$node->safe_psql('postgres', 'CREATE DATABASE restored_plain');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored_plain'), '-f', "$dir/src.sql" ],
	'psql restores the plain dump');
is(answers('restored_plain'), $before, 'plain format: same data, index definitions and answers');

# A data-only restore into a schema made first, then indexes built afterwards (the usual way to
# load a large table fast) gives the same answers too.
$node->command_ok([ 'pg_dump', '-Fc', '--section=pre-data', '-d', $src, '-f', "$dir/pre.dump" ], 'pg_dump pre-data');
$node->command_ok([ 'pg_dump', '-Fc', '--section=data', '-d', $src, '-f', "$dir/data.dump" ], 'pg_dump data');
$node->command_ok([ 'pg_dump', '-Fc', '--section=post-data', '-d', $src, '-f', "$dir/post.dump" ], 'pg_dump post-data');
$node->safe_psql('postgres', 'CREATE DATABASE restored_sections');
for my $part (qw(pre data post))
{
	$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored_sections'), "$dir/$part.dump" ],
		"pg_restore $part section");
}
is(answers('restored_sections'), $before, 'section by section: same answers');

$node->stop;
done_testing();
