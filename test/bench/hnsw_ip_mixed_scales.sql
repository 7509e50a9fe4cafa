-- Recall@10 of an hnsw index under the inner product on rows of mixed scales, against an exact
-- scan (docs/benchmarks.md, "HNSW against pgvector on copies of one row and on inner product over
-- mixed scales"). Run it on a server with this extension and on one with pgvector:
--   psql -X -q -At -v dims=100 -v mixed=1 -f test/bench/hnsw_ip_mixed_scales.sql "$DSN"
-- dims: dimensions; mixed = 1: each row's values times 10^(i mod 5 - 2), else one scale.
-- 20,000 rows and 200 queries from setseed(0.42); it drops and creates tables ipg and ipgq.
-- (The "+ g.i*0" keeps each array's subquery per row: without it PostgreSQL runs it once.)
drop table if exists ipg; drop table if exists ipgq;
create table ipg (id int, v vector(:dims)) with (autovacuum_enabled = off);
select setseed(0.42);
insert into ipg select g.i, array(select (random()-0.5) * power(10, case when :mixed = 1 then (g.i % 5) - 2 else 0 end) + g.i*0 from generate_series(1,:dims))::vector(:dims) from generate_series(1,20000) g(i);
create table ipgq as select g.i as qid, array(select random()-0.5 + g.i*0 from generate_series(1,:dims))::vector(:dims) q from generate_series(1,200) g(i);
create index on ipg using hnsw (v vector_ip_ops);
set enable_indexscan = off; set enable_seqscan = on;
create temp table ex as select qid, array(select id from ipg order by v <#> q, id limit 10) ids from ipgq;
set enable_seqscan = off; set enable_indexscan = on;
set hnsw.ef_search = 10;
select 'ef10', round(avg(cardinality(array(select unnest(array(select id from ipg order by v <#> q limit 10)) intersect select unnest(e.ids)))::numeric / 10), 3) from ipgq join ex e using (qid);
set hnsw.ef_search = 20;
select 'ef20', round(avg(cardinality(array(select unnest(array(select id from ipg order by v <#> q limit 10)) intersect select unnest(e.ids)))::numeric / 10), 3) from ipgq join ex e using (qid);
set hnsw.ef_search = 40;
select 'ef40', round(avg(cardinality(array(select unnest(array(select id from ipg order by v <#> q limit 10)) intersect select unnest(e.ids)))::numeric / 10), 3) from ipgq join ex e using (qid);
