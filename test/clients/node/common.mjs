// Shared by the client tests: connection settings from the environment (scripts/test.sh sets
// PGHOST, PGPORT and PGUSER to a private server), a scratch database per test file (so the
// files can run in parallel and each starts without the extension), deterministic data and
// the exact answer a k-NN query must return.
import pg from 'pg';

export const DIM = 8;
export const ROWS = 300;

// connection(database): pg connection options for DATABASE on the test server.
export function connection(database) {
  return {
    host: process.env.PGHOST || '127.0.0.1',
    port: Number(process.env.PGPORT || 5432),
    user: process.env.PGUSER || 'postgres',
    password: process.env.PGPASSWORD || undefined,
    database,
  };
}

// adminQuery(sql): runs SQL in the maintenance database "postgres".
async function adminQuery(sql) {
  const client = new pg.Client(connection('postgres'));
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// createDatabase(name): a new empty database (dropped first if a previous run left it).
export async function createDatabase(name) {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${name}`);
  return name;
}

// dropDatabase(name): removes a database made by createDatabase.
export async function dropDatabase(name) {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

// vectors(n, dim, seed): n pseudo-random vectors with components in [-1, 1), the same on
// every run (a linear congruential generator), rounded to float32 as the server stores them.
export function vectors(n = ROWS, dim = DIM, seed = 7) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const out = [];
  for (let i = 0; i < n; i++) {
    const v = [];
    for (let j = 0; j < dim; j++) v.push(Math.fround(next() * 2 - 1));
    out.push(v);
  }
  return out;
}

const metrics = {
  l2: (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0)),
  l1: (a, b) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0),
  ip: (a, b) => -a.reduce((s, x, i) => s + x * b[i], 0),
  cosine: (a, b) => {
    const dot = a.reduce((s, x, i) => s + x * b[i], 0);
    const na = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
    const nb = Math.sqrt(b.reduce((s, x) => s + x * x, 0));
    return 1 - dot / (na * nb);
  },
};

// exactTopK(rows, query, k, metric): ids (1-based, the insertion order) of the k rows
// nearest to query by metric 'l2', 'l1', 'ip' or 'cosine', computed here in double precision.
export function exactTopK(rows, query, k, metric = 'l2') {
  const dist = metrics[metric];
  return rows
    .map((v, i) => ({ id: i + 1, d: dist(v, query) }))
    .sort((x, y) => x.d - y.d || x.id - y.id)
    .slice(0, k)
    .map((r) => r.id);
}

// QUERY: the query vector of every test (not one of the rows).
export const QUERY = vectors(1, DIM, 99)[0];

// planOf(run, sql, params): the text of EXPLAIN (COSTS OFF) of sql, run through the library's
// own raw-query function run(sql, params) -> rows; tests check it names their index.
export async function planOf(run, sql, params = []) {
  const rows = await run(`EXPLAIN (COSTS OFF) ${sql}`, params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
