# Extension versions and updates: a database created with our previous release
# (CREATE EXTENSION vector VERSION '0.8.6'), with data and indexes, is updated with
# ALTER EXTENSION vector UPDATE to the default version; its data and indexes keep working and its
# extension objects must then be exactly those of a fresh install, compared object by object
# with their definitions (functions, types, operators, operator classes and families with their
# members, casts, access methods, aggregates, comments). So an update script that misses a new
# part, or a part changed without a hand-written update step, fails here.
# Also: pgvector's version names 0.8.0 .. 0.8.5 have an update path, and the update tolerates a
# database that already has the new objects (as one coming from pgvector 0.8.6 has halfvec, ...).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VectorTestUtils;

my $dim = 12;
srand(303);

my $node = PostgreSQL::Test::Cluster->new('update');
$node->init;
$node->start;

my $default = $node->safe_psql('postgres', "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'");
like($default, qr/^\d+\.\d+\.\d+$/, "default version $default");
my @versions = split /\n/, $node->safe_psql('postgres', "SELECT version FROM pg_available_extension_versions WHERE name = 'vector' ORDER BY 1");
ok((grep { $_ eq '0.8.6' } @versions), 'version 0.8.6 can still be installed');

# catalog(DB): every object of the extension with its definition, one line each, sorted.
my $catalog_sql = <<'SQL';
WITH m AS (
  SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
  WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'vector')
SELECT pg_describe_object(m.classid, m.objid, 0) || ' | ' || coalesce(
  CASE m.classid
  WHEN 'pg_proc'::regclass THEN (
    SELECT concat_ws(' ', p.prokind, pg_get_function_arguments(p.oid), '->', pg_get_function_result(p.oid),
      p.provolatile, p.proisstrict, p.proparallel, p.prolang::regclass, p.prosrc, p.probin, p.procost,
      (SELECT concat_ws(' ', a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
         a.aggtranstype::regtype, a.agginitval) FROM pg_aggregate a WHERE a.aggfnoid = p.oid))
    FROM pg_proc p WHERE p.oid = m.objid)
  WHEN 'pg_type'::regclass THEN (
    SELECT concat_ws(' ', t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory,
      t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typmodout, t.typanalyze,
      t.typsubscript, t.typelem::regtype)
    FROM pg_type t WHERE t.oid = m.objid)
  WHEN 'pg_operator'::regclass THEN (
    SELECT concat_ws(' ', o.oprleft::regtype, o.oprright::regtype, o.oprresult::regtype, o.oprcode,
      o.oprcom::regoperator, o.oprnegate::regoperator, o.oprrest, o.oprjoin, o.oprcanmerge, o.oprcanhash)
    FROM pg_operator o WHERE o.oid = m.objid)
  WHEN 'pg_opclass'::regclass THEN (
    SELECT concat_ws(' ', (SELECT amname FROM pg_am WHERE oid = c.opcmethod), c.opcintype::regtype, c.opcdefault, c.opckeytype::regtype,
      (SELECT string_agg(concat_ws(':', ao.amopstrategy, ao.amopopr::regoperator, ao.amoppurpose,
         ao.amopsortfamily), ',' ORDER BY ao.amopstrategy) FROM pg_amop ao WHERE ao.amopfamily = c.opcfamily
         AND ao.amoplefttype = c.opcintype),
      (SELECT string_agg(concat_ws(':', ap.amprocnum, ap.amproc::regprocedure), ',' ORDER BY ap.amprocnum)
         FROM pg_amproc ap WHERE ap.amprocfamily = c.opcfamily AND ap.amproclefttype = c.opcintype))
    FROM pg_opclass c WHERE c.oid = m.objid)
  WHEN 'pg_opfamily'::regclass THEN (
    SELECT concat_ws(' ', (SELECT amname FROM pg_am WHERE oid = f.opfmethod),
      (SELECT string_agg(concat_ws(':', ao.amopstrategy, ao.amopopr::regoperator, ao.amoppurpose), ','
         ORDER BY ao.amopstrategy, ao.amopopr::regoperator::text) FROM pg_amop ao WHERE ao.amopfamily = f.oid),
      (SELECT string_agg(concat_ws(':', ap.amprocnum, ap.amproc::regprocedure), ','
         ORDER BY ap.amprocnum, ap.amproc::regprocedure::text) FROM pg_amproc ap WHERE ap.amprocfamily = f.oid))
    FROM pg_opfamily f WHERE f.oid = m.objid)
  WHEN 'pg_cast'::regclass THEN (
    SELECT concat_ws(' ', c.castfunc::regprocedure, c.castcontext, c.castmethod) FROM pg_cast c WHERE c.oid = m.objid)
  WHEN 'pg_am'::regclass THEN (
    SELECT concat_ws(' ', a.amtype, a.amhandler) FROM pg_am a WHERE a.oid = m.objid)
  END, '') || ' | ' || coalesce(
    (SELECT description FROM pg_description ds WHERE ds.classoid = m.classid AND ds.objoid = m.objid AND ds.objsubid = 0), '')
FROM m ORDER BY 1;
SQL

sub catalog { return $_[0]->safe_psql($_[1], $catalog_sql); }

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION vector');
my $fresh = catalog($node, 'fresh');
my $members = () = $fresh =~ /\n/g;
cmp_ok($members, '>=', 80, "a fresh install has its objects ($members)");
like($fresh, qr/^access method hnsw \| i hnswhandler/m, 'the catalog lists access methods');

# From our 0.8.6, with data and indexes.
$node->safe_psql('postgres', 'CREATE DATABASE old');
$node->safe_psql('old', "CREATE EXTENSION vector VERSION '0.8.6'");
is($node->safe_psql('old', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"), '0.8.6', 'installed 0.8.6');
$node->safe_psql('old', "CREATE TABLE items (id int PRIMARY KEY, embedding vector($dim))");
$node->safe_psql('old', insert_vectors_sql('items', 0, random_vectors(2000, $dim)));
$node->safe_psql('old', 'CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_cosine_ops)');
$node->safe_psql('old', "CREATE INDEX items_ivf ON items USING ivf (embedding vector_l2_ops) WITH (lists = 20, quantizer = 'sq8')");
my $q = vector_literal(random_vectors(1, $dim)->[0]);
my $probe = "SET enable_seqscan = off; SET hnsw.ef_search = 100; SET ivfflat.probes = 20;\n"
  . "SELECT string_agg(id::text, ',') FROM (SELECT id FROM items ORDER BY embedding <=> '$q' LIMIT 10) s;\n"
  . "SELECT string_agg(id::text, ',') FROM (SELECT id FROM items ORDER BY embedding <-> '$q' LIMIT 10) s;";
my $before = $node->safe_psql('old', $probe);
$node->safe_psql('old', 'ALTER EXTENSION vector UPDATE');
is($node->safe_psql('old', "SELECT extversion FROM pg_extension WHERE extname = 'vector'"), $default, "updated to $default");
is($node->safe_psql('old', $probe), $before, 'indexes made by 0.8.6 answer the same after the update');
$node->safe_psql('old', "INSERT INTO items VALUES (5000, '$q')");
is($node->safe_psql('old', "SET enable_seqscan = off; SELECT id FROM items ORDER BY embedding <-> '$q' LIMIT 1"), '5000',
	'and take new rows');
# Filter columns of the kinds new in 0.9.0 (integer arrays, text) index and filter after the update.
$node->safe_psql('old', <<'SQL');
ALTER TABLE items ADD tags int[], ADD lang text;
UPDATE items SET tags = ARRAY[id % 3], lang = 'l' || id % 2;
CREATE INDEX items_tags ON items USING hnsw (embedding vector_l2_ops, tags, lang);
SQL
is($node->safe_psql('old', "SET enable_seqscan = off; SET hnsw.iterative_scan = relaxed_order; SET hnsw.max_scan_tuples = 1000000; SELECT count(*), bool_and(tags = '{1}' AND lang = 'l1') "
	  . "FROM (SELECT tags, lang FROM items WHERE tags && '{1}' AND lang = 'l1' ORDER BY embedding <-> '$q' LIMIT 100000) s"),
	$node->safe_psql('old', "SELECT count(*) || '|t' FROM items WHERE tags && '{1}' AND lang = 'l1' AND embedding IS NOT NULL"),
	'an index with integer-array and text filter columns, made after the update, finds every matching row');
like($node->safe_psql('old', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM items WHERE tags && '{1}' ORDER BY embedding <-> '$q' LIMIT 5"),
	qr/Index Scan using items_tags/, 'and serves the filtered query');
$node->safe_psql('old', 'DROP INDEX items_tags; ALTER TABLE items DROP tags, DROP lang');
my $updated = catalog($node, 'old');
is($updated, $fresh, "0.8.6 updated to $default has the objects of a fresh install");
if ($updated ne $fresh)
{
	my %f = map { $_ => 1 } split /\n/, $fresh;
	my %u = map { $_ => 1 } split /\n/, $updated;
	diag("missing after update: $_") for grep { !$u{$_} } sort keys %f;
	diag("extra after update: $_") for grep { !$f{$_} } sort keys %u;
}

# pgvector's version names: a database whose extversion is pgvector's 0.8.3 (the label only: its
# objects are those of 0.8.6) finds a path to the default version.
$node->safe_psql('postgres', 'CREATE DATABASE labelled');
$node->safe_psql('labelled', "CREATE EXTENSION vector VERSION '0.8.6'; UPDATE pg_extension SET extversion = '0.8.3' WHERE extname = 'vector'");
like($node->safe_psql('labelled', "SELECT path FROM pg_extension_update_paths('vector') WHERE source = '0.8.3' AND target = '$default'"),
	qr/^0\.8\.3--0\.8\.6--/, 'pgvector 0.8.3 has an update path through 0.8.6');
$node->safe_psql('labelled', 'ALTER EXTENSION vector UPDATE');
is(catalog($node, 'labelled'), $fresh, 'updated from 0.8.3: the objects of a fresh install');

# A database that has the new objects already (labelled 0.8.6 but holding every object, as one
# coming from pgvector 0.8.6 holds halfvec, sparsevec and bit): the update skips what exists.
$node->safe_psql('postgres', 'CREATE DATABASE ahead');
$node->safe_psql('ahead', "CREATE EXTENSION vector; UPDATE pg_extension SET extversion = '0.8.6' WHERE extname = 'vector'");
$node->safe_psql('ahead', 'ALTER EXTENSION vector UPDATE');
is(catalog($node, 'ahead'), $fresh, 'an update over existing objects leaves the objects of a fresh install');

# A database labelled 0.8.6 that lacks objects our 0.8.6 had (as one coming from pgvector 0.8.6
# lacks the ivf access method): the update creates them.
$node->safe_psql('postgres', 'CREATE DATABASE behind');
$node->safe_psql('behind', 'CREATE EXTENSION vector');
my @ivf_members = split /\n/, $node->safe_psql('behind', q{
	SELECT format('ALTER EXTENSION vector DROP OPERATOR %s %I USING ivf;',
	              CASE WHEN c = 'pg_opclass'::regclass THEN 'CLASS' ELSE 'FAMILY' END, name)
	FROM (SELECT 'pg_opclass'::regclass AS c, opcname AS name FROM pg_opclass oc JOIN pg_am a ON a.oid = oc.opcmethod WHERE a.amname = 'ivf'
	      UNION ALL
	      SELECT 'pg_opfamily'::regclass, opfname FROM pg_opfamily f JOIN pg_am a ON a.oid = f.opfmethod WHERE a.amname = 'ivf') m});
cmp_ok(scalar(@ivf_members), '>=', 6, 'the ivf access method has operator classes and families');
$node->safe_psql('behind', join("\n", @ivf_members, 'ALTER EXTENSION vector DROP ACCESS METHOD ivf;', 'DROP ACCESS METHOD ivf CASCADE;',
	"UPDATE pg_extension SET extversion = '0.8.6' WHERE extname = 'vector';"));
is($node->safe_psql('behind', "SELECT count(*) FROM pg_am WHERE amname = 'ivf'"), '0', 'simulated: no ivf access method');
$node->safe_psql('behind', 'ALTER EXTENSION vector UPDATE');
is(catalog($node, 'behind'), $fresh, 'the update recreates what was missing: the objects of a fresh install');

# pgvector's ivfflat operator classes have more support functions than ours (FUNCTION 1 the
# distance, 2 the norm for cosine, 3 and 4 the k-means distance and norm); a migrated database
# keeps them, so ivfflat must accept that layout and read cosine from it.
$node->safe_psql('old', q{
	CREATE OPERATOR CLASS pgvector_layout_cosine_ops FOR TYPE vector USING ivfflat AS
		OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
		FUNCTION 1 vector_negative_inner_product(vector, vector),
		FUNCTION 2 vector_norm(vector),
		FUNCTION 3 vector_spherical_distance(vector, vector),
		FUNCTION 4 vector_norm(vector)});
$node->safe_psql('old', 'CREATE INDEX items_pgv_cos ON items USING ivfflat (embedding pgvector_layout_cosine_ops) WITH (lists = 10)');
my $cos = "SELECT string_agg(id::text, ',') FROM (SELECT id FROM items ORDER BY embedding <=> '$q' LIMIT 10) s";
my $exact = $node->safe_psql('old', "SET enable_indexscan = off; $cos");
my $via = $node->safe_psql('old', "BEGIN; DROP INDEX items_hnsw; SET enable_seqscan = off; SET ivfflat.probes = 10;\n"
	  . "EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <=> '$q' LIMIT 10;\n$cos;\nROLLBACK;");
like($via, qr/Index Scan using items_pgv_cos/, "an ivfflat index with pgvector's cosine class layout is used");
like($via, qr/\n\Q$exact\E$/, 'and gives the exact cosine answer');
is($node->safe_psql('old', "SELECT metric FROM vector_index_stats('items_pgv_cos')"), 'cosine', 'its metric is cosine');

# Going back is not offered.
my ($rc, $out, $err) = $node->psql('old', "ALTER EXTENSION vector UPDATE TO '0.8.6'");
isnt($rc, 0, 'no downgrade script');

$node->stop;
done_testing();
