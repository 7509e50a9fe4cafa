-- B-tree operator class, sorting, DISTINCT and unique constraints.
\set SHOW_CONTEXT never

CREATE TABLE btree_t (v vector(3));
INSERT INTO btree_t VALUES ('[1,2,3]'), ('[0,0,0]'), ('[1,1,1]'), ('[1,2,3]'), ('[-1,5,0]'), (NULL);
SELECT v FROM btree_t ORDER BY v;
SELECT DISTINCT v FROM btree_t ORDER BY v;
CREATE INDEX ON btree_t (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM btree_t WHERE v = '[1,2,3]';
SELECT * FROM btree_t WHERE v = '[1,2,3]';
SELECT * FROM btree_t WHERE v > '[0,0,0]' ORDER BY v;
RESET enable_seqscan;
CREATE UNIQUE INDEX btree_t_unique ON btree_t (v);
DELETE FROM btree_t WHERE v = '[1,2,3]';
CREATE UNIQUE INDEX btree_t_unique ON btree_t (v);
INSERT INTO btree_t VALUES ('[1,1,1]');
DROP TABLE btree_t;
