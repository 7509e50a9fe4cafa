#!/usr/bin/python3
"""Per-row cost of the exact (index-free) paths, ours against a reference server.

For a table of N rows (default 100,000) of a dataset's vectors, with an integer label (1% of the
rows per value) and a btree on it, each server runs, with max_parallel_workers_per_gather = 0
and no vector index:
  read    SELECT sum(vector_dims(embedding)) FROM t           rows read and detoasted, no distance
  dist    SELECT sum(embedding <-> q) FROM t                  + one distance per row
  seqsort SELECT id FROM t ORDER BY embedding <-> q LIMIT 10  sequential scan and top-10 sort
  bitmap  SELECT id FROM t WHERE label = 7 ORDER BY embedding <-> q LIMIT 10
                                                              btree/bitmap scan of 1% and sort
  tenth   the same with WHERE label < 10 (10%; a bitmap heap scan), not run by default
  half    the same with WHERE label < 50 (50%; a filtered seq scan), not run by default
With --type halfvec or sparsevec the column is of that type (the vectors cast on the server) and
the query vector is cast to it (sparsevec's read is sum(pg_column_size(embedding)), no detoast).
The servers alternate query by query (the one that goes first alternates too). Reported: median
wall and backend CPU milliseconds per query, CPU nanoseconds per row (per row scanned; for bitmap,
per matching row), the distance's own share (dist - read), and the CPU ratio ours / reference.

Reuses bench.py's conventions (see test/bench/README.md).
"""

import argparse
import io
import json
import os
import statistics
import struct
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

TAG = "vector-bench exact v1"

QUERIES = {
    "read": "SELECT sum(vector_dims(embedding)) FROM {t}",
    "dist": "SELECT sum(embedding {op} %s) FROM {t}",
    "seqsort": "SELECT id FROM {t} ORDER BY embedding {op} %s LIMIT 10",
    "bitmap": "SELECT id FROM {t} WHERE label = 7 ORDER BY embedding {op} %s LIMIT 10",
    "tenth": "SELECT id FROM {t} WHERE label < 10 ORDER BY embedding {op} %s LIMIT 10",
    "half": "SELECT id FROM {t} WHERE label < 50 ORDER BY embedding {op} %s LIMIT 10",
}
# Rows each kind's CPU time is divided by, as a share of the table (bitmap, tenth, half: the
# matching rows, which with label = id % 100 are spread evenly over the pages).
SHARE = {"bitmap": 0.01, "tenth": 0.1, "half": 0.5}


def load(srv, table, base, reload, typ="vector"):
    """(id, label = id % 100, embedding) with a btree on label, unless already there."""
    tag = "%s rows=%d dim=%d sum=%.6g type=%s" % (TAG, len(base), base.shape[1], float(base[:100].sum()), typ)
    row = srv.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (table,))[0][0]
    if row == tag and not reload:
        bench.log("%s: %s already loaded" % (srv.label, table))
        return
    bench.log("%s: loading %d x %d into %s" % (srv.label, len(base), base.shape[1], table))
    srv.execute("DROP TABLE IF EXISTS %s" % table)
    srv.execute("CREATE TABLE %s (id int PRIMARY KEY, label int, embedding vector(%d))" % (table, base.shape[1]))
    n, d = base.shape
    srv.conn.autocommit = False
    try:
        with srv.conn.cursor() as cur:
            for s in range(0, n, 20000):
                part = base[s:s + 20000]
                rec = np.dtype([("nf", ">i2"), ("l1", ">i4"), ("id", ">i4"), ("l2", ">i4"), ("label", ">i4"),
                                ("l3", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("v", ">f4", (d,))])
                arr = np.empty(len(part), dtype=rec)
                ids = np.arange(s, s + len(part))
                arr["nf"], arr["l1"], arr["id"], arr["l2"] = 3, 4, ids, 4
                arr["label"], arr["l3"], arr["dim"], arr["unused"], arr["v"] = ids % 100, 4 + 4 * d, d, 0, part
                buf = io.BytesIO()
                buf.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0) + arr.tobytes() + struct.pack(">h", -1))
                buf.seek(0)
                cur.copy_expert("COPY %s (id, label, embedding) FROM STDIN WITH (FORMAT binary)" % table, buf)
        srv.conn.commit()
    finally:
        srv.conn.autocommit = True
    if typ != "vector":
        # Rewritten into a fresh table (not ALTER ... TYPE) so both servers get the same layout.
        srv.execute("ALTER TABLE %s RENAME TO %s_src" % (table, table))
        srv.execute("CREATE TABLE %s (id int PRIMARY KEY, label int, embedding %s(%d))" % (table, typ, base.shape[1]))
        srv.execute("INSERT INTO %s SELECT id, label, embedding::%s(%d) FROM %s_src ORDER BY id"
                    % (table, typ, base.shape[1], table))
        srv.execute("DROP TABLE %s_src" % table)
    srv.execute("CREATE INDEX %s_label ON %s (label)" % (table, table))
    srv.execute("VACUUM (ANALYZE, FREEZE) %s" % table)
    srv.execute("COMMENT ON TABLE %s IS %%s" % table, (tag,))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dsn", required=True)
    p.add_argument("--ref-dsn")
    p.add_argument("--name", default="ours")
    p.add_argument("--ref-name", default="pgvector")
    p.add_argument("--base", required=True, help=".fvecs file of base vectors")
    p.add_argument("--query", required=True, help=".fvecs file of query vectors")
    p.add_argument("--rows", type=int, default=100000)
    p.add_argument("--metric", default="l2", choices=sorted(bench.OPERATORS))
    p.add_argument("--queries", type=int, default=10, help="query vectors, each run once per kind")
    p.add_argument("--kinds", default="read,dist,seqsort,bitmap", help="of read,dist,seqsort,bitmap,tenth,half")
    p.add_argument("--type", default="vector", choices=["vector", "halfvec", "sparsevec"])
    p.add_argument("--reload", action="store_true")
    p.add_argument("--out", default=bench.DEFAULT_OUT)
    p.add_argument("--tag", default="")
    args = p.parse_args(argv)

    base = bench.read_vecs(args.base, np.float32, args.rows)
    queries = bench.read_vecs(args.query, np.float32)[:args.queries]
    table = "bench_exact_%dd_%d" % (base.shape[1], len(base))
    if args.type != "vector":
        table = "bench_exact_%s_%dd_%d" % (args.type, base.shape[1], len(base))
    op = bench.OPERATORS[args.metric]
    if args.type != "vector":
        # the query vector as text of vector, cast (once, at plan time) to the column's type
        op = "%s CAST(CAST(" % op
        qcast = " AS vector) AS %s)" % args.type
    else:
        qcast = ""
    settings = [("max_parallel_workers_per_gather", "0"), ("jit", "off")]
    servers = [bench.Server(args.name, args.dsn, settings)]
    if args.ref_dsn:
        servers.append(bench.Server(args.ref_name, args.ref_dsn, settings))
    for srv in servers:
        load(srv, table, base, args.reload, args.type)
        if srv.prewarm:
            srv.try_execute("SELECT pg_prewarm('%s'), pg_prewarm('%s_label')" % (table, table))
            srv.try_execute("SELECT pg_prewarm(reltoastrelid) FROM pg_class WHERE oid = '%s'::regclass "
                            "AND reltoastrelid <> 0" % table)
    texts = [bench.vector_literal(q) for q in queries]
    kinds = args.kinds.split(",")
    times = {(s.label, k): [] for s in servers for k in kinds}
    cpus = {(s.label, k): [] for s in servers for k in kinds}
    plans = {}
    for k in kinds:
        sql = QUERIES[k].format(t=table, op=op).replace("%s", "%s" + qcast)
        if k == "read" and args.type == "sparsevec":
            # sparsevec has no vector_dims(): the stored size, read without detoasting
            sql = sql.replace("vector_dims(", "pg_column_size(")
        for srv in servers:
            rows = srv.execute("EXPLAIN (COSTS OFF) " + sql, (texts[0],) if "%s" in sql else None)
            plans[(srv.label, k)] = " / ".join(r[0].strip() for r in rows if not r[0].strip().startswith(
                ("Sort Key", "Recheck", "Index Cond", "Filter")))
            srv.execute(sql, (texts[0],) if "%s" in sql else None)  # warm-up
        for i, t in enumerate(texts):
            order = servers if i % 2 == 0 else servers[::-1]
            for srv in order:
                c0 = bench.backend_cpu_ns(srv)
                t0 = time.perf_counter()
                srv.execute(sql, (t,) if "%s" in sql else None)
                times[(srv.label, k)].append(time.perf_counter() - t0)
                c1 = bench.backend_cpu_ns(srv)
                if c0 is not None and c1 is not None:
                    cpus[(srv.label, k)].append((c1 - c0) / 1e9)
        bench.log("%s: %s" % (k, ", ".join("%s %.2f ms" % (s.label, 1e3 * statistics.median(times[(s.label, k)]))
                                            for s in servers)))

    def med(label, k, what):
        xs = (cpus if what == "cpu" else times)[(label, k)]
        return statistics.median(xs) if xs else float("nan")

    def per_row(label, k, what="cpu"):
        rows = round(SHARE[k] * len(base)) if k in SHARE else len(base)
        return 1e9 * med(label, k, what) / rows

    lines = ["# Exact paths: %d rows x %d dims (%s), %s %s, %d queries per kind" % (
        len(base), base.shape[1], os.path.basename(args.base), args.type, bench.OPERATORS[args.metric], len(texts)), "",
        "Median per query of wall time and of the backend's CPU time (/proc/<pid>/schedstat); ns/row is"
        " CPU time per row scanned (bitmap, tenth, half: per matching row).", "",
        "| path | " + " | ".join("%s wall ms | %s CPU ms | %s CPU ns/row" % (s.label, s.label, s.label)
                               for s in servers)
        + (" | CPU ratio |" if len(servers) == 2 else " |"),
        "|---|" + "---|---|---|" * len(servers) + ("---|" if len(servers) == 2 else "")]
    for k in kinds:
        line = "| %s |" % k
        for s in servers:
            line += " %.2f | %.2f | %.0f |" % (1e3 * med(s.label, k, "wall"), 1e3 * med(s.label, k, "cpu"),
                                              per_row(s.label, k))
        if len(servers) == 2:
            line += " %.2f |" % (med(servers[0].label, k, "cpu") / med(servers[1].label, k, "cpu"))
        lines.append(line)
    if "read" in kinds and "dist" in kinds:
        line = "| distance alone (dist - read) |"
        for s in servers:
            d = per_row(s.label, "dist") - per_row(s.label, "read")
            line += " | | %.0f |" % d
        if len(servers) == 2:
            line += " %.2f |" % ((per_row(servers[0].label, "dist") - per_row(servers[0].label, "read"))
                                / (per_row(servers[1].label, "dist") - per_row(servers[1].label, "read")))
        lines.append(line)
    lines += ["", "Plans:"] + ["- %s %s: %s" % (s.label, k, plans[(s.label, k)]) for k in kinds for s in servers]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    suffix = ("-" + args.tag) if args.tag else ""
    with open(os.path.join(args.out, "exact%s.md" % suffix), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "exact%s.json" % suffix), "w") as f:
        json.dump({"args": vars(args), "servers": [s.info for s in servers],
                   "times": {"%s/%s" % key: v for key, v in times.items()},
                   "cpu": {"%s/%s" % key: v for key, v in cpus.items()}, "plans": {"%s/%s" % key: v for key, v in plans.items()}},
                  f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
