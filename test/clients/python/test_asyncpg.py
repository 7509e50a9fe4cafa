"""asyncpg: a binary codec for the vector type (set_type_codec: pgvector's send/receive
format, int16 dimensions, int16 unused, float4 big-endian), copy_records_to_table (binary
COPY), an hnsw index and a k-NN query with prepared-statement parameters."""

import asyncio
import struct
import unittest

import asyncpg

import common


def _encode(v):
    return struct.pack(f">HH{len(v)}f", len(v), 0, *v)


def _decode(data):
    dim, unused = struct.unpack_from(">HH", data)
    assert unused == 0
    return list(struct.unpack_from(f">{dim}f", data, 4))


async def _run(testcase):
    conn = await asyncpg.connect(**{("database" if k == "dbname" else k): v for k, v in common.conninfo(testcase.db).items()})
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        await conn.set_type_codec("vector", encoder=_encode, decoder=_decode, format="binary")
        await conn.execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(8))")
        rows = common.vectors()
        await conn.copy_records_to_table("items", records=[(v,) for v in rows], columns=["embedding"])
        await conn.execute("CREATE INDEX items_asyncpg_idx ON items USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32)")
        await conn.execute("SET enable_seqscan = off")
        await conn.execute("SET hnsw.ef_search = 100")
        sql = "SELECT id, embedding FROM items ORDER BY embedding <-> $1 LIMIT 5"
        plan = await conn.fetch("EXPLAIN (COSTS OFF) " + sql, common.QUERY)
        testcase.assertIn("Index Scan using items_asyncpg_idx", "\n".join(r[0] for r in plan))
        result = await conn.fetch(sql, common.QUERY)
        expected = common.exact_top_k(rows, common.QUERY, 5, "l2")
        testcase.assertEqual([r["id"] for r in result], expected)
        testcase.assertEqual(result[0]["embedding"], rows[expected[0] - 1])
        with testcase.assertRaises(asyncpg.PostgresError) as ctx:
            await conn.fetch("SELECT $1::vector(3)", [1.0, 2.0])
        testcase.assertEqual(ctx.exception.sqlstate, "22000")
    finally:
        await conn.close()


class AsyncpgTest(unittest.TestCase):
    def setUp(self):
        self.db = common.create_database("client_asyncpg")

    def tearDown(self):
        common.drop_database(self.db)

    def test_hnsw_knn(self):
        asyncio.run(_run(self))


if __name__ == "__main__":
    unittest.main()
