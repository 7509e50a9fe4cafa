// typeorm: an entity with its native "vector" column type; synchronize() runs
// CREATE EXTENSION IF NOT EXISTS "vector" itself and creates the table. typeorm cannot
// declare an index access method or operator class, so the ivfflat index is created
// through its query runner; the k-NN query goes through its query builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { DataSource, EntitySchema } from 'typeorm';
import pgvector from 'pgvector';
import { connection, createDatabase, dropDatabase, vectors, exactTopK, QUERY } from './common.mjs';

const Item = new EntitySchema({
  name: 'Item',
  tableName: 'items',
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    embedding: { type: 'vector', length: 8 },
  },
});

test('typeorm: vector column, extension created by typeorm, ivfflat k-NN', async () => {
  const name = await createDatabase('client_typeorm');
  const c = connection(name);
  const ds = new DataSource({
    type: 'postgres', host: c.host, port: c.port, username: c.user, password: c.password,
    database: name, entities: [Item], synchronize: false, logging: false, poolSize: 1,
  });
  try {
    await ds.initialize();
    await ds.synchronize();
    const [ext] = await ds.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    assert.ok(ext, 'typeorm created the extension');
    const [col] = await ds.query("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'embedding'");
    assert.equal(col.t, 'vector(8)');
    const rows = vectors();
    await ds.getRepository('Item').insert(rows.map((v) => ({ embedding: v })));
    await ds.query('CREATE INDEX items_typeorm_ivfflat_idx ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 10)');
    await ds.query('SET enable_seqscan = off');
    await ds.query('SET ivfflat.probes = 10');
    const qb = ds.getRepository('Item').createQueryBuilder('item')
      .select(['item.id', 'item.embedding'])
      .orderBy('item.embedding <-> :q')
      .setParameters({ q: pgvector.toSql(QUERY) })
      .limit(5);
    const [sqlText, params] = qb.getQueryAndParameters();
    const plan = (await ds.query(`EXPLAIN (COSTS OFF) ${sqlText}`, params)).map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Index Scan using items_typeorm_ivfflat_idx/);
    const result = await qb.getMany();
    const expected = exactTopK(rows, QUERY, 5, 'l2');
    assert.deepEqual(result.map((r) => Number(r.id)), expected);
    assert.deepEqual(result[0].embedding.map(Math.fround), rows[expected[0] - 1]);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await dropDatabase(name);
  }
});
