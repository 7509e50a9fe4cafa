#!/usr/bin/python3
"""Recall / throughput benchmark of the `vector` extension, optionally against a reference server.

Loads an ANN dataset (.fvecs/.ivecs) into `bench_<dataset>`, optionally builds an index
(build time, size, peak memory of the building backend), then sweeps a GUC (hnsw.ef_search,
ivfflat.probes, ...) and measures recall@k, QPS and latency percentiles with a single client
running prepared statements. With --ref-dsn the identical workload runs on a second server,
interleaved batch by batch so that machine drift hits both alike, and ratios (ours / ref) are
reported. Outputs a markdown table, a JSON file with every raw figure and a recall-vs-QPS plot.

Uses Debian's python3 packages only (python3-psycopg2, python3-numpy, python3-matplotlib),
hence /usr/bin/python3. See test/bench/README.md.
"""

import argparse
import datetime
import hashlib
import io
import json
import os
import platform
import re
import statistics
import struct
import sys
import threading
import textwrap
import time

import numpy as np
import psycopg2

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DATASETS = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "datasets"))
DEFAULT_OUT = os.path.join(REPO_ROOT, "test", "bench", "out")

# Per dataset: file names and, per metric, the ground-truth file shipped with it.
DATASETS = {
    "glove-100": {
        "base": "glove100_base.fvecs",
        "query": "glove100_query.fvecs",
        "gt": {"cosine": "glove100_groundtruth_cosine.ivecs", "l2": "glove100_groundtruth_l2.ivecs"},
        "metric": "cosine",
    },
    "siftsmall": {
        "base": "siftsmall_base.fvecs",
        "query": "siftsmall_query.fvecs",
        "gt": {"l2": "siftsmall_groundtruth.ivecs"},
        "metric": "l2",
    },
}
OPERATORS = {"cosine": "<=>", "l2": "<->", "ip": "<#>"}
TABLE_TAG = "vector-bench v1"


def log(msg):
    """Progress output goes to stderr so stdout carries only the results."""
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


# ---------------------------------------------------------------- dataset files

def read_vecs(path, dtype, limit=None):
    """Read a .fvecs/.ivecs file (per row: int32 dim, then dim 4-byte values, little endian)."""
    raw = np.fromfile(path, dtype="<i4")
    if raw.size == 0:
        raise ValueError("%s: empty file" % path)
    dim = int(raw[0])
    if dim <= 0 or raw.size % (dim + 1) != 0:
        raise ValueError("%s: size is not a multiple of (1 + %d) int32" % (path, dim))
    rows = raw.reshape(-1, dim + 1)
    if not (rows[:, 0] == dim).all():
        raise ValueError("%s: rows of different dimensions" % path)
    if limit is not None:
        rows = rows[:limit]
    return np.ascontiguousarray(rows[:, 1:]).view(dtype)


def true_distances(metric, base, queries, ids):
    """Exact distances (float64) from each query to the base rows ids[i, :] (ids < 0 give inf)."""
    safe = np.where(ids < 0, 0, ids)
    b = base[safe].astype(np.float64)  # (nq, m, d)
    q = queries.astype(np.float64)[:, None, :]
    if metric == "l2":
        d = np.sqrt(((b - q) ** 2).sum(axis=2))
    elif metric == "ip":
        d = -(b * q).sum(axis=2)
    else:
        nb = np.linalg.norm(b, axis=2)
        nq = np.linalg.norm(q, axis=2)
        d = 1.0 - (b * q).sum(axis=2) / (nb * nq)
    return np.where(ids < 0, np.inf, d)


def exact_neighbours(metric, base, queries, k, chunk=64):
    """Exact top-k ids per query by brute force in float64 (numpy/BLAS), ties broken by id."""
    b = base.astype(np.float64)
    if metric == "cosine":
        b = b / np.linalg.norm(b, axis=1, keepdims=True)
    bsq = (b * b).sum(axis=1)
    out = np.empty((len(queries), k), dtype=np.int64)
    k_eff = min(k, len(b))
    for s in range(0, len(queries), chunk):
        q = queries[s:s + chunk].astype(np.float64)
        if metric == "cosine":
            q = q / np.linalg.norm(q, axis=1, keepdims=True)
        dots = q @ b.T
        if metric == "l2":
            dist = bsq[None, :] - 2.0 * dots  # + |q|^2, constant per row
        else:
            dist = -dots
        part = np.argpartition(dist, k_eff - 1, axis=1)[:, :k_eff]
        for i in range(len(q)):
            cand = part[i]
            order = np.lexsort((cand, dist[i, cand]))
            out[s + i, :k_eff] = cand[order]
        if k_eff < k:
            out[s:s + chunk, k_eff:] = -1
    return out


def dataset_info(datasets, name):
    """File names of a dataset: a known one, or a folder that ../shared/datasets/tools/lift.py wrote
    (NAME_base.fvecs, NAME_query.fvecs, NAME_groundtruth_<metric>.ivecs; cosine by default)."""
    if name in DATASETS:
        return DATASETS[name]
    folder = os.path.join(datasets, name)
    bases = sorted(f for f in os.listdir(folder) if f.endswith("_base.fvecs")) if os.path.isdir(folder) else []
    if len(bases) != 1:
        raise SystemExit("unknown dataset %r (known: %s, or a folder in %s with one *_base.fvecs, as "
                         "lift.py writes)" % (name, ", ".join(DATASETS), datasets))
    stem = bases[0][:-len("_base.fvecs")]
    gt = {m: "%s_groundtruth_%s.ivecs" % (stem, m) for m in ("cosine", "l2")
          if os.path.exists(os.path.join(folder, "%s_groundtruth_%s.ivecs" % (stem, m)))}
    return {"base": bases[0], "query": stem + "_query.fvecs", "gt": gt, "metric": "cosine"}


class Dataset:
    """Base vectors, queries and exact ground truth for one (dataset, rows, metric)."""

    def __init__(self, args):
        info = dataset_info(args.datasets, args.dataset)
        folder = os.path.join(args.datasets, args.dataset)
        self.name = args.dataset
        self.metric = args.metric or info["metric"]
        base_path = os.path.join(folder, info["base"])
        self.base = read_vecs(base_path, np.float32, args.rows)
        self.full_rows = os.path.getsize(base_path) // (4 * (self.base.shape[1] + 1))
        self.rows, self.dim = self.base.shape
        queries = read_vecs(os.path.join(folder, info["query"]), np.float32)
        nq = min(args.queries, len(queries))
        self.queries = queries[:nq]
        self.k = args.k
        gt_file = info["gt"].get(self.metric)
        if args.rows is None and gt_file and args.k <= 100:
            self.gt_source = gt_file
            self.gt = read_vecs(os.path.join(folder, gt_file), np.int32)[:nq, :args.k].astype(np.int64)
        else:
            why = "prefix of %d rows" % self.rows if args.rows is not None else "no shipped ground truth"
            log("computing exact %s ground truth with numpy (%s, %d queries)" % (self.metric, why, nq))
            t0 = time.time()
            self.gt = exact_neighbours(self.metric, self.base, self.queries, args.k)
            self.gt_source = "numpy exact (%s)" % why
            log("ground truth done in %.1f s" % (time.time() - t0))
        # Distance of the k-th true neighbour, for the tie-tolerant recall.
        self.kth_dist = true_distances(self.metric, self.base, self.queries, self.gt[:, -1:])[:, 0]
        h = hashlib.sha1()
        h.update(self.base.tobytes())
        self.fingerprint = "%s rows=%d dim=%d sha1=%s" % (self.name, self.rows, self.dim, h.hexdigest()[:16])
        self.query_text = [vector_literal(q) for q in self.queries]

    def recall(self, results):
        """Recall@k per query: exact id matches, and matches up to ties at the k-th distance."""
        k = self.k
        ids = np.full((len(results), k), -1, dtype=np.int64)
        for i, r in enumerate(results):
            r = list(dict.fromkeys(r))[:k]  # dedupe, keep order
            ids[i, :len(r)] = r
        ids = np.where((ids >= 0) & (ids < self.rows), ids, -1)
        exact = np.array([len(set(ids[i][ids[i] >= 0]) & set(self.gt[i])) / k for i in range(len(ids))])
        dist = true_distances(self.metric, self.base, self.queries[:len(ids)], ids)
        tol = 1e-6 * np.maximum(1.0, np.abs(self.kth_dist[:len(ids)]))
        ties = np.minimum(k, (dist <= (self.kth_dist[:len(ids)] + tol)[:, None]).sum(axis=1)) / k
        short = int(sum(1 for r in results if len(r) < k))
        return exact, ties, short


def vector_literal(v):
    """Text form of a float32 vector that parses back to the identical float32 values."""
    return "[" + ",".join("%.9g" % x for x in v.tolist()) + "]"


# ---------------------------------------------------------------- one server

class Server:
    """A connection to one PostgreSQL server, with what the harness learns about it."""

    def __init__(self, label, dsn, settings):
        self.label = label
        self.dsn = dsn
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True
        self.info = {"label": label, "dsn": dsn}
        self.notes = []
        cur = self.conn.cursor()
        for name, value in settings:
            cur.execute("SET %s = %s" % (name, pg_quote(value)))
        cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
        cur.execute("SELECT version(), (SELECT extversion FROM pg_extension WHERE extname = 'vector'), "
                    "pg_backend_pid(), current_setting('data_directory', true)")
        version, ext, pid, datadir = cur.fetchone()
        self.info.update(server_version=version, vector_version=ext, data_directory=datadir)
        for g in ("shared_buffers", "work_mem", "maintenance_work_mem", "max_parallel_maintenance_workers",
                  "max_parallel_workers_per_gather", "jit"):
            cur.execute("SELECT current_setting(%s)", (g,))
            self.info[g] = cur.fetchone()[0]
        self.pid = pid
        self.local_proc = is_local_backend(pid)
        try:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            self.prewarm = True
        except psycopg2.Error as e:
            self.prewarm = False
            self.notes.append("pg_prewarm unavailable: %s" % e.pgerror.strip() if e.pgerror else str(e))
        cur.close()

    def cursor(self):
        return self.conn.cursor()

    def execute(self, sql, params=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None

    def try_execute(self, sql):
        try:
            self.execute(sql)
            return True
        except psycopg2.Error as e:
            self.notes.append("%s: %s" % (sql, (e.pgerror or str(e)).strip()))
            return False


def pg_quote(value):
    """A SET value: numbers bare, anything else quoted."""
    try:
        float(value)
        return value
    except ValueError:
        return "'" + value.replace("'", "''") + "'"


def is_local_backend(pid):
    """True if backend pid is a postgres process on this machine (so /proc can be read)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return b"postgres" in f.read()
    except OSError:
        return False


def proc_status(pid):
    """Memory figures (kB) from /proc/<pid>/status, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            out = {}
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssShmem", "RssFile"):
                    out[key] = int(rest.split()[0])
            return out
    except OSError:
        return None


class WorkerSampler(threading.Thread):
    """Polls /proc for parallel workers of one backend and keeps each one's last VmHWM seen."""

    def __init__(self, leader_pid, interval=0.05):
        super().__init__(daemon=True)
        self.tag = ("parallel worker for PID %d" % leader_pid).encode()
        self.interval = interval
        self.stop_event = threading.Event()
        self.hwm = {}

    def run(self):
        while not self.stop_event.is_set():
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % entry, "rb") as f:
                        cmd = f.read()
                except OSError:
                    continue
                if self.tag in cmd:
                    st = proc_status(int(entry))
                    if st and "VmHWM" in st:
                        self.hwm[int(entry)] = st["VmHWM"]
            self.stop_event.wait(self.interval)

    def stop(self):
        self.stop_event.set()
        self.join()


# ---------------------------------------------------------------- load and index

def table_name(ds, column_type="vector"):
    name = "bench_" + ds.name.replace("-", "_")
    if ds.rows != ds.full_rows:
        name += "_%d" % ds.rows
    if column_type != "vector":
        name += "_" + column_type
    return name


def load_typed_table(srv, ds, args, column_type):
    """The dataset as a column of another type (halfvec), copied from the vector table."""
    base = load_table(srv, ds, args)
    table = table_name(ds, column_type)
    tag = "%s %s %s" % (TABLE_TAG, ds.fingerprint, column_type)
    row = srv.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (table,))[0][0]
    if row == tag and not args.reload and not base["loaded"]:
        log("%s: table %s already loaded, skipping load" % (srv.label, table))
        return {"table": table, "loaded": False}
    t0 = time.time()
    srv.execute("DROP TABLE IF EXISTS %s" % table)
    srv.execute("CREATE TABLE %s AS SELECT id, embedding::%s(%d) AS embedding FROM %s"
                % (table, column_type, ds.dim, base["table"]))
    srv.execute("ALTER TABLE %s ADD PRIMARY KEY (id)" % table)
    srv.execute("VACUUM (ANALYZE, FREEZE) %s" % table)
    srv.execute("COMMENT ON TABLE %s IS %%s" % table, (tag,))
    return {"table": table, "loaded": True, "load_s": time.time() - t0}


def copy_binary(cur, table, base, start, ids=None):
    """COPY rows in PostgreSQL binary format (vector: int16 dim, int16 unused, float4 BE values).
    The rows get ids start, start + 1, ..., or the given ids (one per row of base)."""
    n, d = base.shape
    rec = np.dtype([("nf", ">i2"), ("l1", ">i4"), ("id", ">i4"), ("l2", ">i4"), ("dim", ">i2"),
                    ("unused", ">i2"), ("v", ">f4", (d,))])
    arr = np.empty(n, dtype=rec)
    arr["nf"] = 2
    arr["l1"] = 4
    arr["id"] = np.arange(start, start + n) if ids is None else ids
    arr["l2"] = 4 + 4 * d
    arr["dim"] = d
    arr["unused"] = 0
    arr["v"] = base
    buf = io.BytesIO()
    buf.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
    buf.write(arr.tobytes())
    buf.write(struct.pack(">h", -1))
    buf.seek(0)
    cur.copy_expert("COPY %s (id, embedding) FROM STDIN WITH (FORMAT binary)" % table, buf)


def copy_text(cur, table, base, start):
    """COPY rows in text format, floats printed with 9 significant digits (exact for float32)."""
    d = base.shape[1]
    fmt = "%d\t[" + ",".join(["%.9g"] * d) + "]\n"
    buf = io.StringIO()
    for i, row in enumerate(base.tolist()):
        buf.write(fmt % (start + i, *row))
    buf.seek(0)
    cur.copy_expert("COPY %s (id, embedding) FROM STDIN" % table, buf)


def load_table(srv, ds, args):
    """Create and fill the table unless an identical one (same fingerprint and row count) exists."""
    table = table_name(ds)
    tag = "%s %s" % (TABLE_TAG, ds.fingerprint)
    row = srv.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (table,))[0][0]
    if row == tag and not args.reload:
        n = srv.execute("SELECT count(*) FROM %s" % table)[0][0]
        if n == ds.rows:
            log("%s: table %s already loaded (%d rows), skipping load" % (srv.label, table, n))
            return {"table": table, "loaded": False}
    log("%s: loading %d x %d into %s (%s COPY)" % (srv.label, ds.rows, ds.dim, table, args.copy))
    t0 = time.time()
    srv.execute("DROP TABLE IF EXISTS %s" % table)
    srv.execute("CREATE TABLE %s (id int, embedding vector(%d))" % (table, ds.dim))
    fmt = args.copy
    chunk = 50000
    srv.conn.autocommit = False
    try:
        with srv.conn.cursor() as cur:
            for s in range(0, ds.rows, chunk):
                part = ds.base[s:s + chunk]
                if fmt == "binary":
                    try:
                        cur.execute("SAVEPOINT bin")
                        copy_binary(cur, table, part, s)
                        cur.execute("RELEASE SAVEPOINT bin")
                        continue
                    except psycopg2.Error as e:
                        cur.execute("ROLLBACK TO SAVEPOINT bin")
                        msg = "binary COPY failed, falling back to text: %s" % (e.pgerror or e).strip()
                        log("%s: %s" % (srv.label, msg))
                        srv.notes.append(msg)
                        fmt = "text"
                copy_text(cur, table, part, s)
        srv.conn.commit()
    finally:
        srv.conn.autocommit = True
    copy_s = time.time() - t0
    srv.execute("ALTER TABLE %s ADD PRIMARY KEY (id)" % table)
    srv.execute("VACUUM (ANALYZE, FREEZE) %s" % table)
    srv.execute("COMMENT ON TABLE %s IS %%s" % table, (tag,))
    verify_sample(srv, ds, table)
    log("%s: loaded in %.1f s (COPY %.1f s)" % (srv.label, time.time() - t0, copy_s))
    return {"table": table, "loaded": True, "copy_format": fmt, "copy_s": copy_s, "load_s": time.time() - t0}


def verify_sample(srv, ds, table):
    """Read a few rows back as text and check they equal the source float32 values."""
    ids = sorted({0, ds.rows // 2, ds.rows - 1})
    for i in ids:
        text = srv.execute("SELECT embedding::text FROM %s WHERE id = %%s" % table, (i,))[0][0]
        got = np.array([float(x) for x in text.strip("[]").split(",")], dtype=np.float32)
        if got.shape != ds.base[i].shape or not np.array_equal(got, ds.base[i]):
            raise SystemExit("%s: row %d read back differs from the dataset: %s..." % (srv.label, i, text[:80]))


def drop_indexes(srv, table):
    """Drop every index of the table except its primary key."""
    rows = srv.execute("SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = %s::regclass "
                       "AND NOT i.indisprimary", (table,))
    for (name,) in rows:
        srv.execute("DROP INDEX %s" % name)


def build_index(srv, table, index_sql, reuse):
    """Build the index and measure wall time, size and peak memory of the building processes."""
    idx = table + "_idx"
    tag = "%s index: %s" % (TABLE_TAG, index_sql)
    if reuse:
        row = srv.execute("SELECT obj_description(to_regclass(%s), 'pg_class')", (idx,))[0][0]
        if row == tag:
            size = srv.execute("SELECT pg_relation_size(%s)", (idx,))[0][0]
            log("%s: reusing existing index %s (%d bytes)" % (srv.label, idx, size))
            return {"index": idx, "reused": True, "size_bytes": size}
    drop_indexes(srv, table)
    srv.try_execute("CHECKPOINT")
    pid = srv.pid
    out = {"index": idx, "reused": False, "definition": index_sql}
    before = None
    sampler = None
    if srv.local_proc:
        try:
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")  # reset the peak-RSS counter (VmHWM) to the current RSS
        except OSError as e:
            srv.notes.append("could not reset VmHWM: %s" % e)
        before = proc_status(pid)
        sampler = WorkerSampler(pid)
        sampler.start()
    log("%s: CREATE INDEX %s ON %s %s" % (srv.label, idx, table, index_sql))
    t0 = time.perf_counter()
    try:
        srv.execute("CREATE INDEX %s ON %s %s" % (idx, table, index_sql))
    finally:
        out["build_s"] = time.perf_counter() - t0
        if sampler:
            sampler.stop()
    if srv.local_proc:
        after = proc_status(pid)
        out["backend_rss_before_kb"] = before and before.get("VmRSS")
        out["backend_vmhwm_kb"] = after and after.get("VmHWM")
        out["backend_rssshmem_after_kb"] = after and after.get("RssShmem")
        out["workers_vmhwm_kb"] = sorted(sampler.hwm.values())
        out["peak_kb_total"] = (out["backend_vmhwm_kb"] or 0) + sum(sampler.hwm.values())
        out["memory_scope"] = ("backend + %d parallel worker(s)" % len(sampler.hwm)) if sampler.hwm else "backend only (no parallel worker seen)"
    else:
        out["memory_scope"] = "unavailable (server not on this machine)"
    out["size_bytes"] = srv.execute("SELECT pg_relation_size(%s)", (idx,))[0][0]
    srv.execute("COMMENT ON INDEX %s IS %%s" % idx, (tag,))
    srv.try_execute("CHECKPOINT")
    log("%s: built in %.1f s, %.1f MB" % (srv.label, out["build_s"], out["size_bytes"] / 1e6))
    return out


# ---------------------------------------------------------------- queries

def prepare(srv, table, op, k, column_type="vector"):
    srv.execute("DEALLOCATE ALL")
    srv.execute("PREPARE q(%s) AS SELECT id FROM %s ORDER BY embedding %s $1 LIMIT %d" % (column_type, table, op, k))


def explain(srv, qtext):
    """The plan of the prepared query, with the query vector shortened to '[...]'."""
    rows = srv.execute("EXPLAIN (COSTS OFF) EXECUTE q(%s)", (qtext,))
    return re.sub(r"'\[[^\]]*\]'", "'[...]'", "\n".join(r[0] for r in rows))


def backend_cpu_ns(srv):
    """CPU time (ns) the backend has run so far, from /proc/<pid>/schedstat, or None."""
    if not srv.local_proc:
        return None
    try:
        with open("/proc/%d/schedstat" % srv.pid) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def run_batch(srv, texts):
    """Run the prepared query for each text; return (ids, latency s per query, wall s, backend CPU s)."""
    cur = srv.conn.cursor()
    ids, lat = [], []
    c0 = backend_cpu_ns(srv)
    t_start = time.perf_counter()
    for t in texts:
        t0 = time.perf_counter()
        cur.execute("EXECUTE q(%s)", (t,))
        rows = cur.fetchall()
        lat.append(time.perf_counter() - t0)
        ids.append([r[0] for r in rows])
    wall = time.perf_counter() - t_start
    c1 = backend_cpu_ns(srv)
    cur.close()
    return ids, lat, wall, (None if c0 is None or c1 is None else (c1 - c0) / 1e9)


def parse_sweep(text):
    if not text:
        return None, [None]
    name, _, values = text.partition("=")
    vals = [v.strip() for v in values.split(",") if v.strip()]
    if not name.strip() or not vals:
        raise SystemExit("--sweep wants NAME=v1,v2,...")
    return name.strip(), vals


def median(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- reporting

def fmt_num(x, spec):
    return "-" if x is None else format(x, spec)


def fmt_mb(kb):
    return "-" if kb is None else "%.0f MB" % (kb / 1024.0)


def ratio(a, b):
    return None if (a is None or not b) else a / b


def hnswlib_ceiling(ds, args, sweep_name, sweep_values):
    """The in-process reference line: hnswlib over the same rows with the index's m and
    ef_construction, queries on one thread (knn_query over all queries, no per-query overhead), one
    point per ef_search value, the best of --repeat runs. Never a dependency of the extension."""
    try:
        import hnswlib
    except ImportError:
        raise SystemExit("--ceiling needs Debian's python3-hnswlib (apt-get install python3-hnswlib)")
    text = args.index or ""
    if "hnsw" not in text.lower() or (sweep_name and sweep_name != "hnsw.ef_search"):
        raise SystemExit("--ceiling compares hnsw indexes swept over hnsw.ef_search")
    m = re.search(r"\bm\s*=\s*'?(\d+)", text)
    efc = re.search(r"\bef_construction\s*=\s*'?(\d+)", text)
    m = int(m.group(1)) if m else 16
    efc = int(efc.group(1)) if efc else 64
    space = {"l2": "l2", "cosine": "cosine", "ip": "ip"}[ds.metric]
    index = hnswlib.Index(space=space, dim=ds.dim)
    index.init_index(max_elements=ds.rows, M=m, ef_construction=efc, random_seed=100)
    t0 = time.time()
    index.add_items(ds.base, np.arange(ds.rows), num_threads=os.cpu_count() or 1)
    build_s = time.time() - t0
    log("hnswlib ceiling: built in %.1f s (m=%d, ef_construction=%d, %s)" % (build_s, m, efc, space))
    queries = np.ascontiguousarray(ds.queries)
    points = []
    for v in (sweep_values if sweep_name else [None]):
        ef = int(v) if v is not None else 40
        index.set_ef(max(ef, ds.k))
        best = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            labels, _ = index.knn_query(queries, k=ds.k, num_threads=1)
            wall = time.perf_counter() - t0
            best = wall if best is None else min(best, wall)
        exact, _, _ = ds.recall([list(map(int, r)) for r in labels])
        points.append({"value": v, "recall": float(exact.mean()), "qps": len(queries) / best})
        log("hnswlib ceiling ef=%d: recall %.4f, %.0f QPS" % (ef, points[-1]["recall"], points[-1]["qps"]))
    version = getattr(hnswlib, "__version__", "")
    return {"name": ("hnswlib " + version).strip(), "m": m, "ef_construction": efc, "build_s": build_s,
            "query_threads": 1, "points": points}


def markdown(res):
    cfg = res["config"]
    servers = res["servers"]
    labels = [s["label"] for s in servers]
    two = len(labels) == 2
    L = []
    L.append("## vector bench: %s, %s, k=%d, %d queries" % (cfg["dataset"], cfg["metric"], cfg["k"], cfg["queries"]))
    L.append("")
    L.append("- rows: %d x %d (%s); ground truth: %s" % (cfg["rows"], cfg["dim"], cfg["fingerprint"], cfg["gt_source"]))
    L.append("- index: %s" % (cfg["index"] or "none (exact search)"))
    if cfg.get("ref_index"):
        L.append("- reference index: %s" % cfg["ref_index"])
    L.append("- repeats: %d (median QPS); batch %d queries, servers alternated per batch; session settings: %s"
             % (cfg["repeat"], cfg["batch"], ", ".join("%s=%s" % kv for kv in cfg["settings"]) or "-"))
    for s in servers:
        L.append("- %s: vector %s, %s; shared_buffers=%s maintenance_work_mem=%s max_parallel_maintenance_workers=%s"
                 % (s["label"], s["vector_version"], s["server_version"].split(" on ")[0], s["shared_buffers"],
                    s["maintenance_work_mem"], s["max_parallel_maintenance_workers"]))
        L.append("  - plan: `%s`" % " / ".join(x.strip() for x in s.get("plan", "").splitlines()))
    L.append("")
    if res.get("build"):
        L.append("| build | " + " | ".join(labels) + (" | ratio |" if two else " |"))
        L.append("|---|" + "---|" * len(labels) + ("---|" if two else ""))
        b = [res["build"][l] for l in labels]
        rows = [("time (s)", [x.get("build_s") for x in b], ".2f"),
                ("index size (MB)", [x.get("size_bytes") and x["size_bytes"] / 1e6 for x in b], ".1f"),
                ("peak RSS total (MB)", [x.get("peak_kb_total") and x["peak_kb_total"] / 1024.0 for x in b], ".0f"),
                ("backend VmHWM (MB)", [x.get("backend_vmhwm_kb") and x["backend_vmhwm_kb"] / 1024.0 for x in b], ".0f")]
        for name, vals, spec in rows:
            line = "| %s | " % name + " | ".join(fmt_num(v, spec) for v in vals) + " |"
            if two:
                line += " %s |" % fmt_num(ratio(vals[0], vals[1]), ".2f")
            L.append(line)
        L.append("| memory scope | " + " | ".join(x.get("memory_scope", "-") for x in b) + (" | |" if two else " |"))
        L.append("")
        L.append("Peak RSS includes the shared buffers the process touched; `backend_rss_before_kb` in the JSON is the "
                 "baseline.")
        L.append("")
    param = cfg["sweep_name"] or "setting"
    head = ["%s" % param]
    for metric in ("recall@%d" % cfg["k"], "QPS", "p50 ms", "p99 ms", "CPU ms/q"):
        for l in labels:
            head.append("%s %s" % (metric, l))
    if two:
        head += ["QPS ratio", "p50 ratio", "CPU ratio", "same ids"]
    L.append("| " + " | ".join(head) + " |")
    L.append("|" + "---|" * len(head))
    for point in res["points"]:
        per = [point["servers"][l] for l in labels]
        cells = [str(point["value"]) if point["value"] is not None else "default"]
        cells += ["%.4f" % p["recall"] + ("" if abs(p["recall_ties"] - p["recall"]) < 1e-9 else " (%.4f)" % p["recall_ties"])
                  for p in per]
        cells += [fmt_num(p["qps_median"], ".1f") for p in per]
        cells += [fmt_num(p["p50_ms"], ".3f") for p in per]
        cells += [fmt_num(p["p99_ms"], ".3f") for p in per]
        cells += [fmt_num(p["cpu_ms_per_query"], ".3f") for p in per]
        if two:
            cells.append(fmt_num(point["qps_ratio"], ".3f"))
            cells.append(fmt_num(point["p50_ratio"], ".3f"))
            cells.append(fmt_num(point["cpu_ratio"], ".3f"))
            cells.append("%.2f" % point["same_ids"])
        L.append("| " + " | ".join(cells) + " |")
    L.append("")
    L.append("Recall in parentheses: ties at the k-th distance counted as hits. QPS: median over repeats, single "
             "client, wall clock. CPU ms/q: backend CPU time per query (/proc/<pid>/schedstat), less sensitive to "
             "other load on the machine." + (" Ratios are %s / %s; same ids: share of queries whose result lists are "
                                           "identical (order included) on both servers." % (labels[0], labels[1])
                                           if two else ""))
    ceiling = res.get("ceiling")
    if ceiling:
        L.append("")
        L.append("In-process ceiling: %s, m=%d, ef_construction=%d, fp32, one query thread, no SQL (built in %.1f s "
                 "on every core):" % (ceiling["name"], ceiling["m"], ceiling["ef_construction"], ceiling["build_s"]))
        L.append("")
        L.append("| %s | recall@%d | QPS | " % (param, cfg["k"])
                 + " | ".join("%s QPS / ceiling" % l for l in labels) + " |")
        L.append("|---|---|---|" + "---|" * len(labels))
        for cp, point in zip(ceiling["points"], res["points"]):
            cells = [str(cp["value"]) if cp["value"] is not None else "default", "%.4f" % cp["recall"],
                     "%.1f" % cp["qps"]]
            cells += [fmt_num(ratio(point["servers"][l]["qps_median"], cp["qps"]), ".3f") for l in labels]
            L.append("| " + " | ".join(cells) + " |")
        L.append("")
        L.append("Compare at equal recall, not at equal settings: the ceiling's recall at one ef differs from the "
                 "servers'.")
    notes = [(s["label"], n) for s in servers for n in s.get("notes", [])] + [("", n) for n in res.get("warnings", [])]
    if notes:
        L.append("")
        L.append("Notes:")
        for label, n in notes:
            L.append("- %s%s" % (label + ": " if label else "", n))
    return "\n".join(L) + "\n"


def plot(res, path):
    try:
        import matplotlib
    except ImportError:
        print("bench: python3-matplotlib is not installed: no plot (the results are written)")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cfg = res["config"]
    fig, ax = plt.subplots(figsize=(7, 5))
    for s in res["servers"]:
        lbl = s["label"]
        xs = [p["servers"][lbl]["recall"] for p in res["points"]]
        ys = [p["servers"][lbl]["qps_median"] for p in res["points"]]
        ax.plot(xs, ys, marker="o", label="%s (vector %s)" % (lbl, s["vector_version"]))
        for p, x, y in zip(res["points"], xs, ys):
            if p["value"] is not None:
                ax.annotate(str(p["value"]), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    if res.get("ceiling"):
        c = res["ceiling"]
        ax.plot([p["recall"] for p in c["points"]], [p["qps"] for p in c["points"]], marker="x", linestyle="--",
                color="gray", label="%s in-process (fp32, 1 thread, no SQL)" % c["name"])
    ax.set_yscale("log")
    ax.set_xlabel("recall@%d" % cfg["k"])
    ax.set_ylabel("queries per second (log)")
    title = "%s %s k=%d, %s" % (cfg["dataset"], cfg["metric"], cfg["k"], cfg["index"] or "exact search")
    ax.set_title(textwrap.fill(title, 80), fontsize=9)
    if cfg["sweep_name"]:
        ax.text(0.01, 0.01, "points: %s" % cfg["sweep_name"], transform=ax.transAxes, fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--dataset", default="siftsmall", help="dataset folder name: " + ", ".join(DATASETS)
                   + ", or a folder made by ../shared/datasets/tools/lift.py (give its parent as --datasets)")
    p.add_argument("--datasets", default=DEFAULT_DATASETS, help="folder holding the dataset folders")
    p.add_argument("--rows", type=int, help="use only the first N base rows (ground truth recomputed)")
    p.add_argument("--metric", choices=sorted(OPERATORS), help="distance (default: the dataset's own)")
    p.add_argument("--dsn", required=True, help="libpq DSN of the server under test")
    p.add_argument("--ref-dsn", help="libpq DSN of a reference server, run interleaved")
    p.add_argument("--name", default="ours", help="label of --dsn")
    p.add_argument("--ref-name", default="pgvector", help="label of --ref-dsn")
    p.add_argument("--index", help='text after "CREATE INDEX ... ON table", e.g. '
                   '"USING hnsw (embedding vector_cosine_ops) WITH (m=16, ef_construction=64)"; none = exact search')
    p.add_argument("--ref-index", help="index for the reference server when it differs from --index "
                   "(for example ivfflat there, a quantized ivf here); default: --index")
    p.add_argument("--type", default="vector", choices=("vector", "halfvec"),
                   help="column type of the table under test (halfvec: the dataset cast to halfvec)")
    p.add_argument("--ref-type", default=None, choices=("vector", "halfvec"),
                   help="column type on the reference server (default: --type); with --ref-dsn equal "
                   "to --dsn this compares two types on one server")
    p.add_argument("--reuse-index", action="store_true",
                   help="keep an existing index built from the same --index text (no build figures)")
    p.add_argument("--sweep", help='GUC and values, e.g. "hnsw.ef_search=10,20,40,80,160"')
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="extra session setting on both servers (repeatable)")
    p.add_argument("--queries", type=int, help="number of queries (default 1000, 100 without --index)")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--batch", type=int, help="queries per interleaving batch (default queries/10, at most 100)")
    p.add_argument("--warmup", type=int, help="warm-up queries per server (default min(queries, 200))")
    p.add_argument("--repeat", type=int, default=1, help="run the sweep R times, report the median QPS")
    p.add_argument("--reload", action="store_true", help="reload the table even if it looks identical")
    p.add_argument("--copy", choices=("binary", "text"), default="binary", help="COPY format for the load")
    p.add_argument("--ceiling", action="store_true",
                   help="also measure the in-process fp32 ceiling: Debian's python3-hnswlib with the index's m and "
                   "ef_construction, one query thread, no SQL, at the hnsw.ef_search sweep values")
    p.add_argument("--out", default=DEFAULT_OUT, help="output folder (results.md, results.json, recall_qps.png)")
    p.add_argument("--tag", default="", help="suffix for output file names (results-TAG.md, ...)")
    args = p.parse_args(argv)
    if args.queries is None:
        args.queries = 1000 if args.index else 100
    if args.k < 1 or args.queries < 1 or args.repeat < 1:
        p.error("--k, --queries and --repeat must be positive")
    return args


def main(argv):
    args = parse_args(argv)
    # Single-client measurements: no parallel query, no JIT, unless the user overrides it. The
    # prepared query runs one generic plan (the one EXPLAIN checks): with the default plan cache
    # mode the plan would switch from custom to generic after 5 executions, and a custom plan can
    # turn into a sequential scan at large ef_search/probes (the cost estimates grow with them).
    settings = [("max_parallel_workers_per_gather", "0"), ("jit", "off"),
                ("plan_cache_mode", "force_generic_plan")]
    for s in args.set:
        name, eq, value = s.partition("=")
        if not eq:
            raise SystemExit("--set wants NAME=VALUE")
        settings = [kv for kv in settings if kv[0] != name.strip()] + [(name.strip(), value.strip())]

    ds = Dataset(args)
    nq = len(ds.queries)
    batch = args.batch or max(1, min(100, nq // 10))
    warmup = min(nq, 200) if args.warmup is None else min(nq, args.warmup)
    op = OPERATORS[ds.metric]
    sweep_name, sweep_values = parse_sweep(args.sweep)

    servers = [Server(args.name, args.dsn, settings)]
    if args.ref_dsn:
        servers.append(Server(args.ref_name, args.ref_dsn, settings))
    labels = [s.label for s in servers]
    if len(set(labels)) != len(labels):
        raise SystemExit("--name and --ref-name must differ")
    warnings = []

    types = {args.name: args.type, args.ref_name: args.ref_type or args.type}
    tables = {s.label: table_name(ds, types[s.label]) for s in servers}
    load = {}
    for s in servers:
        if types[s.label] == "vector":
            load[s.label] = load_table(s, ds, args)
        else:
            load[s.label] = load_typed_table(s, ds, args, types[s.label])
    build = {}
    for s in servers:
        table = tables[s.label]
        if args.index:
            index_sql = args.ref_index if (args.ref_index and s.label == args.ref_name) else args.index
            build[s.label] = build_index(s, table, index_sql, args.reuse_index)
        else:
            drop_indexes(s, table)
        if s.prewarm:
            s.try_execute("SELECT pg_prewarm('%s')" % table)
            if args.index:
                s.try_execute("SELECT pg_prewarm('%s_idx')" % table)
        prepare(s, table, op, args.k, types[s.label])
        s.info["plan"] = explain(s, ds.query_text[0])
        uses_index = "Index Scan" in s.info["plan"] and "_idx" in s.info["plan"]
        if bool(args.index) != uses_index:
            w = "%s: plan %s the vector index: %s" % (s.label, "does not use" if args.index else "uses",
                                                      " / ".join(s.info["plan"].splitlines()))
            log("WARNING " + w)
            warnings.append(w)

    # Warm-up at the first sweep value, interleaved.
    log("warm-up: %d queries per server" % warmup)
    for s in servers:
        if sweep_name:
            s.execute("SET %s = %s" % (sweep_name, pg_quote(sweep_values[0])))
    for start in range(0, warmup, batch):
        for s in servers:
            run_batch(s, ds.query_text[start:min(warmup, start + batch)])

    # Measured sweep: per repeat, per value, per batch, alternate which server goes first.
    raw = {v: {l: {"qps": [], "cpu_ms": [], "lat": [], "ids": None, "ids_stable": True} for l in labels} for v in sweep_values}
    turn = 0
    for r in range(args.repeat):
        for vi, v in enumerate(sweep_values):
            if sweep_name:
                for s in servers:
                    s.execute("SET %s = %s" % (sweep_name, pg_quote(v)))
            ids = {l: [] for l in labels}
            lat = {l: [] for l in labels}
            wall = {l: 0.0 for l in labels}
            cpu = {l: 0.0 for l in labels}
            for start in range(0, nq, batch):
                order = servers if turn % 2 == 0 else servers[::-1]
                turn += 1
                for s in order:
                    i, la, w, c = run_batch(s, ds.query_text[start:start + batch])
                    ids[s.label] += i
                    lat[s.label] += la
                    wall[s.label] += w
                    cpu[s.label] = None if (c is None or cpu[s.label] is None) else cpu[s.label] + c
            for s in servers:
                plan = explain(s, ds.query_text[0])
                if plan != s.info["plan"]:
                    w = "%s %s=%s: plan changed to: %s" % (s.label, sweep_name, v, " / ".join(plan.splitlines()))
                    log("WARNING " + w)
                    if w not in warnings:
                        warnings.append(w)
            for l in labels:
                entry = raw[v][l]
                entry["qps"].append(nq / wall[l])
                entry["cpu_ms"].append(None if cpu[l] is None else 1000.0 * cpu[l] / nq)
                entry["lat"].append(lat[l])
                if entry["ids"] is None:
                    entry["ids"] = ids[l]
                elif entry["ids"] != ids[l]:
                    entry["ids_stable"] = False
            log("repeat %d/%d %s: " % (r + 1, args.repeat, "%s=%s" % (sweep_name, v) if sweep_name else "exact")
                + ", ".join("%s %.1f QPS" % (l, raw[v][l]["qps"][-1]) for l in labels))

    points = []
    for v in sweep_values:
        point = {"value": v, "servers": {}}
        for l in labels:
            e = raw[v][l]
            exact, ties, short = ds.recall(e["ids"])
            lat_all = np.concatenate([np.array(x) for x in e["lat"]]) * 1000.0
            point["servers"][l] = {
                "recall": float(exact.mean()),
                "recall_ties": float(ties.mean()),
                "recall_min": float(exact.min()),
                "queries_zero_recall": int((exact == 0).sum()),
                "short_results": short,
                "results_stable_across_repeats": e["ids_stable"],
                "qps_median": median(e["qps"]),
                "qps_runs": e["qps"],
                "cpu_ms_per_query": median([x for x in e["cpu_ms"] if x is not None]),
                "cpu_ms_runs": e["cpu_ms"],
                "p50_ms": float(np.percentile(lat_all, 50)),
                "p99_ms": float(np.percentile(lat_all, 99)),
                "mean_ms": float(lat_all.mean()),
                "latency_ms_runs": [[round(x * 1000.0, 4) for x in run] for run in e["lat"]],
                "recall_per_query": [round(float(x), 4) for x in exact],
            }
            if short:
                warnings.append("%s %s=%s: %d queries returned fewer than k rows" % (l, sweep_name, v, short))
        points.append(point)
    if len(labels) == 2:
        for point in points:
            a, b = (point["servers"][l] for l in labels)
            point["qps_ratio"] = ratio(a["qps_median"], b["qps_median"])
            point["p50_ratio"] = ratio(a["p50_ms"], b["p50_ms"])
            point["cpu_ratio"] = ratio(a["cpu_ms_per_query"], b["cpu_ms_per_query"])
            ia, ib = (raw[point["value"]][l]["ids"] for l in labels)
            point["same_ids"] = sum(1 for x, y in zip(ia, ib) if x == y) / len(ia)
            point["same_id_sets"] = sum(1 for x, y in zip(ia, ib) if set(x) == set(y)) / len(ia)

    ceiling = hnswlib_ceiling(ds, args, sweep_name, sweep_values) if args.ceiling else None

    res = {
        "ceiling": ceiling,
        "created": datetime.datetime.now().isoformat(timespec="seconds"),
        "host": {"node": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "config": {
            "dataset": ds.name, "rows": ds.rows, "dim": ds.dim, "metric": ds.metric, "operator": op,
            "k": args.k, "queries": nq, "index": args.index, "ref_index": args.ref_index, "sweep_name": sweep_name,
            "sweep_values": sweep_values, "repeat": args.repeat, "batch": batch, "warmup": warmup,
            "settings": settings, "fingerprint": ds.fingerprint, "gt_source": ds.gt_source, "tables": tables,
            "argv": argv,
        },
        "servers": [dict(s.info, notes=s.notes, local_proc=s.local_proc) for s in servers],
        "load": load,
        "build": build,
        "points": points,
        "warnings": warnings,
    }
    os.makedirs(args.out, exist_ok=True)
    suffix = ("-" + args.tag) if args.tag else ""
    md = markdown(res)
    sys.stdout.write(md)
    with open(os.path.join(args.out, "results%s.md" % suffix), "w") as f:
        f.write(md)
    with open(os.path.join(args.out, "results%s.json" % suffix), "w") as f:
        json.dump(res, f, indent=1)
    plot(res, os.path.join(args.out, "recall_qps%s.png" % suffix))
    log("wrote %s/results%s.{md,json} and recall_qps%s.png" % (args.out, suffix, suffix))
    for s in servers:
        s.conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
