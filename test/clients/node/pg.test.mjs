// node-postgres (pg) with the pgvector package's type registration: vectors go in as
// parameters, come back parsed as arrays, and an hnsw index answers the k-NN query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import pgvector from 'pgvector/pg';
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
