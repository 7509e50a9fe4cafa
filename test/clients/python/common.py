"""Shared by the Python client tests: connection settings from the environment (scripts/test.sh
points PGHOST/PGPORT/PGUSER at a private server), a scratch database per test module, the same
deterministic vectors as the Node tests, and the exact k-NN answer computed here."""

import math
import os
import struct

import psycopg2

DIM = 8
ROWS = 300


def conninfo(dbname):
    """Keyword arguments for a connection to DBNAME on the test server."""
    args = {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT", "5432")),
        "user": os.environ.get("PGUSER", "postgres"),
        "dbname": dbname,
    }
    if os.environ.get("PGPASSWORD"):
        args["password"] = os.environ["PGPASSWORD"]
    return args


def _admin(sql):
    """Runs SQL outside a transaction in the maintenance database."""
    conn = psycopg2.connect(**conninfo("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def create_database(name):
    """A new empty database NAME (dropped first if an earlier run left it)."""
    drop_database(name)
    _admin(f"CREATE DATABASE {name}")
    return name


def drop_database(name):
    """Removes a database made by create_database."""
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _f32(x):
    """X rounded to float32, as the server stores it."""
    return struct.unpack("f", struct.pack("f", x))[0]


def vectors(n=ROWS, dim=DIM, seed=7):
    """N pseudo-random float32 vectors in [-1, 1)^DIM, the same on every run."""
    state = seed & 0xFFFFFFFF
    out = []
    for _ in range(n):
        v = []
        for _ in range(dim):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            v.append(_f32(state / 2**32 * 2 - 1))
        out.append(v)
    return out


QUERY = vectors(1, DIM, 99)[0]


def _dist(metric, a, b):
    if metric == "l2":
        return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))
    if metric == "l1":
        return sum(abs(x - y) for x, y in zip(a, b))
    dot = sum(x * y for x, y in zip(a, b))
    if metric == "ip":
        return -dot
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return 1 - dot / (na * nb)


def exact_top_k(rows, query, k, metric="l2"):
    """Ids (1-based insertion order) of the K rows nearest to QUERY by METRIC."""
    scored = sorted(((_dist(metric, v, query), i + 1) for i, v in enumerate(rows)))
    return [i for _, i in scored[:k]]


def to_text(v):
    """The vector's text form '[x,y,...]' (repr round-trips the float32 values)."""
    return "[" + ",".join(repr(x) for x in v) + "]"


def from_text(s):
    """Parses the vector text form into float32-rounded floats."""
    return [_f32(float(x)) for x in s.strip("[]").split(",")]
