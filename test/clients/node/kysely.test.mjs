// kysely: schema builder DDL (vector column type, hnsw index with the L1 operator class)
// and pgvector's kysely helper l1Distance in ORDER BY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { l1Distance, toSql, fromSql } from 'pgvector/kysely';
import { connection, createDatabase, dropDatabase, vectors, exactTopK, QUERY, planOf } from './common.mjs';

test('kysely: vector column, hnsw index (L1), l1Distance k-NN', async () => {
  const name = await createDatabase('client_kysely');
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...connection(name), max: 1 }) }) });
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS vector`.execute(db);
    await db.schema
      .createTable('items')
      .addColumn('id', 'bigserial', (col) => col.primaryKey())
      .addColumn('embedding', sql`vector(8)`)
      .execute();
    const rows = vectors();
    await db.insertInto('items').values(rows.map((v) => ({ embedding: toSql(v) }))).execute();
    await db.schema.createIndex('items_kysely_l1_idx').on('items').using('hnsw').expression(sql`embedding vector_l1_ops`).execute();
    await sql`SET enable_seqscan = off`.execute(db);
    await sql`SET hnsw.ef_search = 100`.execute(db);
    const query = db.selectFrom('items').select(['id', 'embedding']).orderBy(l1Distance('embedding', QUERY)).limit(5);
    const compiled = query.compile();
    const plan = await planOf(async (s, p) => (await sql.raw(s.replace(/\$(\d+)/g, (_, i) => `'${p[i - 1]}'`)).execute(db)).rows, compiled.sql, compiled.parameters);
    assert.match(plan, /Index Scan using items_kysely_l1_idx/);
    const result = await query.execute();
    const expected = exactTopK(rows, QUERY, 5, 'l1');
    assert.deepEqual(result.map((r) => Number(r.id)), expected);
    assert.deepEqual(fromSql(result[0].embedding).map(Math.fround), rows[expected[0] - 1]);
  } finally {
    await db.destroy();
    await dropDatabase(name);
  }
});
