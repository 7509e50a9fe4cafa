"""psycopg2: a small adapter for the vector type (register_adapter / new_type), an ivfflat
index, a k-NN query whose ids and returned vectors are checked."""

import unittest

import psycopg2
import psycopg2.extensions

import common


class Vector(list):
    """A Python list sent as a vector literal."""


def _adapt(v):
    return psycopg2.extensions.AsIs(psycopg2.extensions.adapt(common.to_text(v)).getquoted().decode() + "::vector")


class Psycopg2Test(unittest.TestCase):
    def setUp(self):
        self.db = common.create_database("client_psycopg2")
        self.conn = psycopg2.connect(**common.conninfo(self.db))
        self.conn.autocommit = True

    def tearDown(self):
        self.conn.close()
        common.drop_database(self.db)

    def test_ivfflat_knn(self):
        psycopg2.extensions.register_adapter(Vector, _adapt)
        cur = self.conn.cursor()
        cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
        cur.execute("SELECT oid FROM pg_type WHERE typname = 'vector'")
        vector_oid = cur.fetchone()[0]
        vtype = psycopg2.extensions.new_type((vector_oid,), "VECTOR", lambda s, c: None if s is None else common.from_text(s))
        psycopg2.extensions.register_type(vtype, self.conn)
        cur.execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(8))")
        rows = common.vectors()
        cur.executemany("INSERT INTO items (embedding) VALUES (%s)", [(Vector(v),) for v in rows])
        cur.execute("CREATE INDEX items_pg2_idx ON items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 10)")
        cur.execute("SET enable_seqscan = off")
        cur.execute("SET ivfflat.probes = 10")
        sql = "SELECT id, embedding FROM items ORDER BY embedding <=> %s LIMIT 5"
        cur.execute("EXPLAIN (COSTS OFF) " + sql, (Vector(common.QUERY),))
        self.assertIn("Index Scan using items_pg2_idx", "\n".join(r[0] for r in cur.fetchall()))
        cur.execute(sql, (Vector(common.QUERY),))
        result = cur.fetchall()
        expected = common.exact_top_k(rows, common.QUERY, 5, "cosine")
        self.assertEqual([r[0] for r in result], expected)
        self.assertEqual(result[0][1], rows[expected[0] - 1])
        with self.assertRaises(psycopg2.Error) as ctx:
            cur.execute("SELECT '[1,2]'::vector(3)")
        self.assertEqual(ctx.exception.pgcode, "22000")


if __name__ == "__main__":
    unittest.main()
