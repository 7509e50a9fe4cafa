#!/usr/bin/python3
"""Filtered vector queries: WHERE label = $1 ORDER BY embedding <=> $2 LIMIT k, at several shares
of matching rows, against a reference server measured in the same run.

The table holds a dataset prefix (default: GloVe-100, 200,000 rows) with an integer column `label`
that is independent of the vectors: a row has label S (S in --selectivities, e.g. 2, 10, 100,
1000) with probability 1/S, label 0 otherwise, drawn from a fixed-seed generator so that both
servers and every run hold the same rows. There is a btree on label and a vector index on
embedding (--index). For each iterative-scan mode (--modes: the hnsw.iterative_scan and
ivfflat.iterative_scan value) and each S, every query runs with WHERE label = S, and the harness
reports per server:
  - queries per second (one client, the servers alternating batch by batch) and the backend's CPU
    milliseconds per query (/proc/<pid>/schedstat, local servers; steadier than QPS on a busy
    machine),
  - recall@k against the exact answer within the rows of label S (numpy, float64),
  - rows returned per query (mean, and how many queries returned fewer than k),
  - the plan the planner chose (EXPLAIN of one query, nodes only),
  - the QPS of the exact plan (the same query with ORDER BY (embedding <=> $2) + 0, which no
    vector index serves: btree/bitmap or sequential scan and a sort; recall 1 by construction),
    the reference point for "the planner should pick the fastest correct plan".
Plans are custom plans (plan_cache_mode = force_custom_plan), so the planner sees each label.

--filter picks the column the WHERE clause tests (the same rows match in every kind):
  label     WHERE label = S                 (btree on label)
  tags      WHERE tags && ARRAY[S]          tags int[] = {label, 1001 + id %% 4} (GIN on tags)
  category  WHERE category = 'category-S'   category text = 'category-' || label (btree)
  bare      WHERE bare = S                  bare int = label, with no index of its own: with
                                            --multicolumn the vector index is the only one that
                                            serves the filter (the exact filtered scan of hnsw at
                                            low shares), the reference walks or scans the table
The tags and category columns are added to the loaded table the first time they are asked for.

Reuses bench.py's dataset reader, connections and conventions (see test/bench/README.md).
"""

import argparse
import io
import json
import os
import re
import statistics
import struct
import sys
import time

import numpy as np
import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (same folder)

TAG = "vector-bench filtered v1"


def label_column(rows, selectivities, seed):
    """Labels: S with probability 1/S for each S in selectivities, 0 otherwise (fixed seed)."""
    rng = np.random.default_rng(seed)
    u = rng.random(rows)
    labels = np.zeros(rows, dtype=np.int32)
    lo = 0.0
    for s in selectivities:
        hi = lo + 1.0 / s
        labels[(u >= lo) & (u < hi)] = s
        lo = hi
    if lo > 1.0:
        raise SystemExit("the shares 1/S add up to more than 1")
    return labels


def copy_rows(cur, table, base, labels, start):
    """COPY (id, label, embedding) in PostgreSQL's binary format."""
    n, d = base.shape
    rec = np.dtype([("nf", ">i2"), ("l1", ">i4"), ("id", ">i4"), ("l2", ">i4"), ("label", ">i4"),
                    ("l3", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("v", ">f4", (d,))])
    arr = np.empty(n, dtype=rec)
    arr["nf"] = 3
    arr["l1"] = 4
    arr["id"] = np.arange(start, start + n)
    arr["l2"] = 4
    arr["label"] = labels
    arr["l3"] = 4 + 4 * d
    arr["dim"] = d
    arr["unused"] = 0
    arr["v"] = base
    buf = io.BytesIO()
    buf.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
    buf.write(arr.tobytes())
    buf.write(struct.pack(">h", -1))
    buf.seek(0)
    cur.copy_expert("COPY %s (id, label, embedding) FROM STDIN WITH (FORMAT binary)" % table, buf)


def load(srv, table, base, labels, fingerprint, reload):
    """Create and fill the table with its btree unless an identical one exists."""
    tag = "%s %s" % (TAG, fingerprint)
    row = srv.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (table,))[0][0]
    if row == tag and not reload:
        bench.log("%s: %s already loaded" % (srv.label, table))
        return
    bench.log("%s: loading %d rows into %s" % (srv.label, len(base), table))
    srv.execute("DROP TABLE IF EXISTS %s" % table)
    srv.execute("CREATE TABLE %s (id int PRIMARY KEY, label int NOT NULL, embedding vector(%d))"
                % (table, base.shape[1]))
    srv.conn.autocommit = False
    try:
        with srv.conn.cursor() as cur:
            for s in range(0, len(base), 50000):
                copy_rows(cur, table, base[s:s + 50000], labels[s:s + 50000], s)
        srv.conn.commit()
    finally:
        srv.conn.autocommit = True
    srv.execute("CREATE INDEX %s_label ON %s (label)" % (table, table))
    srv.execute("VACUUM (ANALYZE, FREEZE) %s" % table)
    srv.execute("COMMENT ON TABLE %s IS %%s" % table, (tag,))


def ensure_index(srv, table, index_sql, rebuild):
    """Build the vector index unless one with the same definition exists; returns build seconds."""
    name = table + "_vec"
    want = "CREATE INDEX %s ON %s %s" % (name, table, index_sql)
    have = srv.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (name,))[0][0]
    if have == want and not rebuild:
        bench.log("%s: index %s already built" % (srv.label, name))
        return None
    srv.execute("DROP INDEX IF EXISTS %s" % name)
    bench.log("%s: %s" % (srv.label, want))
    t0 = time.time()
    srv.execute(want)
    took = time.time() - t0
    srv.execute("COMMENT ON INDEX %s IS %%s" % name, (want,))
    srv.execute("ANALYZE %s" % table)
    bench.log("%s: built in %.1f s" % (srv.label, took))
    return took


def exact_filtered(metric, base, labels, queries, selectivities, k):
    """Exact top-k ids within the rows of each label, per query."""
    out = {}
    for s in selectivities:
        ids = np.nonzero(labels == s)[0]
        top = bench.exact_neighbours(metric, base[ids], queries, k)
        out[s] = np.where(top >= 0, ids[np.maximum(top, 0)], -1)
    return out


def recall(base, metric, queries, truth, results, k):
    """Mean recall@k with ties at the k-th distance counted as hits (as bench.py does)."""
    kth = bench.true_distances(metric, base, queries, truth[:, -1:])[:, 0]
    hits = []
    for i, r in enumerate(results):
        r = list(dict.fromkeys(r))[:k]
        if not r:
            hits.append(0.0)
            continue
        d = bench.true_distances(metric, base, queries[i:i + 1], np.array([r]))[0]
        tol = 1e-6 * max(1.0, abs(kth[i]))
        hits.append(min(k, int((d <= kth[i] + tol).sum())) / k)
    return float(np.mean(hits))


# The WHERE clause of each --filter kind, for a label parameter ($1 in a prepared statement).
WHERES = {
    "label": "label = %s",
    "tags": "tags && ARRAY[%s]",
    "category": "category = 'category-' || %s",
    "bare": "bare = %s",
}


def ensure_filter_column(srv, table, kind):
    """Adds the tags, category or bare column (and its GIN or btree index, none for bare) unless present."""
    if kind == "label":
        return
    have = srv.execute("SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = %s",
                       (table, kind))[0][0]
    if have:
        return
    bench.log("%s: adding column %s to %s" % (srv.label, kind, table))
    if kind == "tags":
        srv.execute("ALTER TABLE %s ADD tags int[]" % table)
        srv.execute("UPDATE %s SET tags = ARRAY[label, 1001 + id %% 4]" % table)
        srv.execute("CREATE INDEX %s_tags ON %s USING gin (tags)" % (table, table))
    elif kind == "bare":
        # (a stored generated column: the table is rewritten and its indexes rebuilt once, where
        # an UPDATE would insert every row into the vector index again)
        srv.execute("ALTER TABLE %s ADD bare int GENERATED ALWAYS AS (label) STORED" % table)
    else:
        srv.execute("ALTER TABLE %s ADD category text" % table)
        srv.execute("UPDATE %s SET category = 'category-' || label" % table)
        srv.execute("CREATE INDEX %s_category ON %s (category)" % (table, table))
    srv.execute("VACUUM (ANALYZE, FREEZE) %s" % table)


def plan_nodes(srv, table, op, k, label, qtext, where="label = %s"):
    """The plan of one query as its node names, e.g. 'Limit > Sort > Bitmap Heap Scan > ...'."""
    rows = srv.execute("EXPLAIN (COSTS OFF) SELECT id FROM %s WHERE %s ORDER BY embedding %s %%s LIMIT %d"
                       % (table, where % label, op, k), (qtext,))
    nodes = []
    for (line,) in rows:
        m = re.match(r"\s*(?:->\s*)?([A-Z][A-Za-z ]+?)(?: using (\S+)| on |  |$)", line)
        if m and not re.match(r"\s*(Order By|Filter|Sort Key|Recheck Cond|Index Cond|Rows Removed)", line):
            node = m.group(1).strip()
            if m.group(2):
                node += " (%s)" % ("vector index" if m.group(2).endswith("_vec")
                                   else "gin" if m.group(2).endswith("_tags") else "btree")
            nodes.append(node)
    return " > ".join(nodes)


def run(srv, table, op, k, label, texts, stmt="fq"):
    """Runs the queries; returns (ids per query, wall seconds)."""
    ids = []
    cur = srv.conn.cursor()
    sql = "EXECUTE %s(%d, %%s)" % (stmt, label)
    c0 = bench.backend_cpu_ns(srv)
    t0 = time.perf_counter()
    for t in texts:
        cur.execute(sql, (t,))
        ids.append([r[0] for r in cur.fetchall()])
    wall = time.perf_counter() - t0
    c1 = bench.backend_cpu_ns(srv)
    cur.close()
    srv.cpu_s = getattr(srv, "cpu_s", 0.0) + ((c1 - c0) / 1e9 if c0 is not None and c1 is not None else float("nan"))
    return ids, wall


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dsn", required=True)
    p.add_argument("--ref-dsn")
    p.add_argument("--name", default="ours")
    p.add_argument("--ref-name", default="pgvector")
    p.add_argument("--dataset", default="glove-100")
    p.add_argument("--datasets", default=bench.DEFAULT_DATASETS)
    p.add_argument("--rows", type=int, default=200000)
    p.add_argument("--metric", default="cosine", choices=sorted(bench.OPERATORS))
    p.add_argument("--selectivities", default="2,10,100,1000", help="S values: a label matches 1/S of rows")
    p.add_argument("--modes", default="off,relaxed_order", help="iterative-scan settings to run")
    p.add_argument("--index", default="USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
    p.add_argument("--filter", default="label", choices=sorted(WHERES),
                   help="the column the WHERE clause tests (see above)")
    p.add_argument("--multicolumn", action="store_true",
                   help="add label as a filter column of the vector index (hnsw, ivfflat or ivf: "
                   "(embedding ..., label)), so that the index evaluates WHERE label = S itself (issue 17); "
                   "pgvector refuses such indexes, so the reference server (--ref-dsn) keeps the one-column "
                   "--index: its best plan, measured in the same run")
    p.add_argument("--set", action="append", default=["hnsw.ef_search=40"], metavar="NAME=VALUE")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--batch", type=int, default=25, help="queries per interleaving batch")
    p.add_argument("--exact-queries", type=int, default=25, help="queries run through the exact plan per cell")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--seed", type=int, default=14)
    p.add_argument("--rebuild", action="store_true", help="rebuild the vector index even if present")
    p.add_argument("--reload", action="store_true")
    p.add_argument("--load-only", action="store_true", help="load and build, do not measure")
    p.add_argument("--out", default=bench.DEFAULT_OUT)
    p.add_argument("--tag", default="")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    ref_index = args.index
    if args.multicolumn:
        # The filter column after the vector column: "(embedding opclass)" -> "(embedding opclass, label)".
        args.index = re.sub(r"\(([^()]*)\)", r"(\1, %s)" % args.filter, args.index, count=1)
    sels = [int(x) for x in args.selectivities.split(",")]
    modes = args.modes.split(",")
    info = bench.dataset_info(args.datasets, args.dataset)
    folder = os.path.join(args.datasets, args.dataset)
    base = bench.read_vecs(os.path.join(folder, info["base"]), np.float32, args.rows)
    queries = bench.read_vecs(os.path.join(folder, info["query"]), np.float32)[:args.queries]
    labels = label_column(len(base), sels, args.seed)
    op = bench.OPERATORS[args.metric]
    table = "bench_filtered_%s_%d" % (args.dataset.replace("-", "_"), len(base))
    fingerprint = "%s rows=%d sels=%s seed=%d" % (args.dataset, len(base), args.selectivities, args.seed)
    settings = [tuple(s.split("=", 1)) for s in args.set] + [("plan_cache_mode", "force_custom_plan")]

    servers = [bench.Server(args.name, args.dsn, settings)]
    if args.ref_dsn:
        servers.append(bench.Server(args.ref_name, args.ref_dsn, settings))
    builds = {}
    for srv in servers:
        load(srv, table, base, labels, fingerprint, args.reload)
        ensure_filter_column(srv, table, args.filter)
        builds[srv.label] = ensure_index(srv, table, args.index if srv is servers[0] else ref_index, args.rebuild)
    if args.load_only:
        return 0

    bench.log("exact answers within each label (numpy)")
    truth = exact_filtered(args.metric, base, labels, queries, sels, args.k)
    texts = [bench.vector_literal(q) for q in queries]
    for srv in servers:
        srv.execute("DEALLOCATE ALL")
        where = WHERES[args.filter] % "$1"
        srv.execute("PREPARE fq(int, vector) AS SELECT id FROM %s WHERE %s ORDER BY embedding %s $2 LIMIT %d"
                    % (table, where, op, args.k))
        # The same query in a form the vector index cannot serve (the ORDER BY is an expression):
        # the exact plan the planner would pick without the vector index (btree/bitmap or seq
        # scan, then a sort), the reference point "fastest correct plan" is judged against.
        srv.execute("PREPARE fx(int, vector) AS SELECT id FROM %s WHERE %s ORDER BY (embedding %s $2) + 0 "
                    "LIMIT %d" % (table, where, op, args.k))
        if srv.prewarm:
            srv.try_execute("SELECT pg_prewarm('%s'), pg_prewarm('%s_vec'), pg_prewarm('%s_label')"
                            % (table, table, table))

    # Warm-up: every query once without a filter, then per cell below.
    for srv in servers:
        srv.execute("PREPARE warm(vector) AS SELECT id FROM %s ORDER BY embedding %s $1 LIMIT %d" % (table, op, args.k))
        with srv.conn.cursor() as cur:
            for t in texts:
                cur.execute("EXECUTE warm(%s)", (t,))
                cur.fetchall()

    results = []
    for mode in modes:
        for srv in servers:
            srv.execute("SET hnsw.iterative_scan = %s" % mode)
            srv.execute("SET ivfflat.iterative_scan = %s" % mode)
        for s in sels:
            row = {"mode": mode, "selectivity": s, "matching_rows": int((labels == s).sum())}
            warm = texts[:min(50, len(texts))]
            for srv in servers:
                run(srv, table, op, args.k, s, warm)
            walls = {srv.label: 0.0 for srv in servers}
            ids = {srv.label: [] for srv in servers}
            for srv in servers:
                srv.cpu_s = 0.0
            for bi, b0 in enumerate(range(0, len(texts), args.batch)):
                batch = texts[b0:b0 + args.batch]
                order = servers if bi % 2 == 0 else servers[::-1]
                for srv in order:
                    got, wall = run(srv, table, op, args.k, s, batch)
                    walls[srv.label] += wall
                    ids[srv.label].extend(got)
            cpu = {srv.label: srv.cpu_s for srv in servers}
            # The exact plan, on the first --exact-queries queries (it is slow at large shares).
            xtexts = texts[:args.exact_queries]
            xwalls = {srv.label: 0.0 for srv in servers}
            for srv in servers:
                run(srv, table, op, args.k, s, xtexts[:2], "fx")
            for srv in servers:
                srv.cpu_s = 0.0
            for bi, b0 in enumerate(range(0, len(xtexts), args.batch)):
                order = servers if bi % 2 == 0 else servers[::-1]
                for srv in order:
                    got, wall = run(srv, table, op, args.k, s, xtexts[b0:b0 + args.batch], "fx")
                    xwalls[srv.label] += wall
            for srv in servers:
                got = ids[srv.label]
                n = [len(r) for r in got]
                row[srv.label] = {
                    "qps": len(got) / walls[srv.label],
                    "recall": recall(base, args.metric, queries, truth[s], got, args.k),
                    "rows_mean": statistics.mean(n),
                    "short_queries": sum(1 for x in n if x < args.k),
                    "plan": plan_nodes(srv, table, op, args.k, s, texts[0], WHERES[args.filter]),
                    "exact_qps": len(xtexts) / xwalls[srv.label] if xtexts else None,
                    "cpu_ms": 1e3 * cpu[srv.label] / len(got),
                    "exact_cpu_ms": 1e3 * srv.cpu_s / len(xtexts) if xtexts else None,
                }
            bench.log("iterative=%s 1/%d: %s" % (mode, s, ", ".join(
                "%s %.0f qps recall %.3f rows %.1f" % (l, row[l]["qps"], row[l]["recall"], row[l]["rows_mean"])
                for l in (srv.label for srv in servers))))
            results.append(row)

    lines = ["# Filtered queries: %s %d rows, WHERE %s ORDER BY embedding %s q LIMIT %d"
             % (args.dataset, len(base), WHERES[args.filter] % "S", op, args.k), "",
             "Index: `%s`%s; settings: %s; %d queries per cell; %s." % (
                 args.index, "" if ref_index == args.index or len(servers) < 2
                 else " (%s: `%s`)" % (servers[1].label, ref_index), ", ".join("%s=%s" % s for s in settings), len(texts),
                 ", ".join("%s: %s" % (s.label, s.info["vector_version"]) for s in servers)), ""]
    head = "| iterative | share | rows |"
    sep = "|---|---|---|"
    for srv in servers:
        head += (" %s QPS | %s CPU ms/q | %s recall | %s rows/query | %s plan | %s exact plan: QPS | CPU ms/q |"
                 % ((srv.label,) * 6))
        sep += "---|---|---|---|---|---|---|"
    if len(servers) == 2:
        head += " QPS ratio |"
        sep += "---|"
    lines += [head, sep]
    for r in results:
        line = "| %s | 1/%d | %d |" % (r["mode"], r["selectivity"], r["matching_rows"])
        for srv in servers:
            c = r[srv.label]
            line += " %.0f | %.2f | %.3f | %.2f%s | %s | %s | %s |" % (
                c["qps"], c["cpu_ms"], c["recall"], c["rows_mean"],
                " (%d short)" % c["short_queries"] if c["short_queries"] else "", c["plan"],
                "%.0f" % c["exact_qps"] if c["exact_qps"] else "-",
                "%.2f" % c["exact_cpu_ms"] if c["exact_cpu_ms"] else "-")
        if len(servers) == 2:
            line += " %.2f |" % (r[servers[0].label]["qps"] / r[servers[1].label]["qps"])
        lines.append(line)
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    suffix = ("-" + args.tag) if args.tag else ""
    with open(os.path.join(args.out, "filtered%s.md" % suffix), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "filtered%s.json" % suffix), "w") as f:
        json.dump({"args": vars(args), "builds": builds, "servers": [s.info for s in servers],
                   "notes": [n for s in servers for n in s.notes], "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
