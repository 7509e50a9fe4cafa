# hnsw scan settings changed while a scan is open: a cursor (here in PL/pgSQL) runs an iterative
# scan with hnsw.ef_search = 10, and after 20 rows hnsw.ef_search becomes 1000 (larger batches).
# Every row must still come back once, and the backend must not crash. Also iterative_scan
# switched off and on, and max_scan_tuples lowered, in the middle of scans.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/../perl";

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
# (so that the remaining checks still run if a backend crashes)
$node->append_conf('postgresql.conf', 'restart_after_crash = on');
$node->start;
$node->safe_psql('postgres', <<'SQL');
CREATE EXTENSION vector;
CREATE TABLE t (id int PRIMARY KEY, val vector(4));
INSERT INTO t SELECT i, ARRAY[sin(i), cos(i), sin(2.3 * i), cos(0.7 * i)]::vector FROM generate_series(1, 500) i;
CREATE INDEX ON t USING hnsw (val vector_l2_ops);
-- walk(SETTING, VALUE, AT): reads the whole iterative scan through a cursor, setting SETTING to
-- VALUE after AT rows; returns 'rows distinct'.
CREATE FUNCTION walk(setting text, value text, at int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	c CURSOR FOR SELECT id FROM t ORDER BY val <-> '[0,0,0,0]';
	r record;
	n int := 0;
	seen int[] := '{}';
BEGIN
	OPEN c;
	LOOP
		FETCH c INTO r;
		EXIT WHEN NOT FOUND;
		n := n + 1;
		seen := seen || r.id;
		IF n = at THEN
			PERFORM set_config(setting, value, true);
		END IF;
	END LOOP;
	CLOSE c;
	RETURN n || ' ' || (SELECT count(DISTINCT x) FROM unnest(seen) x);
END
$$;
SQL

my $settings = 'SET enable_seqscan = off; SET hnsw.iterative_scan = relaxed_order; SET hnsw.ef_search = 10;';
my ($rc, $out, $err) = $node->psql('postgres', "$settings SELECT walk('hnsw.ef_search', '1000', 20)");
is($out, '500 500', 'ef_search raised from 10 to 1000 during an iterative scan: every row once') or diag($err);
# (if a backend crashed, the server restarts: wait for it, which also lets the postmaster log it)
$node->poll_query_until('postgres', 'SELECT true');
unlike(PostgreSQL::Test::Utils::slurp_file($node->logfile), qr/terminated by signal|double free|corruption/,
	'no backend crashed');
my $log_offset = -s $node->logfile;

($rc, $out, $err) = $node->psql('postgres', "$settings SET hnsw.ef_search = 200; SELECT walk('hnsw.ef_search', '5', 20)");
is($out, '500 500', 'ef_search lowered from 200 to 5 during an iterative scan: every row once') or diag($err);

($rc, $out, $err) = $node->psql('postgres', "$settings SELECT walk('hnsw.max_scan_tuples', '1', 30)");
like($out, qr/^(\d+) \1$/, "max_scan_tuples lowered to 1 during a scan: rows come back once ($out)") or diag($err);

($rc, $out, $err) = $node->psql('postgres', "$settings SELECT walk('hnsw.iterative_scan', 'strict_order', 15)");
like($out, qr/^(\d+) \1$/, "iterative_scan switched to strict_order during a scan: rows come back once ($out)") or diag($err);

$node->poll_query_until('postgres', 'SELECT true');
unlike(substr(PostgreSQL::Test::Utils::slurp_file($node->logfile), $log_offset), qr/terminated by signal/,
	'no backend crashed in the later scans');
$node->stop;
done_testing();
