// sequelize with pgvector's sequelize type: DataTypes.VECTOR in a model, an hnsw index with
// the inner-product operator class declared in the model and created by sync(), k-NN through
// the maxInnerProduct helper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sequelize, DataTypes } from 'sequelize';
import pgvector from 'pgvector/sequelize';
import { fromSql } from 'pgvector';
import { connection, createDatabase, dropDatabase, vectors, exactTopK, QUERY } from './common.mjs';

pgvector.registerTypes(Sequelize);

test('sequelize: VECTOR model, hnsw index via sync(), maxInnerProduct k-NN', async () => {
  const name = await createDatabase('client_sequelize');
  const c = connection(name);
  const sequelize = new Sequelize(name, c.user, c.password, {
    host: c.host, port: c.port, dialect: 'postgres', logging: false, pool: { max: 1 },
  });
  try {
    await sequelize.query('CREATE EXTENSION IF NOT EXISTS vector');
    const Item = sequelize.define('Item', { embedding: { type: DataTypes.VECTOR(8) } }, {
      tableName: 'items',
      timestamps: false,
      indexes: [{ name: 'items_sequelize_ip_idx', fields: ['embedding'], using: 'hnsw', operator: 'vector_ip_ops' }],
    });
    await Item.sync();
    const [idx] = await sequelize.query("SELECT indexdef FROM pg_indexes WHERE indexname = 'items_sequelize_ip_idx'");
    assert.match(idx[0].indexdef, /USING hnsw \(embedding vector_ip_ops\)/);
    const rows = vectors();
    await Item.bulkCreate(rows.map((embedding) => ({ embedding })));
    await sequelize.query('SET enable_seqscan = off');
    await sequelize.query('SET hnsw.ef_search = 100');
    const order = pgvector.maxInnerProduct('embedding', QUERY, sequelize);
    const [plan] = await sequelize.query(`EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY ${order.val} LIMIT 5`);
    assert.match(plan.map((r) => r['QUERY PLAN']).join('\n'), /Index Scan using items_sequelize_ip_idx/);
    const result = await Item.findAll({ order: order, limit: 5 });
    const expected = exactTopK(rows, QUERY, 5, 'ip');
    assert.deepEqual(result.map((r) => r.id), expected);
    // Model instances hold the column's text form ('[x,y,...]').
    assert.deepEqual(fromSql(result[0].embedding).map(Math.fround), rows[expected[0] - 1]);
  } finally {
    await sequelize.close();
    await dropDatabase(name);
  }
});
