"""SQLAlchemy (Core and ORM): a small VECTOR UserDefinedType with comparator methods for the
distance operators, an hnsw Index declared with postgresql_using/_with/_ops and created by
metadata.create_all(), and an ORM k-NN query ordered by cosine distance."""

import unittest

import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base
from sqlalchemy.types import UserDefinedType, Float

import common


class VECTOR(UserDefinedType):
    """The vector(n) column type; values are lists of floats."""

    cache_ok = True

    def __init__(self, dim=None):
        self.dim = dim

    def get_col_spec(self, **kw):
        return "VECTOR" if self.dim is None else f"VECTOR({self.dim})"

    def bind_processor(self, dialect):
        return lambda v: None if v is None else common.to_text(v)

    def literal_processor(self, dialect):
        return lambda v: "'" + common.to_text(v) + "'"

    def result_processor(self, dialect, coltype):
        return lambda v: None if v is None else common.from_text(v)

    class comparator_factory(UserDefinedType.Comparator):
        def l2_distance(self, other):
            return self.op("<->", return_type=Float)(other)

        def max_inner_product(self, other):
            return self.op("<#>", return_type=Float)(other)

        def cosine_distance(self, other):
            return self.op("<=>", return_type=Float)(other)


Base = declarative_base()


class Item(Base):
    __tablename__ = "items"
    id = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    embedding = sa.Column(VECTOR(8))


sa.Index(
    "items_sqlalchemy_idx",
    Item.embedding,
    postgresql_using="hnsw",
    postgresql_with={"m": 16, "ef_construction": 64},
    postgresql_ops={"embedding": "vector_cosine_ops"},
)


class SQLAlchemyTest(unittest.TestCase):
    def setUp(self):
        self.db = common.create_database("client_sqlalchemy")
        c = common.conninfo(self.db)
        self.engine = sa.create_engine(f"postgresql+psycopg2://{c['user']}@{c['host']}:{c['port']}/{c['dbname']}")

    def tearDown(self):
        self.engine.dispose()
        common.drop_database(self.db)

    def test_hnsw_cosine_knn(self):
        with self.engine.begin() as conn:
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
        Base.metadata.create_all(self.engine)
        with self.engine.connect() as conn:
            indexdef = conn.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'items_sqlalchemy_idx'")).scalar()
        self.assertIn("USING hnsw (embedding vector_cosine_ops) WITH (m='16', ef_construction='64')", indexdef)
        rows = common.vectors()
        with Session(self.engine) as session:
            session.add_all([Item(embedding=v) for v in rows])
            session.commit()
            session.execute(sa.text("SET enable_seqscan = off"))
            session.execute(sa.text("SET hnsw.ef_search = 100"))
            stmt = sa.select(Item).order_by(Item.embedding.cosine_distance(common.QUERY)).limit(5)
            literal = str(stmt.compile(self.engine, compile_kwargs={"literal_binds": True}))
            plan = session.connection().exec_driver_sql("EXPLAIN (COSTS OFF) " + literal).scalars().all()
            self.assertIn("Index Scan using items_sqlalchemy_idx", "\n".join(plan))
            result = session.execute(stmt).scalars().all()
            expected = common.exact_top_k(rows, common.QUERY, 5, "cosine")
            self.assertEqual([r.id for r in result], expected)
            self.assertEqual(result[0].embedding, rows[expected[0] - 1])


if __name__ == "__main__":
    unittest.main()
