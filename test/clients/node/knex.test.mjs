// knex with pgvector's knex extension: table.vector() in the schema builder, an hnsw index
// through table.index(), k-NN through the l2Distance query helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Knex from 'knex';
import pgvector from 'pgvector/knex';
import { connection, createDatabase, dropDatabase, vectors, exactTopK, QUERY, planOf } from './common.mjs';

test('knex: vector column, hnsw index, l2Distance k-NN', async () => {
  const db = await createDatabase('client_knex');
  // One connection, so that the SET commands apply to the query.
  const knex = Knex({ client: 'pg', connection: connection(db), pool: { min: 1, max: 1 } });
  try {
    await knex.schema.enableExtension('vector');
    await knex.schema.createTable('items', (table) => {
      table.bigIncrements('id');
      table.vector('embedding', { dimensions: 8 });
    });
    const rows = vectors();
    await knex('items').insert(rows.map((v) => ({ embedding: pgvector.toSql(v) })));
    await knex.schema.alterTable('items', (table) => {
      table.index(knex.raw('embedding vector_l2_ops'), 'items_knex_l2_idx', 'hnsw');
    });
    await knex.raw('SET enable_seqscan = off');
    await knex.raw('SET hnsw.ef_search = 100');
    const query = knex('items').select('id', 'embedding').orderBy(knex.client.raw('?? <-> ?', ['embedding', pgvector.toSql(QUERY)])).limit(5);
    const { sql, bindings } = query.toSQL().toNative();
    const plan = await planOf(async (s, p) => (await knex.raw(s.replace(/\$(\d+)/g, '?'), p)).rows, sql, bindings);
    assert.match(plan, /Index Scan using items_knex_l2_idx/);
    const helper = await knex('items').select('id').orderBy(knex('items').l2Distance('embedding', QUERY)).limit(5);
    const result = await query;
    const expected = exactTopK(rows, QUERY, 5, 'l2');
    assert.deepEqual(result.map((r) => Number(r.id)), expected);
    assert.deepEqual(helper.map((r) => Number(r.id)), expected);
    assert.deepEqual(pgvector.fromSql(result[0].embedding).map(Math.fround), rows[expected[0] - 1]);
  } finally {
    await knex.destroy();
    await dropDatabase(db);
  }
});
