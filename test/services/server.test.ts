import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { DynamoDbServer } from '../../drill/stand-ins/dynamodb-server';
import { freePort } from '../../drill/stand-ins/postgres-server';
import { call } from './support/http';
import { startDynamo } from './support/stores';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let dynamo: DynamoDbServer;

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(async () => {
  await dynamo?.stop();
});

interface Running {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts `services/carts/server.ts` as its own process, as the container does (through tsx instead of a bundle). */
async function startCarts(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, [TSX, 'services/carts/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      REGION: 'test-1',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      CATALOG_URL: 'http://127.0.0.1:1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
}

async function waitUntilServing(running: Running): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await call(running.url, 'GET', '/health')).status === 200) return;
    } catch {
      // not listening yet
    }
    if (running.child.exitCode !== null) throw new Error(`server exited early:\n${running.output()}`);
    if (Date.now() > deadline) throw new Error(`server did not start:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('server.ts', () => {
  test('a request in flight when SIGTERM arrives completes; new connections are refused; the process exits 0', async () => {
    const server = await startCarts({ LOG_LEVEL: 'info' });
    try {
      await waitUntilServing(server);
      await call(server.url, 'POST', '/chaos/latency/1500');
      const started = Date.now();
      const inFlight = call(server.url, 'GET', '/carts/drain-customer');
      await new Promise((r) => setTimeout(r, 300));
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      await expect(call(server.url, 'GET', '/health')).rejects.toThrow();
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ customerId: 'drain-customer', items: [], total: 0 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
      expect(await server.exited).toBe(0);
      const logs = server.output();
      expect(logs).toContain('"msg":"shutting down: draining in-flight requests"');
      expect(logs).toContain('"msg":"stopped"');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  test('a drain that outlasts SHUTDOWN_TIMEOUT_MS ends the process with exit code 1', async () => {
    const server = await startCarts({ LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '300' });
    try {
      await waitUntilServing(server);
      await call(server.url, 'POST', '/chaos/latency/5000');
      const inFlight = call(server.url, 'GET', '/carts/slow-customer').catch((error: Error) => error);
      await new Promise((r) => setTimeout(r, 200));
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(1);
      expect(server.output()).toContain('shutdown did not complete in time; exiting');
      // The connection was cut: fetch fails (a TypeError from Node's realm, hence no instanceof).
      expect(await inFlight).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  test('a bad variable stops boot with a message naming it, its value and what is accepted (exit 78)', async () => {
    const server = await startCarts({ PORT: 'eighty', CARTS_TABLE: 'x' });
    expect(await server.exited).toBe(78);
    expect(server.output()).toContain(
      'carts: invalid configuration: PORT="eighty": accepted: an integer from 0 to 65535; CARTS_TABLE="x": accepted: a DynamoDB table name (3-255 letters, digits, _ . -)',
    );
  });

  test('logs are JSON lines tagged with the service and the Region', async () => {
    const server = await startCarts({ LOG_LEVEL: 'info' });
    try {
      await waitUntilServing(server);
      server.child.kill('SIGTERM');
      await server.exited;
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ service: 'carts', region: 'test-1' });
      expect(lines.some((l) => JSON.parse(l).msg.startsWith('Server listening at'))).toBe(true);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
