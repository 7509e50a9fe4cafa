"""Django ORM: a small VectorField (Django has none), an hnsw index declared in the model's
Meta (a PostgresIndex subclass with operator class and WITH options) and created by the
schema editor as a migration would, and a k-NN query ordered by an L2Distance expression."""

import unittest

import django
from django.conf import settings

import common

DB = "client_django"
_c = common.conninfo(DB)
settings.configure(
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DB,
            "USER": _c["user"],
            "HOST": _c["host"],
            "PORT": str(_c["port"]),
            "PASSWORD": _c.get("password", ""),
        }
    },
    INSTALLED_APPS=["django.contrib.postgres"],
    USE_TZ=True,
)
django.setup()

from django.contrib.postgres.indexes import PostgresIndex  # noqa: E402
from django.db import connection, models  # noqa: E402


class VectorField(models.Field):
    """A vector(n) column holding a list of floats."""

    def __init__(self, *args, dimensions=None, **kwargs):
        self.dimensions = dimensions
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.dimensions is not None:
            kwargs["dimensions"] = self.dimensions
        return name, path, args, kwargs

    def db_type(self, connection):
        return "vector" if self.dimensions is None else f"vector({self.dimensions})"

    def get_prep_value(self, value):
        return None if value is None else common.to_text(value)

    def from_db_value(self, value, expression, connection):
        return None if value is None else common.from_text(value)


class HnswIndex(PostgresIndex):
    """CREATE INDEX ... USING hnsw with the m and ef_construction options."""

    suffix = "hnsw"

    def __init__(self, *expressions, m=None, ef_construction=None, **kwargs):
        self.m = m
        self.ef_construction = ef_construction
        super().__init__(*expressions, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.update(m=self.m, ef_construction=self.ef_construction)
        return path, args, kwargs

    def get_with_params(self):
        params = []
        if self.m is not None:
            params.append(f"m = {int(self.m)}")
        if self.ef_construction is not None:
            params.append(f"ef_construction = {int(self.ef_construction)}")
        return params


class L2Distance(models.Func):
    """embedding <-> query."""

    function = ""
    arg_joiner = " <-> "
    output_field = models.FloatField()

    def __init__(self, field, vector):
        super().__init__(models.F(field), models.Value(vector, output_field=VectorField()))


class Item(models.Model):
    embedding = VectorField(dimensions=8)

    class Meta:
        app_label = "vectortest"
        db_table = "items"
        indexes = [HnswIndex(fields=["embedding"], name="items_django_idx", opclasses=["vector_l2_ops"], m=16, ef_construction=64)]


class DjangoTest(unittest.TestCase):
    def setUp(self):
        common.create_database(DB)

    def tearDown(self):
        connection.close()
        common.drop_database(DB)

    def test_hnsw_knn(self):
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
        with connection.schema_editor() as editor:
            editor.create_model(Item)
        with connection.cursor() as cur:
            cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'items_django_idx'")
            self.assertIn("USING hnsw (embedding vector_l2_ops) WITH (m='16', ef_construction='64')", cur.fetchone()[0])
        rows = common.vectors()
        Item.objects.bulk_create([Item(embedding=v) for v in rows])
        with connection.cursor() as cur:
            cur.execute("SET enable_seqscan = off")
            cur.execute("SET hnsw.ef_search = 100")
        qs = Item.objects.order_by(L2Distance("embedding", common.QUERY))[:5]
        self.assertIn("Index Scan using items_django_idx", qs.explain())
        result = list(qs)
        expected = common.exact_top_k(rows, common.QUERY, 5, "l2")
        self.assertEqual([r.id for r in result], expected)
        self.assertEqual(result[0].embedding, rows[expected[0] - 1])


if __name__ == "__main__":
    unittest.main()
