import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '../../drill/stand-ins/postgres-server';
import { startPostgres, type TestPostgres } from './support/stores';
import { waitFor } from './support/wait';

/**
 * The five services build from one Dockerfile (`services/Dockerfile`, build argument SERVICE), as
 * stacks/services/service-image.ts asks for. No Docker engine here: the build stage's RUN instructions are run as
 * the image would run them (sh, SERVICE in the environment as a build argument is), in a copy of the context with
 * the repository's node_modules standing in for `npm ci`; the bundle is then started from the runtime stage's CMD.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DOCKERFILE = readFileSync(path.join(ROOT, 'services', 'Dockerfile'), 'utf8');

/** The instructions of the Dockerfile: continuation lines joined, comment lines dropped (as Docker reads them). */
function instructions(text: string): string[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1);
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  return logical;
}

const all = instructions(DOCKERFILE);
const runtimeFrom = all.findIndex((line, i) => i > 0 && line.startsWith('FROM '));
const buildRuns = all
  .slice(0, runtimeFrom)
  .filter((line) => line.startsWith('RUN ') && !line.includes('npm ci'))
  .map((line) => line.slice(4));
const cmd = JSON.parse(all.find((line) => line.startsWith('CMD '))!.slice(4)) as string[];
const copyFromBuild = all.find((line) => line.startsWith('COPY --from=build'))!.split(/\s+/);

/** Runs the build stage for `service` in a scratch context; returns the folder the runtime stage would hold. */
function buildStage(service: string, work: string): { status: number | null; stderr: string; runtime: string } {
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'services', 'node_modules']) {
    symlinkSync(path.join(ROOT, entry), path.join(work, entry));
  }
  for (const script of buildRuns) {
    const result = spawnSync('sh', ['-ec', script], { cwd: work, env: { ...process.env, SERVICE: service } });
    if (result.status !== 0)
      return { status: result.status, stderr: `${result.error ?? ''}${result.stderr}`, runtime: '' };
  }
  // COPY --from=build /app/dist/services ./services
  return { status: 0, stderr: '', runtime: path.join(work, path.relative('/app', copyFromBuild[2]!), '..') };
}

let pg: TestPostgres;
const scratch: string[] = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'shop-dockerfile-'));
  scratch.push(dir);
  return dir;
}

describe('services/Dockerfile, the one image definition of the five services', () => {
  test('GIVEN no per-service Dockerfile THEN every service builds from services/Dockerfile', () => {
    for (const service of ['catalog', 'orders', 'carts', 'checkout', 'ui']) {
      expect(existsSync(path.join(ROOT, 'services', service, 'Dockerfile'))).toBe(false);
    }
    expect(cmd).toEqual(['node', 'services/server.js']);
  });

  test.each(['carts', 'checkout', 'ui'])(
    'GIVEN SERVICE=%s THEN the build stage bundles it behind the one entry point, without migrations',
    (service) => {
      const built = buildStage(service, scratchDir());
      expect(built).toEqual(expect.objectContaining({ status: 0 }));
      const services = path.join(built.runtime, 'services');
      expect(lstatSync(path.join(services, 'server.js')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path.join(services, 'server.js'))).toBe(`${service}/server.js`);
      expect(existsSync(path.join(services, service, 'server.js'))).toBe(true);
      expect(existsSync(path.join(services, service, 'migrations'))).toBe(false);
      expect(existsSync(path.join(services, 'db'))).toBe(false);
    },
    120_000,
  );

  test('GIVEN SERVICE=orders, started by the CMD with DB_MIGRATE_ON_START THEN it finds its own and the shared migrations through the symlinked entry point and serves', async () => {
    const built = buildStage('orders', scratchDir());
    expect(built).toEqual(expect.objectContaining({ status: 0 }));
    const services = path.join(built.runtime, 'services');
    expect(existsSync(path.join(services, 'orders', 'migrations', '0001_orders.sql'))).toBe(true);
    expect(existsSync(path.join(services, 'db', 'migrations'))).toBe(true);

    const admin = new Client({ connectionString: pg.server.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE orders_image');
    await admin.end();
    const port = await freePort();
    const child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: built.runtime,
      env: {
        PATH: process.env['PATH'],
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        REGION: 'image-test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: pg.server.url('orders_image'),
        DB_MIGRATE_ON_START: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    try {
      await waitFor(`orders from the image on ${port} (${output})`, async () => {
        const health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return health?.ok ? true : undefined;
      });
      const db = new Client({ connectionString: pg.server.url('orders_image') });
      await db.connect();
      const tables = await db.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name IN ('orders', 'replication_heartbeat_log') ORDER BY 1",
      );
      await db.end();
      expect(tables.rows.map((r) => r.table_name)).toEqual(['orders', 'replication_heartbeat_log']);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 120_000);

  test('GIVEN an unknown SERVICE THEN the build stops with the value and the accepted names', () => {
    const built = buildStage('payments', scratchDir());
    expect(built.status).toBe(2);
    expect(built.stderr).toContain('SERVICE="payments": accepted: catalog, orders, carts, checkout, ui');
  });
});
