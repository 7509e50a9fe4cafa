// node-postgres (pg) with the pgvector package's type registration: vectors go in as
// parameters, come back parsed as arrays, and an hnsw index answers the k-NN query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import pgvector from 'pgvector/pg';
import { SparseVector } from 'pgvector';
import { connection, createDatabase, dropDatabase, vectors, exactTopK, QUERY, planOf } from './common.mjs';

test('pg + pgvector: insert, hnsw index, k-NN', async () => {
  const db = await createDatabase('client_pg');
  const client = new pg.Client(connection(db));
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await pgvector.registerTypes(client);
    await client.query('CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(8))');
    const rows = vectors();
    for (const v of rows) {
      await client.query('INSERT INTO items (embedding) VALUES ($1)', [pgvector.toSql(v)]);
    }
    await client.query('CREATE INDEX items_embedding_idx ON items USING hnsw (embedding vector_l2_ops)');
    await client.query('SET enable_seqscan = off');
    await client.query('SET hnsw.ef_search = 100');
    const sql = 'SELECT id, embedding FROM items ORDER BY embedding <-> $1 LIMIT 5';
    const plan = await planOf(async (s, p) => (await client.query(s, p)).rows, sql, [pgvector.toSql(QUERY)]);
    assert.match(plan, /Index Scan using items_embedding_idx/);
    const res = await client.query(sql, [pgvector.toSql(QUERY)]);
    assert.deepEqual(res.rows.map((r) => Number(r.id)), exactTopK(rows, QUERY, 5, 'l2'));
    // The registered type parses the text form back into the stored float32 values.
    const first = res.rows[0];
    assert.deepEqual(first.embedding.map(Math.fround), rows[Number(first.id) - 1]);
    // Errors reach the client with pgvector's SQLSTATE.
    await assert.rejects(client.query("SELECT '[1,2]'::vector <-> '[1,2,3]'"), (e) => e.code === '22000');
  } finally {
    await client.end();
    await dropDatabase(db);
  }
});

// halfvec and sparsevec through the same package (pgvector's SparseVector class), each with an
// hnsw index; run when the server's extension has those types.
test('pg + pgvector: halfvec and sparsevec columns with hnsw indexes', async (t) => {
  const db = await createDatabase('client_pg_types');
  const client = new pg.Client(connection(db));
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    const { rows: types } = await client.query("SELECT to_regtype('halfvec') IS NOT NULL AS h, to_regtype('sparsevec') IS NOT NULL AS s");
    if (!types[0].h || !types[0].s) {
      t.skip('the installed extension has no halfvec/sparsevec');
      return;
    }
    await pgvector.registerTypes(client);
    await client.query('CREATE TABLE items (id bigserial PRIMARY KEY, h halfvec(8), s sparsevec(8))');
    const rows = vectors();
    for (const v of rows) {
      await client.query('INSERT INTO items (h, s) VALUES ($1, $2)', [pgvector.toSql(v), pgvector.toSql(new SparseVector(v))]);
    }
    await client.query('CREATE INDEX items_h_idx ON items USING hnsw (h halfvec_l2_ops)');
    await client.query('CREATE INDEX items_s_idx ON items USING hnsw (s sparsevec_cosine_ops)');
    await client.query('SET enable_seqscan = off');
    await client.query('SET hnsw.ef_search = 100');
    // Exact answers over the stored values (halfvec rounds), computed by the server without index.
    const exact = async (sql, p) => {
      await client.query('SET enable_indexscan = off');
      const r = await client.query(sql, p);
      await client.query('SET enable_indexscan = on');
      return r.rows.map((x) => Number(x.id));
    };
    const hq = 'SELECT id, h FROM items ORDER BY h <-> $1 LIMIT 5';
    const sq = 'SELECT id, s FROM items ORDER BY s <=> $1 LIMIT 5';
    const hp = [pgvector.toSql(QUERY)];
    const sp = [pgvector.toSql(new SparseVector(QUERY))];
    assert.match(await planOf(async (s, p) => (await client.query(s, p)).rows, hq, hp), /Index Scan using items_h_idx/);
    assert.match(await planOf(async (s, p) => (await client.query(s, p)).rows, sq, sp), /Index Scan using items_s_idx/);
    const h = await client.query(hq, hp);
    const s = await client.query(sq, sp);
    assert.deepEqual(h.rows.map((r) => Number(r.id)), await exact(hq, hp));
    assert.deepEqual(s.rows.map((r) => Number(r.id)), await exact(sq, sp));
    // The exact answers agree with the float32 ones here (the data is well separated).
    assert.deepEqual(s.rows.map((r) => Number(r.id)), exactTopK(rows, QUERY, 5, 'cosine'));
    // Parsed values: halfvec as numbers (half precision), sparsevec as a SparseVector.
    const first = h.rows[0];
    const want = rows[Number(first.id) - 1];
    first.h.forEach((x, i) => assert.ok(Math.abs(x - want[i]) < 1e-3, `halfvec element ${i}`));
    assert.equal(s.rows[0].s.dimensions, 8);
    assert.deepEqual(s.rows[0].s.toArray().map(Math.fround), rows[Number(s.rows[0].id) - 1]);
  } finally {
    await client.end();
    await dropDatabase(db);
  }
});
