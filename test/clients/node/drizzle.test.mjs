// drizzle-orm: its native vector column and hnsw index definition; the DDL comes from
// drizzle-kit's migration generator (what `drizzle-kit generate` writes), the query uses
// drizzle's cosineDistance helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql, cosineDistance, asc } from 'drizzle-orm';
import { pgTable, bigserial, vector, index } from 'drizzle-orm/pg-core';
import { createRequire } from 'node:module';
import { connection, createDatabase, dropDatabase, vectors, exactTopK, QUERY, planOf } from './common.mjs';

// drizzle-kit's API ships as CommonJS only (its ESM build cannot load its own dependencies).
const { generateDrizzleJson, generateMigration } = createRequire(import.meta.url)('drizzle-kit/api');

const items = pgTable(
  'items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    embedding: vector('embedding', { dimensions: 8 }),
  },
  (t) => [index('items_embedding_cos_idx').using('hnsw', t.embedding.op('vector_cosine_ops'))],
);

test('drizzle-orm: vector column, hnsw index, cosineDistance k-NN', async () => {
  const db = await createDatabase('client_drizzle');
  const pool = new pg.Pool(connection(db));
  try {
    const orm = drizzle(pool);
    await orm.execute(sql`CREATE EXTENSION IF NOT EXISTS vector`);
    const ddl = await generateMigration(generateDrizzleJson({}), generateDrizzleJson({ items }));
    assert.ok(ddl.some((s) => /USING hnsw/.test(s)), `drizzle-kit emits the hnsw index: ${ddl.join('\n')}`);
    for (const statement of ddl) await orm.execute(sql.raw(statement));

    const rows = vectors();
    await orm.insert(items).values(rows.map((embedding) => ({ embedding })));

    const client = await pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      await client.query('SET hnsw.ef_search = 100');
      const session = drizzle(client);
      const distance = cosineDistance(items.embedding, QUERY);
      const query = session.select({ id: items.id, embedding: items.embedding }).from(items).orderBy(asc(distance)).limit(5);
      const { sql: text, params } = query.toSQL();
      const plan = await planOf(async (s, p) => (await client.query(s, p)).rows, text, params);
      assert.match(plan, /Index Scan using items_embedding_cos_idx/);
      const result = await query;
      assert.deepEqual(result.map((r) => r.id), exactTopK(rows, QUERY, 5, 'cosine'));
      // drizzle's vector column maps the value back to a number array.
      assert.deepEqual(result[0].embedding.map(Math.fround), rows[result[0].id - 1]);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
    await dropDatabase(db);
  }
});
