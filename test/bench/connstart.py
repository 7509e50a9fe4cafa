#!/usr/bin/python3
"""Connection-start cost of the extension, against a reference server (for example pgvector).

  connstart.py connect --dsn DSN --ref-dsn DSN [-n 200] [--pgbench-seconds 10]
      For each server: N times connect, run the first vector query of the session
      (SELECT '[1,2,3]'::vector <=> '[3,2,1]'), disconnect, over the DSN (give a unix socket
      directory as host). The servers alternate connection by connection, so that drift of the
      machine hits both alike. Reports the median and the 10th / 90th percentiles in ms, then
      `pgbench -n -C` (a new connection per transaction) with the same query for the given
      seconds, servers alternating, tps each.
  connstart.py build --dsn DSN [--rows 50000] [--repeat 3]
      A quick check of index build speed: loads the first ROWS rows of glove-100 into
      connstart_glove (once), then times CREATE INDEX for ivfflat (lists = rows / 1000) and hnsw
      (m = 16, ef_construction = 64), cosine, REPEAT times each (a new session per build), and
      reports the medians.

Only the standard library: libpq through ctypes (no driver to install), pgbench from PATH.
Ratios are ours / reference: below 1.0 we are faster.
"""
import argparse
import ctypes
import ctypes.util
import os
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import time

FIRST_QUERY = b"SELECT '[1,2,3]'::vector <=> '[3,2,1]'"

_lib = ctypes.CDLL(ctypes.util.find_library("pq") or "libpq.so.5")
_lib.PQconnectdb.restype = ctypes.c_void_p
_lib.PQconnectdb.argtypes = [ctypes.c_char_p]
_lib.PQstatus.argtypes = [ctypes.c_void_p]
_lib.PQerrorMessage.restype = ctypes.c_char_p
_lib.PQerrorMessage.argtypes = [ctypes.c_void_p]
_lib.PQexec.restype = ctypes.c_void_p
_lib.PQexec.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_lib.PQresultStatus.argtypes = [ctypes.c_void_p]
_lib.PQresultErrorMessage.restype = ctypes.c_char_p
_lib.PQresultErrorMessage.argtypes = [ctypes.c_void_p]
_lib.PQgetvalue.restype = ctypes.c_char_p
_lib.PQgetvalue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
_lib.PQntuples.argtypes = [ctypes.c_void_p]
_lib.PQclear.argtypes = [ctypes.c_void_p]
_lib.PQfinish.argtypes = [ctypes.c_void_p]
_lib.PQputCopyData.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
_lib.PQputCopyEnd.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
_lib.PQgetResult.restype = ctypes.c_void_p
_lib.PQgetResult.argtypes = [ctypes.c_void_p]

CONNECTION_OK = 0
PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN = 1, 2, 4


class Conn:
    def __init__(self, dsn):
        self.c = _lib.PQconnectdb(dsn.encode())
        if _lib.PQstatus(self.c) != CONNECTION_OK:
            msg = _lib.PQerrorMessage(self.c).decode()
            _lib.PQfinish(self.c)
            raise RuntimeError(f"connect {dsn}: {msg}")

    def query(self, sql):
        """Runs sql; returns the first column of the result's rows as strings."""
        r = _lib.PQexec(self.c, sql.encode() if isinstance(sql, str) else sql)
        st = _lib.PQresultStatus(r)
        if st not in (PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN):
            msg = _lib.PQresultErrorMessage(r).decode()
            _lib.PQclear(r)
            raise RuntimeError(msg)
        rows = [_lib.PQgetvalue(r, i, 0).decode() for i in range(_lib.PQntuples(r))] if st == PGRES_TUPLES_OK else []
        _lib.PQclear(r)
        return rows

    def copy_in(self, sql, data):
        self.query(sql)
        for i in range(0, len(data), 1 << 20):
            chunk = data[i:i + (1 << 20)]
            if _lib.PQputCopyData(self.c, chunk, len(chunk)) != 1:
                raise RuntimeError(_lib.PQerrorMessage(self.c).decode())
        _lib.PQputCopyEnd(self.c, None)
        while True:
            r = _lib.PQgetResult(self.c)
            if not r:
                break
            st = _lib.PQresultStatus(r)
            msg = _lib.PQresultErrorMessage(r).decode()
            _lib.PQclear(r)
            if st != PGRES_COMMAND_OK:
                raise RuntimeError(msg)

    def close(self):
        _lib.PQfinish(self.c)


def one_connection(dsn):
    """Seconds for connect + first vector query + disconnect."""
    t0 = time.perf_counter()
    c = _lib.PQconnectdb(dsn.encode())
    if _lib.PQstatus(c) != CONNECTION_OK:
        raise RuntimeError(_lib.PQerrorMessage(c).decode())
    r = _lib.PQexec(c, FIRST_QUERY)
    ok = _lib.PQresultStatus(r) == PGRES_TUPLES_OK
    _lib.PQclear(r)
    _lib.PQfinish(c)
    t1 = time.perf_counter()
    if not ok:
        raise RuntimeError("first query failed")
    return t1 - t0


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def dsn_parts(dsn):
    return dict(kv.split("=", 1) for kv in dsn.split())


def pgbench_tps(dsn, seconds, script):
    p = dsn_parts(dsn)
    cmd = ["pgbench", "-n", "-C", "-T", str(seconds), "-f", script, "-h", p.get("host", "/tmp"),
           "-p", p.get("port", "5432"), "-U", p.get("user", "postgres"), p.get("dbname", "postgres")]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = re.search(r"tps = ([0-9.]+)", out)
    lat = re.search(r"average connection time = ([0-9.]+) ms", out)
    return float(m.group(1)), (float(lat.group(1)) if lat else None)


def cmd_connect(a):
    servers = [("ours", a.dsn), (a.ref_name, a.ref_dsn)] if a.ref_dsn else [("ours", a.dsn)]
    for name, dsn in servers:
        c = Conn(dsn)
        c.query("CREATE EXTENSION IF NOT EXISTS vector")
        c.close()
        for _ in range(5):  # warm the OS caches (binaries, libraries, catalog)
            one_connection(dsn)
    times = {name: [] for name, _ in servers}
    for i in range(a.n):
        order = servers if i % 2 == 0 else servers[::-1]
        for name, dsn in order:
            times[name].append(one_connection(dsn))
    print(f"connect + first vector query + disconnect, {a.n} times each (ms)")
    print("| server | median | p10 | p90 |")
    print("|---|---|---|---|")
    for name, _ in servers:
        t = [x * 1000 for x in times[name]]
        print(f"| {name} | {statistics.median(t):.2f} | {pct(t, 10):.2f} | {pct(t, 90):.2f} |")
    if a.ref_dsn:
        r = statistics.median(times["ours"]) / statistics.median(times[a.ref_name])
        print(f"ratio ours / {a.ref_name} (median): {r:.2f}")
    if a.pgbench_seconds > 0:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(FIRST_QUERY.decode() + ";\n")
            script = f.name
        os.chmod(script, 0o644)
        tps = {name: [] for name, _ in servers}
        conn_ms = {name: [] for name, _ in servers}
        for rep in range(a.pgbench_repeat):
            order = servers if rep % 2 == 0 else servers[::-1]
            for name, dsn in order:
                t, c = pgbench_tps(dsn, a.pgbench_seconds, script)
                tps[name].append(t)
                if c is not None:
                    conn_ms[name].append(c)
        os.unlink(script)
        print(f"\npgbench -n -C -T {a.pgbench_seconds} (1 client), {a.pgbench_repeat} runs each, median")
        print("| server | tps | average connection time (ms) |")
        print("|---|---|---|")
        for name, _ in servers:
            c = f"{statistics.median(conn_ms[name]):.2f}" if conn_ms[name] else "-"
            print(f"| {name} | {statistics.median(tps[name]):.1f} | {c} |")
        if a.ref_dsn:
            r = statistics.median(tps[a.ref_name]) / statistics.median(tps["ours"])
            print(f"time per transaction, ratio ours / {a.ref_name}: {r:.2f}")


def read_fvecs(path, limit):
    rows = []
    with open(path, "rb") as f:
        while len(rows) < limit:
            head = f.read(4)
            if not head:
                break
            (d,) = struct.unpack("<i", head)
            rows.append(struct.unpack(f"<{d}f", f.read(4 * d)))
    return rows


def cmd_build(a):
    c = Conn(a.dsn)
    table = f"connstart_glove_{a.rows}"
    c.query("SET client_min_messages = warning")
    c.query("CREATE EXTENSION IF NOT EXISTS vector")
    if not c.query(f"SELECT 1 FROM pg_class WHERE relname = '{table}'"):
        rows = read_fvecs(os.path.join(a.datasets, "glove-100", "glove100_base.fvecs"), a.rows)
        c.query(f"CREATE TABLE {table} (id int, embedding vector({len(rows[0])}))")
        data = "".join(f"{i}\t[{','.join(repr(x) for x in r)}]\n" for i, r in enumerate(rows)).encode()
        c.copy_in(f"COPY {table} FROM STDIN", data)
        c.query(f"VACUUM ANALYZE {table}")
    c.close()
    indexes = [("ivfflat", f"USING ivfflat (embedding vector_cosine_ops) WITH (lists = {max(1, a.rows // 1000)})"),
               ("hnsw", "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")]
    print(f"CREATE INDEX on the first {a.rows} rows of glove-100, {a.repeat} builds each, seconds")
    print("| index | median | all |")
    print("|---|---|---|")
    for name, spec in indexes:
        times = []
        for _ in range(a.repeat):
            # A new session per build, as a CREATE INDEX usually runs: it pays for loading
            # whatever the build loads (vector_build.so for ivfflat).
            c = Conn(a.dsn)
            c.query("SET client_min_messages = warning")
            c.query("SET maintenance_work_mem = '1GB'")
            c.query("SET max_parallel_maintenance_workers = 0")
            c.query(f"DROP INDEX IF EXISTS {table}_idx")
            t0 = time.perf_counter()
            c.query(f"CREATE INDEX {table}_idx ON {table} {spec}")
            times.append(time.perf_counter() - t0)
            c.query(f"DROP INDEX {table}_idx")
            c.close()
        print(f"| {name} | {statistics.median(times):.2f} | {' '.join(f'{t:.2f}' for t in times)} |")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("connect")
    p.add_argument("--dsn", required=True)
    p.add_argument("--ref-dsn")
    p.add_argument("--ref-name", default="pgvector")
    p.add_argument("-n", type=int, default=200)
    p.add_argument("--pgbench-seconds", type=int, default=10)
    p.add_argument("--pgbench-repeat", type=int, default=3)
    p = sub.add_parser("build")
    p.add_argument("--dsn", required=True)
    p.add_argument("--rows", type=int, default=50000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--datasets", default=os.path.join(here, "..", "..", "..", "shared", "datasets"))
    a = ap.parse_args()
    (cmd_connect if a.cmd == "connect" else cmd_build)(a)


if __name__ == "__main__":
    sys.exit(main())
