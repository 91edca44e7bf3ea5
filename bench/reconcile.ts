/**
 * Benchmark of the missing-transaction report (runbooks/reconcile) on a real Postgres.
 *
 *   npm run bench:reconcile -- --rows 1000000
 *
 * Builds an "old" database with n orders (1–3 items, an address and an outbox event each: about 5 n rows),
 * copies it as "new" with CREATE DATABASE ... TEMPLATE (what replicated), then applies a known set of changes:
 * lost inserts, lost updates (some committed just before the cut), lost soft deletes, conflicts, possible
 * duplicates, superseded rows, hard deletes and split-brain writes outside the window, and new orders after the
 * failover. Measures floor, reconcile, floor, reconcile (the same number of samples of each, interleaved, so that
 * neither side of the ratio gets the better luck on a noisy machine), checks that both reconciles found exactly
 * that set, and prints the time to the lost-write report and of the full verify (the better run), the floor (one
 * pass hashing every row of every table on both sides, in Postgres; the better run) and the ratio, and the peak
 * RSS of this process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { PostgresServer } from '../drill/stand-ins/postgres-server';
import { type ReconcileReport, reconcile } from '../runbooks/reconcile';
import { migrate } from '../services/db/migrate';

const TARGETS = { reportSeconds: 5, verifySeconds: 30, verifyOverFloor: 1.5, atRows: 10_000_000 };
const TABLES = ['orders', 'order_items', 'shipping_addresses', 'order_events'] as const;
type Table = (typeof TABLES)[number];

const BASE = '2025-12-01T00:00:00Z';
const CUT = '2026-01-10T12:00:00Z';
const FAILOVER_AT = '2026-01-10T12:01:00Z';
const HISTORY_US = 30 * 86_400 * 1_000_000; // the n orders are spread over 30 days before the window

interface Args {
  readonly rows: number;
  readonly dataDir: string | undefined;
  readonly keep: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  let rows: number | undefined;
  let dataDir: string | undefined;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--rows') {
      const raw = argv[++i];
      const value = Number(raw);
      if (raw === undefined || !/^\d+$/.test(raw) || value < 1000 || value > 100_000_000) {
        throw new Error(
          `--rows: ${JSON.stringify(raw)} is not accepted; accepted: a whole number of orders from 1000 to 100000000`,
        );
      }
      rows = value;
    } else if (flag === '--data-dir') {
      dataDir = argv[++i];
      if (!dataDir) throw new Error('--data-dir: a directory path is required');
    } else if (flag === '--keep') {
      keep = true;
    } else {
      throw new Error(`${JSON.stringify(flag)} is not an option; accepted: --rows <n> [--data-dir <dir>] [--keep]`);
    }
  }
  if (rows === undefined) throw new Error('--rows <n> is required (e.g. --rows 1000000)');
  return { rows, dataDir, keep };
}

/** SQL for a UUID v7-shaped id: the timestamp's milliseconds, then md5 bits of (g, k). */
function idSql(ts: string, g: string, k: number | string): string {
  const h = `md5(${g}::text || ':' || ${k}::text)`;
  return `(lpad(to_hex((extract(epoch FROM ${ts}) * 1000)::bigint), 12, '0') || '7' || substr(${h}, 1, 3) || '8' || substr(${h}, 4, 15))::uuid`;
}

/** The creation time of bulk order g. */
function tsOf(g: string, rows: number): string {
  return `('${BASE}'::timestamptz + (${g} * ${Math.floor(HISTORY_US / rows)})::bigint * interval '1 microsecond')`;
}

/** The ids of bulk order g's rows. */
const orderIdOf = (g: string, rows: number) => idSql(tsOf(g, rows), g, 0);

/** Every row written by {@link insertOrders}, by table. */
type Written = Record<Table, string[]>;

const emptyWritten = (): Written => ({ orders: [], order_items: [], shipping_addresses: [], order_events: [] });

/**
 * Inserts orders with their children from `source`, a query yielding (g, ts, customer, seed): g makes the ids
 * and the idempotency key unique, seed decides the lines (same seed = same items).
 */
async function insertOrders(client: Client, source: string, returning: boolean): Promise<Written> {
  const ret = returning ? ' RETURNING id::text AS id' : '';
  const written = emptyWritten();
  const run = async (table: Table, sql: string) => {
    const result = await client.query<{ id: string }>(sql + ret);
    if (returning) written[table] = result.rows.map((r) => r.id);
  };
  await run(
    'orders',
    `INSERT INTO orders (id, customer_id, status, total, currency, idempotency_key, created_at, updated_at, version)
     SELECT ${idSql('s.ts', 's.g', 0)}, s.customer, (ARRAY['placed','paid','shipped','cancelled'])[1 + s.g % 4],
            (10 + s.seed % 500)::numeric(12,2), 'USD', 'idem-' || lpad(s.g::text, 12, '0'), s.ts, s.ts, 1
       FROM (${source}) s`,
  );
  await run(
    'order_items',
    `INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price, created_at, updated_at, version)
     SELECT ${idSql('s.ts', 's.g', 'k')}, ${idSql('s.ts', 's.g', 0)}, md5('product-' || ((s.seed * 7 + k) % 1000))::uuid,
            'product ' || ((s.seed * 7 + k) % 1000), 1 + (s.seed + k) % 3, 9.99, s.ts, s.ts, 1
       FROM (${source}) s, generate_series(1, 1 + (s.seed % 3)::int) AS k`,
  );
  await run(
    'shipping_addresses',
    `INSERT INTO shipping_addresses (id, order_id, first_name, last_name, email, address1, city, state, zip_code, created_at, updated_at, version)
     SELECT ${idSql('s.ts', 's.g', 10)}, ${idSql('s.ts', 's.g', 0)}, 'Ada', 'Lovelace', 'ada' || s.g || '@example.com',
            s.g || ' Main St', 'Springfield', 'OR', lpad((s.g % 100000)::text, 5, '0'), s.ts, s.ts, 1
       FROM (${source}) s`,
  );
  await run(
    'order_events',
    `INSERT INTO order_events (id, order_id, type, payload, created_at, updated_at, version, published_at)
     SELECT ${idSql('s.ts', 's.g', 20)}, ${idSql('s.ts', 's.g', 0)}, 'order.placed',
            jsonb_build_object('orderId', ${idSql('s.ts', 's.g', 0)}, 'total', 10 + s.seed % 500), s.ts, s.ts, 1, s.ts
       FROM (${source}) s`,
  );
  return written;
}

/**
 * `count` bulk order numbers, evenly spread. Every set uses the same stride (the largest set's) and its own
 * offset 1–9, so no two sets share an order.
 */
function pick(rows: number, count: number, offset: number): string {
  const stride = Math.floor(rows / (Math.max(...Object.values(plan(rows))) + 1));
  if (stride <= 9 || count > Math.max(...Object.values(plan(rows))))
    throw new Error(`--rows ${rows} is too small for the change plan`);
  return `SELECT (${offset} + i * ${stride})::bigint AS g FROM generate_series(1, ${count}) AS i`;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  // A session the server ends between two queries is an 'error' event (no query to reject it to), which without a
  // listener is an uncaught exception; the next query on the client rejects instead.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  console.log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

/** Loads the n bulk orders into `url`, with indexes dropped during the load, then vacuums and analyses. */
async function loadBulk(url: string, rows: number): Promise<void> {
  const admin = await connect(url);
  const indexes = await admin.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
      WHERE schemaname = 'public' AND tablename = ANY($1) AND indexdef NOT LIKE 'CREATE UNIQUE%'`,
    [TABLES],
  );
  for (const index of indexes.rows) await admin.query(`DROP INDEX ${index.name}`);
  // Two loaders, one per core; replica mode skips the touch trigger and the foreign-key checks.
  const chunks = 2;
  const per = Math.ceil(rows / chunks);
  await timed(`insert ${rows} orders with items, addresses and events`, () =>
    Promise.all(
      Array.from({ length: chunks }, async (_, c) => {
        const client = await connect(url);
        try {
          await client.query(`SET session_replication_role = replica`);
          const from = c * per + 1;
          const to = Math.min(rows, (c + 1) * per);
          await insertOrders(
            client,
            `SELECT g, ${tsOf('g', rows)} AS ts, 'customer-' || (g % 100000) AS customer, g AS seed FROM generate_series(${from}::bigint, ${to}::bigint) AS g`,
            false,
          );
        } finally {
          await client.end();
        }
      }),
    ),
  );
  await timed('recreate indexes', async () => {
    const queue = [...indexes.rows];
    await Promise.all(
      [0, 1].map(async () => {
        const client = await connect(url);
        try {
          for (let index = queue.shift(); index; index = queue.shift()) await client.query(index.def);
        } finally {
          await client.end();
        }
      }),
    );
  });
  await timed('vacuum (freeze, analyze)', async () => {
    const queue: string[] = [...TABLES];
    await Promise.all(
      [0, 1].map(async () => {
        const client = await connect(url);
        try {
          for (let table = queue.shift(); table; table = queue.shift())
            await client.query(`VACUUM (FREEZE, ANALYZE) ${table}`);
        } finally {
          await client.end();
        }
      }),
    );
  });
  await admin.end();
}

/** Runs `work` in a transaction with shop.replay on: every row keeps the times the benchmark gives it. */
async function replay<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL shop.replay = 'on'`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } finally {
    await client.end();
  }
}

const at = (iso: string, seconds: string) => `('${iso}'::timestamptz + (${seconds}) * interval '1 second')`;

async function ids(client: Client, sql: string): Promise<string[]> {
  return (await client.query<{ id: string }>(sql)).rows.map((r) => r.id);
}

type Expected = Record<Table, Map<string, string>>;

function expect(expected: Expected, table: Table, cls: string, list: readonly string[]): void {
  for (const id of list) expected[table].set(id, cls);
}

/** Counts of each kind of change, scaled with n. */
function plan(rows: number) {
  const atLeast = (min: number, divisor: number) => Math.max(min, Math.floor(rows / divisor));
  return {
    replicatedUpdates: atLeast(10, 10_000),
    replicatedInserts: atLeast(10, 10_000),
    superseded: atLeast(5, 50_000),
    lostInserts: atLeast(10, 2_000),
    lostUpdates: atLeast(10, 2_000),
    lostSoftDeletes: atLeast(5, 10_000),
    conflicts: atLeast(5, 20_000),
    duplicates: atLeast(3, 50_000),
    hardDeletes: atLeast(3, 100_000),
    splitBrain: atLeast(3, 100_000),
    newOrders: atLeast(10, 2_000),
  };
}

/** Applies the known changes; returns what reconcile must report, per table: id → class. */
async function applyChanges(
  server: PostgresServer,
  rows: number,
): Promise<{ expected: Expected; identicalOrders: number }> {
  const oldUrl = server.url('bench_old');
  const newUrl = server.url('bench_new');
  const p = plan(rows);
  const expected: Expected = {
    orders: new Map(),
    order_items: new Map(),
    shipping_addresses: new Map(),
    order_events: new Map(),
  };
  let next = rows + 1;
  const range = (count: number) => {
    const from = next;
    next += count;
    return `generate_series(${from}::bigint, ${from + count - 1}::bigint) AS g`;
  };
  // Before the copy: changes inside the window that replicated (identical on both sides).
  await replay(oldUrl, async (c) => {
    await c.query(
      `UPDATE orders SET status = 'paid', updated_at = ${at(CUT, '-(10 + g % 280)')}, version = version + 1
         FROM (${pick(rows, p.replicatedUpdates, 1)}) AS x WHERE id = ${orderIdOf('x.g', rows)}`,
    );
    await insertOrders(
      c,
      `SELECT g, ${at(CUT, '-(10 + g % 280)')} AS ts, 'replicated-' || g AS customer, g AS seed FROM ${range(p.replicatedInserts)}`,
      false,
    );
    await c.query(
      `UPDATE orders SET status = 'paid', updated_at = ${at(CUT, '-20')}, version = version + 1
         FROM (${pick(rows, p.superseded, 2)}) AS x WHERE id = ${orderIdOf('x.g', rows)}`,
    );
    await c.query(`INSERT INTO replication_heartbeat (id, ts, region) VALUES (1, '${CUT}', 'eu-west-1')`);
  });
  await timed('CREATE DATABASE bench_new TEMPLATE bench_old', async () => {
    const admin = await connect(server.url('postgres'));
    await admin.query('CREATE DATABASE bench_new TEMPLATE bench_old STRATEGY FILE_COPY');
    await admin.end();
  });
  // On old only: what never replicated.
  const dupSeeds = `SELECT g, ${at(CUT, '12 + g % 5')} AS ts, 'dup-' || g AS customer, g AS seed FROM ${range(p.duplicates)}`;
  const dupFirst = next - p.duplicates;
  await replay(oldUrl, async (c) => {
    // Old's writer beats on (each beat logged by the heartbeat-log trigger): the first beat after the cut never
    // reached new and the next began after it committed, so nothing written after cut + 0.4 s replicated and the
    // lost inserts below (cut + 1 s and later) are lost inserts, not possibly lost.
    for (const s of ['0.2', '0.4']) await c.query(`UPDATE replication_heartbeat SET ts = ${at(CUT, s)} WHERE id = 1`);
    const lost = await insertOrders(
      c,
      `SELECT g, ${at(CUT, '1 + g % 20')} AS ts, 'lost-' || g AS customer, g AS seed FROM ${range(p.lostInserts)}`,
      true,
    );
    for (const t of TABLES) expect(expected, t, 'lost_insert', lost[t]);
    const dups = await insertOrders(c, dupSeeds, true);
    for (const t of TABLES) expect(expected, t, 'possible_duplicate', dups[t]);
    expect(
      expected,
      'orders',
      'lost_update',
      await ids(
        c,
        `UPDATE orders SET status = 'shipped', version = version + 1,
                updated_at = CASE WHEN x.g % 5 = 0 THEN ${at(CUT, '-1')} ELSE ${at(CUT, '1 + x.g % 20')} END
           FROM (${pick(rows, p.lostUpdates, 3)}) AS x WHERE id = ${orderIdOf('x.g', rows)} RETURNING id::text AS id`,
      ),
    );
    expect(
      expected,
      'orders',
      'lost_update',
      await ids(
        c,
        `UPDATE orders SET status = 'cancelled', deleted_at = ${at(CUT, '3')}, updated_at = ${at(CUT, '3')}, version = version + 1
           FROM (${pick(rows, p.lostSoftDeletes, 4)}) AS x WHERE id = ${orderIdOf('x.g', rows)} RETURNING id::text AS id`,
      ),
    );
    expect(
      expected,
      'orders',
      'conflict',
      await ids(
        c,
        `UPDATE orders SET status = 'paid', updated_at = ${at(CUT, '5')}, version = version + 1
           FROM (${pick(rows, p.conflicts, 5)}) AS x WHERE id = ${orderIdOf('x.g', rows)} RETURNING id::text AS id`,
      ),
    );
    expect(
      expected,
      'order_events',
      'unexplained',
      await ids(
        c,
        `DELETE FROM order_events USING (${pick(rows, p.hardDeletes, 6)}) AS x
          WHERE id = ${idSql(tsOf('x.g', rows), 'x.g', 20)} RETURNING id::text AS id`,
      ),
    );
    await c.query(`UPDATE replication_heartbeat SET ts = ${at(CUT, '20')} WHERE id = 1`);
  });
  // On new only, after the failover.
  await replay(newUrl, async (c) => {
    await insertOrders(
      c,
      `SELECT g, ${at(FAILOVER_AT, '1 + g % 600')} AS ts, 'new-' || g AS customer, g AS seed FROM ${range(p.newOrders)}`,
      false,
    );
    await insertOrders(
      c,
      `SELECT g, ${at(FAILOVER_AT, '30')} AS ts, 'dup-' || (g - ${next} + ${dupFirst}) AS customer, g - ${next} + ${dupFirst} AS seed FROM ${range(p.duplicates)}`,
      false,
    );
    await c.query(
      `UPDATE orders SET status = 'cancelled', updated_at = ${at(FAILOVER_AT, '30')}, version = version + 1
         FROM (${pick(rows, p.conflicts, 5)}) AS x WHERE id = ${orderIdOf('x.g', rows)}`,
    );
    const superseded = await ids(
      c,
      `UPDATE orders SET status = 'shipped', updated_at = ${at(FAILOVER_AT, '40')}, version = version + 1
         FROM (${pick(rows, p.superseded, 2)}) AS x WHERE id = ${orderIdOf('x.g', rows)} RETURNING id::text AS id`,
    );
    // Paid in the margin and replicated, shipped on new: superseded needs old's commit time before the cut as
    // evidence (a version can be reset by a delete and re-insert); without track_commit_timestamp it is a conflict.
    expect(expected, 'orders', 'conflict', superseded);
    // Split brain: changed without touching updated_at/version (replay mode), outside the window.
    expect(
      expected,
      'shipping_addresses',
      'unexplained',
      await ids(
        c,
        `UPDATE shipping_addresses SET city = 'Split Brain' FROM (${pick(rows, p.splitBrain, 7)}) AS x
          WHERE id = ${idSql(tsOf('x.g', rows), 'x.g', 10)} RETURNING id::text AS id`,
      ),
    );
  });
  return { expected, identicalOrders: p.replicatedUpdates + p.replicatedInserts };
}

/**
 * The floor: one pass hashing every row of every table on both sides and nothing else (no buckets, no
 * exclusions, no drill-down): one statement per side, run by Postgres' parallel query like verify's aggregates.
 * Sides in parallel, tables one after the other.
 */
async function floor(server: PostgresServer): Promise<number> {
  const sides = await Promise.all([connect(server.url('bench_old')), connect(server.url('bench_new'))]);
  const t0 = performance.now();
  for (const table of TABLES) {
    await Promise.all(
      sides.map((c) => c.query(`SELECT count(*), sum(hash_record_extended(t.*, 0)) FROM public.${table} AS t`)),
    );
  }
  const ms = performance.now() - t0;
  await Promise.all(sides.map((c) => c.end()));
  return ms;
}

/**
 * CPU milliseconds Postgres has used so far: the postmaster's own and reaped children's time (parallel workers
 * and closed connections end up there) plus every live child's. On a shared machine the wall time measures the
 * neighbours too; the CPU time of the work does not.
 */
function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const fields = (pid: number | string) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const tick = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  const own = fields(postmaster);
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const f = fields(entry);
      if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // the process ended while we looked
    }
  }
  return ticks * tick;
}

function compare(report: ReconcileReport, expected: Expected): string[] {
  const problems: string[] = [];
  for (const table of TABLES) {
    const got = new Map(report.tables[table]!.rows.map((r) => [r.id, r.class as string]));
    for (const [id, cls] of expected[table]) {
      if (got.get(id) !== cls) problems.push(`${table} ${id}: expected ${cls}, got ${got.get(id) ?? 'nothing'}`);
    }
    for (const [id, cls] of got) {
      if (!expected[table].has(id)) problems.push(`${table} ${id}: reported as ${cls}, expected nothing`);
    }
  }
  return problems;
}

/** One measured reconcile: its report, and the CPU Postgres and this process spent on it. */
interface ReconcileRun {
  readonly report: ReconcileReport;
  readonly postgresCpuMs: number;
  readonly nodeCpu: NodeJS.CpuUsage;
}

/** The verify time of a report: the sum of its `verify:*` steps. */
function verifyMsOf(report: ReconcileReport): number {
  return report.timings.filter((t) => t.step.startsWith('verify:')).reduce((s, t) => s + t.ms, 0);
}

/** Runs reconcile on bench_old/bench_new with the defaults, printing its progress; the report folder is removed. */
async function measureReconcile(server: PostgresServer, dataDir: string): Promise<ReconcileRun> {
  const cpuBefore = postgresCpuMs(dataDir);
  const nodeCpu0 = process.cpuUsage();
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bench-reconcile-report-'));
  try {
    const report = await reconcile({
      oldUrl: server.url('bench_old'),
      newUrl: server.url('bench_new'),
      failoverAt: new Date(FAILOVER_AT),
      outDir,
      onProgress: (e) => {
        if (e.phase !== 'start')
          console.log(
            `    ${(e.elapsedMs / 1000).toFixed(2)} s ${e.step} ${e.phase}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}`,
          );
      },
    });
    return { report, nodeCpu: process.cpuUsage(nodeCpu0), postgresCpuMs: postgresCpuMs(dataDir) - cpuBefore };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(
    `reconcile benchmark: ${args.rows} orders; node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
  );
  const root = args.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'bench-reconcile-')));
  const server = await PostgresServer.create({
    dataDir: path.join(root, 'data'),
    settings: {
      shared_buffers: '2GB',
      maintenance_work_mem: '1GB',
      work_mem: '64MB',
      max_wal_size: '32GB',
      checkpoint_timeout: '1h',
      synchronous_commit: 'off',
      autovacuum: 'off',
      wal_level: 'minimal',
      max_wal_senders: 0,
    },
  });
  try {
    console.log('building the dataset');
    await server.createDatabase('bench_old');
    await migrate(server.url('bench_old'), 'orders');
    await loadBulk(server.url('bench_old'), args.rows);
    const { expected, identicalOrders } = await applyChanges(server, args.rows);
    const expectedRows = TABLES.reduce((n, t) => n + expected[t].size, 0);
    console.log(`  known changes: ${expectedRows} rows to report`);

    console.log('measuring: floor, reconcile, floor, reconcile (each figure is the better of its two runs)');
    const dataDir = path.join(root, 'data');
    const floorRuns: Array<{ ms: number; cpuMs: number }> = [];
    const runs: ReconcileRun[] = [];
    for (let round = 1; round <= 2; round++) {
      const cpuBefore = postgresCpuMs(dataDir);
      const ms = await floor(server);
      floorRuns.push({ ms, cpuMs: postgresCpuMs(dataDir) - cpuBefore });
      console.log(`  floor ${round}: ${(ms / 1000).toFixed(2)} s`);
      console.log(`  reconcile ${round}:`);
      runs.push(await measureReconcile(server, dataDir));
    }
    const problems: string[] = [];
    for (const [i, run] of runs.entries()) {
      const { report } = run;
      if (report.status !== 'complete')
        throw new Error(`reconcile ${i + 1} failed at ${report.error?.step}: ${report.error?.message}`);
      problems.push(...compare(report, expected).map((p) => `run ${i + 1}: ${p}`));
      if (report.tables.orders!.counts.identical !== identicalOrders) {
        problems.push(
          `run ${i + 1}: orders identical: expected ${identicalOrders}, got ${report.tables.orders!.counts.identical}`,
        );
      }
    }
    const best = runs.reduce((a, b) => (verifyMsOf(b.report) < verifyMsOf(a.report) ? b : a));
    const report = best.report;
    const nodeCpu = best.nodeCpu;
    const reconcileCpu = Math.min(...runs.map((r) => r.postgresCpuMs));
    const floorCpu = Math.min(...floorRuns.map((f) => f.cpuMs));
    const floor1 = floorRuns[0]!.ms;
    const floor2 = floorRuns[1]!.ms;
    const verifyMs = verifyMsOf(report);
    const floorMs = Math.min(floor1, floor2);
    const rowsPerSide = TABLES.reduce((n, t) => n + (report.tables[t]!.verify?.oldRows ?? 0), 0);
    const reportSeconds = Math.min(...runs.map((r) => r.report.lostWriteReportMs!)) / 1000;
    const verifySeconds = verifyMs / 1000;
    const ratio = verifyMs / floorMs;
    console.log('results');
    console.log(
      `  exact set found: ${problems.length === 0 ? 'yes' : 'NO'} (${expectedRows} rows in ${Object.keys(report.tables).length} tables)`,
    );
    for (const p of problems.slice(0, 20)) console.log(`    ${p}`);
    console.log(`  rows compared by verify: ${rowsPerSide} per side`);
    for (const t of TABLES) console.log(`    ${t}: ${JSON.stringify(report.tables[t]!.verify)}`);
    const seconds = (ms: number) => (ms / 1000).toFixed(2);
    console.log(
      `  time to the lost-write report: ${reportSeconds.toFixed(2)} s (runs: ${runs.map((r) => seconds(r.report.lostWriteReportMs!)).join(', ')})`,
    );
    console.log(
      `  full verify: ${verifySeconds.toFixed(2)} s (runs: ${runs.map((r) => seconds(verifyMsOf(r.report))).join(', ')})`,
    );
    console.log(
      `  floor (hash every row on both sides once): ${seconds(floorMs)} s (runs: ${seconds(floor1)}, ${seconds(floor2)})`,
    );
    console.log(`  verify / floor: ${ratio.toFixed(2)}`);
    console.log(
      `  CPU time (load-independent): Postgres ${(reconcileCpu / 1000).toFixed(1)} s for reconcile + ${((nodeCpu.user + nodeCpu.system) / 1e6).toFixed(1)} s in this process, floor ${(floorCpu / 1000).toFixed(1)} s (passes: ${floorRuns.map((f) => (f.cpuMs / 1000).toFixed(1)).join(', ')}; reconcile: ${runs.map((r) => (r.postgresCpuMs / 1000).toFixed(1)).join(', ')}); reconcile / floor: ${(reconcileCpu / floorCpu).toFixed(2)}`,
    );
    console.log(
      `  load average during the run: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (1, 5, 15 min)`,
    );
    console.log(`  reconcile total: ${(report.totalMs! / 1000).toFixed(2)} s`);
    console.log(`  peak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
    if (args.rows >= TARGETS.atRows) {
      const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES');
      console.log(
        `  targets at ${TARGETS.atRows}: report ≤ ${TARGETS.reportSeconds} s ${verdict(reportSeconds <= TARGETS.reportSeconds)}; verify ≤ ${TARGETS.verifySeconds} s ${verdict(verifySeconds <= TARGETS.verifySeconds)}; verify ≤ ${TARGETS.verifyOverFloor} × floor ${verdict(ratio <= TARGETS.verifyOverFloor)}`,
      );
    }
    console.log(
      `JSON ${JSON.stringify({ rows: args.rows, exact: problems.length === 0, reportSeconds, verifySeconds, floorSeconds: floorMs / 1000, ratio, reconcilePostgresCpuSeconds: reconcileCpu / 1000, floorCpuSeconds: floorCpu / 1000, nodeCpuSeconds: (nodeCpu.user + nodeCpu.system) / 1e6, loadAverage: os.loadavg(), rowsPerSide, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}`,
    );
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await server.stop();
    if (!args.keep && !args.dataDir) await rm(root, { recursive: true, force: true });
    else console.log(`data kept in ${root}`);
  }
}

main().catch((error: Error) => {
  console.error(`bench:reconcile: ${error.message}`);
  process.exitCode = 1;
});
