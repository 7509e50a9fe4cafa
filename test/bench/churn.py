#!/usr/bin/python3
"""Churn: cycles of delete / insert with a concurrent VACUUM, ours against a reference server.

Issue 13, item 6. Loads the first --rows rows of a dataset (default GloVe-100, 100,000 rows) into
`churn_<dataset>_<rows>` (id = the row's number in the base file, autovacuum off so that the
benchmark's own VACUUM is the only one), builds a vector index (default hnsw, vector_cosine_ops,
m = 16, ef_construction = 64), then runs --cycles cycles, each:

  1. --sessions sessions delete --fraction x --rows live rows (a random choice, fixed by --seed),
     concurrently, in batches of --delete-batch ids per statement (autocommit),
  2. VACUUM of the table starts in its own session and, at the same moment, the --sessions sessions
     insert --fraction x --rows rows (binary COPY, --insert-batch rows per statement, autocommit)
     drawn from the dataset rows never in the table so far (a random choice fixed by --seed), so
     the vectors are real; the cycle ends when VACUUM and every insert are done,
  3. measurement on the settled table: recall@k at hnsw.ef_search = --ef-search over --queries
     dataset queries against exact answers computed with numpy (float64) on the current live rows;
     self-find: --self-find live rows sampled with the seed, each queried by its own vector at
     ef_search --ef-search and --self-find-ef, found if its own id (or a row at distance 0, an
     identical vector) is among the k results; index size (pg_relation_size).

Reported per cycle and server: insert rate (rows inserted / wall seconds from the start of the
inserts to the last session's end, all sessions together), VACUUM seconds (wall time of the
statement), delete seconds, index size, recall@k and self-find. After the last cycle the index is
dropped and built afresh on the final table contents and measured the same way (the "fresh"
row), for comparison with the churned index.

The servers run one after the other within each cycle (the one going first alternates), never at
the same time; all servers hold identical rows after every cycle (the script checks count and sum
of ids). Ratios are --name / --ref-name of the same run. Queries run as one generic prepared plan
with enable_seqscan = off (the check that they use the vector index is printed otherwise).

Uses bench.py's dataset reader and conventions (Debian's python3-psycopg2 and python3-numpy; see
test/bench/README.md).
"""

import argparse
import json
import os
import sys
import threading
import time

import numpy as np
import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (same folder)

OPCLASS_METRIC = {"vector_cosine_ops": "cosine", "vector_l2_ops": "l2", "vector_ip_ops": "ip"}


def connect(dsn, settings=()):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        for name, value in settings:
            cur.execute("SET %s = %s" % (name, bench.pg_quote(value)))
    return conn


def load(srv, table, base, ids, index_sql):
    """Fresh table with the rows ids (ids = row numbers of base) and the index; returns build s."""
    srv.execute("DROP TABLE IF EXISTS %s" % table)
    srv.execute("CREATE TABLE %s (id int PRIMARY KEY, embedding vector(%d)) WITH (autovacuum_enabled = false)"
                % (table, base.shape[1]))
    srv.conn.autocommit = False
    try:
        with srv.conn.cursor() as cur:
            for s in range(0, len(ids), 50000):
                chunk = ids[s:s + 50000]
                assert (np.diff(chunk) == 1).all()
                bench.copy_binary(cur, table, base[chunk], int(chunk[0]))
        srv.conn.commit()
    finally:
        srv.conn.autocommit = True
    srv.execute("VACUUM (ANALYZE) %s" % table)
    return build(srv, table, index_sql)


def build(srv, table, index_sql):
    srv.execute("DROP INDEX IF EXISTS %s_vec" % table)
    t0 = time.time()
    srv.execute("CREATE INDEX %s_vec ON %s %s" % (table, table, index_sql))
    took = time.time() - t0
    srv.execute("ANALYZE %s" % table)
    bench.log("%s: index built in %.1f s" % (srv.label, took))
    return took


def copy_ids(cur, table, base, ids):
    """Binary COPY of the rows ids (row numbers of base, any order) in one statement."""
    bench.copy_binary(cur, table, base[ids], 0, ids=ids)


def delete_worker(dsn, table, ids, batch, out, slot):
    try:
        conn = connect(dsn)
        t0 = time.time()
        with conn.cursor() as cur:
            for s in range(0, len(ids), batch):
                cur.execute("DELETE FROM %s WHERE id = ANY(%%s)" % table, ([int(x) for x in ids[s:s + batch]],))
        out[slot] = time.time() - t0
        conn.close()
    except Exception as e:  # reported by the caller
        out[slot] = e


def insert_worker(dsn, table, base, ids, batch, start, out, slot):
    try:
        conn = connect(dsn)
        start.wait()
        t0 = time.time()
        with conn.cursor() as cur:
            for s in range(0, len(ids), batch):
                copy_ids(cur, table, base, ids[s:s + batch])
        out[slot] = (t0, time.time())
        conn.close()
    except Exception as e:
        out[slot] = e


def vacuum_worker(dsn, table, start, out, slot):
    try:
        conn = connect(dsn)
        start.wait()
        t0 = time.time()
        with conn.cursor() as cur:
            cur.execute("VACUUM %s" % table)
        out[slot] = (t0, time.time())
        conn.close()
    except Exception as e:
        out[slot] = e


def raise_any(results):
    for r in results:
        if isinstance(r, Exception):
            raise r


def churn_cycle(srv, table, base, dels, ins, args):
    """One cycle on one server: deletes, then inserts while VACUUM runs. Returns the figures."""
    n = args.sessions
    out = [None] * n
    threads = [threading.Thread(target=delete_worker, args=(srv.dsn, table, dels[i::n], args.delete_batch, out, i))
               for i in range(n)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    delete_s = time.time() - t0
    raise_any(out)

    out = [None] * (n + 1)
    start = threading.Barrier(n + 1)
    threads = [threading.Thread(target=insert_worker,
                                args=(srv.dsn, table, base, ins[i::n], args.insert_batch, start, out, i))
               for i in range(n)]
    threads.append(threading.Thread(target=vacuum_worker, args=(srv.dsn, table, start, out, n)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    raise_any(out)
    ins_t0 = min(o[0] for o in out[:n])
    ins_t1 = max(o[1] for o in out[:n])
    return {"delete_s": delete_s, "insert_s": ins_t1 - ins_t0, "insert_rate": len(ins) / (ins_t1 - ins_t0),
            "vacuum_s": out[n][1] - out[n][0],
            "vacuum_ended_before_inserts": out[n][1] < ins_t1}


def knn(srv, texts, ef, k):
    """Runs the prepared query for each vector text at hnsw.ef_search = ef: [(ids, dists)]."""
    res = []
    with srv.conn.cursor() as cur:
        cur.execute("SET hnsw.ef_search = %d" % ef)
        for t in texts:
            cur.execute("EXECUTE churn_knn(%s)", (t,))
            rows = cur.fetchall()
            res.append(([r[0] for r in rows], [r[1] for r in rows]))
    return res


def check_plan(srv, text):
    plan = "\n".join(r[0] for r in srv.execute("EXPLAIN EXECUTE churn_knn(%s)", (text,)))
    if "Index Scan" not in plan:
        srv.notes.append("the query does not use the vector index:\n" + plan)
        bench.log("%s: WARNING: the query does not use the vector index:\n%s" % (srv.label, plan))


def measure(srv, table, base, live, qtexts, truth, self_ids, args):
    """recall@k, self-find at the two ef_search values, index size, row check."""
    count, idsum = srv.execute("SELECT count(*), coalesce(sum(id), 0) FROM %s" % table)[0]
    if count != len(live) or int(idsum) != int(live.sum()):
        raise SystemExit("%s: table holds %d rows (id sum %d), expected %d (%d)"
                         % (srv.label, count, idsum, len(live), int(live.sum())))
    got = knn(srv, qtexts, args.ef_search, args.k)
    hits = [len(set(g[0][:args.k]) & set(truth[i].tolist())) for i, g in enumerate(got)]
    short = sum(1 for g in got if len(g[0]) < args.k)
    r = {"recall": float(np.sum(hits)) / (args.k * len(got)), "short_queries": short,
         "index_bytes": srv.execute("SELECT pg_relation_size('%s_vec')" % table)[0][0],
         "table_bytes": srv.execute("SELECT pg_relation_size('%s')" % table)[0][0]}
    stexts = [bench.vector_literal(base[i]) for i in self_ids]
    for ef in (args.ef_search, args.self_find_ef):
        found = 0
        for i, (ids, dists) in zip(self_ids, knn(srv, stexts, ef, args.k)):
            if int(i) in ids or (dists and dists[0] <= 1e-6):
                found += 1
        r["self_find_%d" % ef] = found / len(self_ids)
    return r


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dsn", required=True)
    p.add_argument("--ref-dsn")
    p.add_argument("--name", default="ours")
    p.add_argument("--ref-name", default="pgvector")
    p.add_argument("--dataset", default="glove-100")
    p.add_argument("--datasets", default=bench.DEFAULT_DATASETS)
    p.add_argument("--rows", type=int, default=100000, help="rows in the table (deleted and inserted alike)")
    p.add_argument("--cycles", type=int, default=4)
    p.add_argument("--fraction", type=float, default=0.2, help="share of --rows deleted and inserted per cycle")
    p.add_argument("--sessions", type=int, default=2, help="concurrent sessions deleting and inserting")
    p.add_argument("--opclass", default="vector_cosine_ops", choices=sorted(OPCLASS_METRIC))
    p.add_argument("--index-options", default="m = 16, ef_construction = 64", help="the WITH (...) of hnsw")
    p.add_argument("--ef-search", type=int, default=40, help="hnsw.ef_search for recall and self-find")
    p.add_argument("--self-find-ef", type=int, default=200, help="second hnsw.ef_search for self-find")
    p.add_argument("--queries", type=int, default=1000, help="dataset queries for recall@k")
    p.add_argument("--self-find", type=int, default=500, help="live rows sampled for self-find per cycle")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--delete-batch", type=int, default=500, help="ids per DELETE statement")
    p.add_argument("--insert-batch", type=int, default=100, help="rows per COPY statement")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--no-fresh", action="store_true", help="skip the fresh build after the last cycle")
    p.add_argument("--out", default=bench.DEFAULT_OUT)
    p.add_argument("--tag", default="")
    return p.parse_args(argv)


def fmt_row(label, srv_label, c):
    return "| %s | %s | %s | %s | %s | %.1f | %.4f | %.1f%% | %.1f%% |" % (
        label, srv_label,
        "%.0f" % c["insert_rate"] if "insert_rate" in c else "-",
        "%.1f" % c["vacuum_s"] if "vacuum_s" in c else "-",
        "%.1f" % c["build_s"] if "build_s" in c else "-",
        c["index_bytes"] / 2**20, c["recall"], 100 * c["self_find_lo"], 100 * c["self_find_hi"])


def main(argv):
    args = parse_args(argv)
    metric = OPCLASS_METRIC[args.opclass]
    op = bench.OPERATORS[metric]
    info = bench.dataset_info(args.datasets, args.dataset)
    folder = os.path.join(args.datasets, args.dataset)
    per_cycle = int(round(args.fraction * args.rows))
    need = args.rows + args.cycles * per_cycle
    base = bench.read_vecs(os.path.join(folder, info["base"]), np.float32, need)
    if len(base) < need:
        raise SystemExit("%s has %d rows, %d needed (--rows + --cycles x fraction)" % (info["base"], len(base), need))
    queries = bench.read_vecs(os.path.join(folder, info["query"]), np.float32)[:args.queries]
    qtexts = [bench.vector_literal(q) for q in queries]
    table = "churn_%s_%d" % (args.dataset.replace("-", "_"), args.rows)
    index_sql = "USING hnsw (embedding %s) WITH (%s)" % (args.opclass, args.index_options)
    settings = [("max_parallel_workers_per_gather", "0"), ("jit", "off"),
                ("plan_cache_mode", "force_generic_plan"), ("enable_seqscan", "off")]

    servers = [bench.Server(args.name, args.dsn, settings)]
    if args.ref_dsn:
        servers.append(bench.Server(args.ref_name, args.ref_dsn, settings))

    # The whole schedule is fixed by the seed before anything runs.
    rng = np.random.default_rng(args.seed)
    live = np.arange(args.rows)
    unused = np.arange(args.rows, need)
    schedule = []
    for c in range(args.cycles):
        dels = rng.choice(live, per_cycle, replace=False)
        ins = rng.choice(unused, per_cycle, replace=False)
        unused = np.setdiff1d(unused, ins)
        live = np.union1d(np.setdiff1d(live, dels), ins)
        self_ids = rng.choice(live, min(args.self_find, len(live)), replace=False)
        schedule.append((dels, ins, live, self_ids))

    t_start = time.time()
    builds = {}
    for srv in servers:
        bench.log("%s: loading %d rows into %s, %s" % (srv.label, args.rows, table, index_sql))
        builds[srv.label] = load(srv, table, base, np.arange(args.rows), index_sql)
        srv.execute("DEALLOCATE ALL")
        srv.execute("PREPARE churn_knn(vector) AS SELECT id, embedding %s $1 FROM %s ORDER BY embedding %s $1 LIMIT %d"
                    % (op, table, op, args.k))
        check_plan(srv, qtexts[0])

    results = []  # (cycle label, server label, figures)

    def record(label, srv, c, live, self_ids, truth):
        m = measure(srv, table, base, live, qtexts, truth, self_ids, args)
        c.update(m)
        c["self_find_lo"] = m["self_find_%d" % args.ef_search]
        c["self_find_hi"] = m["self_find_%d" % args.self_find_ef]
        results.append((label, srv.label, c))
        bench.log("%s %s: %s" % (label, srv.label, ", ".join(
            "%s %s" % (k, ("%.4g" % v) if isinstance(v, float) else v) for k, v in c.items())))

    live0 = np.arange(args.rows)
    truth = bench.exact_neighbours(metric, base[live0], queries, args.k)
    truth = live0[truth]
    self0 = np.random.default_rng([args.seed, 0]).choice(live0, min(args.self_find, args.rows), replace=False)
    for srv in servers:
        record("start", srv, {"build_s": builds[srv.label]}, live0, self0, truth)

    for ci, (dels, ins, live, self_ids) in enumerate(schedule):
        order = servers if ci % 2 == 0 else servers[::-1]
        figures = {}
        for srv in order:
            bench.log("cycle %d %s: delete %d, insert %d with VACUUM, %d sessions"
                      % (ci + 1, srv.label, len(dels), len(ins), args.sessions))
            figures[srv.label] = churn_cycle(srv, table, base, dels, ins, args)
        t0 = time.time()
        truth = live[bench.exact_neighbours(metric, base[live], queries, args.k)]
        bench.log("exact answers on %d live rows in %.1f s" % (len(live), time.time() - t0))
        for srv in servers:
            check_plan(srv, qtexts[0])
            record("cycle %d" % (ci + 1), srv, figures[srv.label], live, self_ids, truth)

    if not args.no_fresh:
        live, self_ids = schedule[-1][2], schedule[-1][3]
        for srv in servers:
            bench.log("%s: fresh build on the final rows" % srv.label)
            srv.execute("VACUUM %s" % table)
            took = build(srv, table, index_sql)
            check_plan(srv, qtexts[0])
            record("fresh build", srv, {"build_s": took}, live, self_ids, truth)
    elapsed = time.time() - t_start

    lines = ["# Churn: %s, %d rows, %d cycles of deleting and inserting %d rows (%d sessions) with a concurrent VACUUM"
             % (args.dataset, args.rows, args.cycles, per_cycle, args.sessions), "",
             "Index `%s`; recall@%d of %d queries and self-find of %d live rows at hnsw.ef_search = %d "
             "(self-find also at %d); %s; seed %d; %.0f s in all." % (
                 index_sql, args.k, len(queries), args.self_find, args.ef_search, args.self_find_ef,
                 ", ".join("%s: vector %s" % (s.label, s.info["vector_version"]) for s in servers),
                 args.seed, elapsed), "",
             "| after | server | insert rows/s | VACUUM s | build s | index MB | recall@%d ef %d | self-find ef %d "
             "| self-find ef %d |" % (args.k, args.ef_search, args.ef_search, args.self_find_ef),
             "|---|---|---|---|---|---|---|---|---|"]
    for label, sl, c in results:
        lines.append(fmt_row(label, sl, c))
    by = {(l, s): c for l, s, c in results}
    if len(servers) == 2:
        a, b = servers[0].label, servers[1].label
        lines += ["", "| after | insert rate %s / %s | VACUUM s %s / %s | recall %s - %s |" % (a, b, a, b, a, b),
                  "|---|---|---|---|"]
        for label in dict.fromkeys(l for l, _, _ in results):
            ca, cb = by[(label, a)], by[(label, b)]
            churn = label.startswith("cycle")
            lines.append("| %s | %s | %s | %+.4f |" % (
                label, "%.2f" % (ca["insert_rate"] / cb["insert_rate"]) if churn else "-",
                "%.2f" % (ca["vacuum_s"] / cb["vacuum_s"]) if churn else "-", ca["recall"] - cb["recall"]))
    last = "cycle %d" % args.cycles
    if not args.no_fresh and args.cycles > 0:
        lines.append("")
        for srv in servers:
            ch, fr = by[(last, srv.label)], by[("fresh build", srv.label)]
            lines.append("%s after %s against a fresh build of the same rows: recall %+.4f, index size x%.2f"
                         % (srv.label, last, ch["recall"] - fr["recall"], ch["index_bytes"] / fr["index_bytes"]))
    notes = [n for s in servers for n in s.notes]
    if notes:
        lines += [""] + ["note: " + n for n in notes]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    suffix = ("-" + args.tag) if args.tag else ""
    with open(os.path.join(args.out, "churn%s.md" % suffix), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "churn%s.json" % suffix), "w") as f:
        json.dump({"args": vars(args), "servers": [s.info for s in servers], "notes": notes, "elapsed_s": elapsed,
                   "results": [{"after": l, "server": s, **c} for l, s, c in results]}, f, indent=1, default=float)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
