"""psycopg 3: a Dumper/Loader pair for the vector type, COPY ... FROM STDIN of the rows,
an ivf index with the sq8 quantizer, and a k-NN query."""

import unittest

import psycopg
from psycopg.adapt import Dumper, Loader

import common


class Vector(list):
    """A Python list sent as a vector."""


class VectorDumper(Dumper):
    def dump(self, obj):
        return common.to_text(obj).encode()


class VectorLoader(Loader):
    def load(self, data):
        return common.from_text(bytes(data).decode())


class Psycopg3Test(unittest.TestCase):
    def setUp(self):
        self.db = common.create_database("client_psycopg3")
        self.conn = psycopg.connect(**common.conninfo(self.db), autocommit=True)

    def tearDown(self):
        self.conn.close()
        common.drop_database(self.db)

    def test_ivf_sq8_knn(self):
        conn = self.conn
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        info = psycopg.types.TypeInfo.fetch(conn, "vector")
        self.assertIsNotNone(info)
        info.register(conn)
        VectorDumper.oid = info.oid
        conn.adapters.register_dumper(Vector, VectorDumper)
        conn.adapters.register_loader("vector", VectorLoader)
        conn.execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(8))")
        rows = common.vectors()
        with conn.cursor() as cur:
            with cur.copy("COPY items (embedding) FROM STDIN") as copy:
                for v in rows:
                    copy.write_row((Vector(v),))
        conn.execute("CREATE INDEX items_pg3_idx ON items USING ivf (embedding vector_l2_ops) WITH (lists = 10, quantizer = 'sq8')")
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET ivfflat.probes = 10")
        sql = "SELECT id, embedding FROM items ORDER BY embedding <-> %s LIMIT 5"
        plan = conn.execute("EXPLAIN (COSTS OFF) " + sql, (Vector(common.QUERY),)).fetchall()
        self.assertIn("Index Scan using items_pg3_idx", "\n".join(r[0] for r in plan))
        result = conn.execute(sql, (Vector(common.QUERY),)).fetchall()
        expected = common.exact_top_k(rows, common.QUERY, 5, "l2")
        self.assertEqual([r[0] for r in result], expected)
        self.assertEqual(result[0][1], rows[expected[0] - 1])


if __name__ == "__main__":
    unittest.main()
