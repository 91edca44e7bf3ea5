import type { FastifyBaseLogger } from 'fastify';
import type { Pool, PoolClient } from 'pg';
import { withClient } from '../../services/db/with-client';
import type { DatabaseConfig } from '../../services/platform/database-config';
import { createPool } from '../../services/platform/postgres';
import { startPostgres, type TestPostgres } from './support/stores';

/** A logger that keeps its warnings (message and error), enough for the pool. */
function keptLog(): { log: FastifyBaseLogger; warnings: Array<{ message: string; error: unknown }> } {
  const warnings: Array<{ message: string; error: unknown }> = [];
  const ignore = () => undefined;
  const log = {
    level: 'info',
    warn: (fields: { err?: unknown }, message: string) => warnings.push({ message, error: fields.err }),
    info: ignore,
    error: ignore,
    debug: ignore,
    trace: ignore,
    fatal: ignore,
    silent: ignore,
    child: () => log,
  } as unknown as FastifyBaseLogger;
  return { log, warnings };
}

/** Ends `client`'s session from another connection and waits until the client has read that. */
async function endSessionOf(pg: TestPostgres, client: PoolClient): Promise<void> {
  // The socket's own 'end' (or 'close', when pg-pool destroys it first), heard first: without a listener, pg's
  // 'error' event is thrown from the listeners after it.
  const socket = (client as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
  const ended = new Promise((resolve) => {
    socket.prependOnceListener('end', resolve);
    socket.prependOnceListener('close', resolve);
  });
  await withClient(pg.urls.orders, async (admin) => {
    // With a timeout, pg_terminate_backend waits until the backend has exited (PostgreSQL 14 and later).
    const { rows } = await admin.query<{ done: boolean }>('SELECT pg_terminate_backend($1, 10000) AS done', [
      (client as unknown as { processID: number }).processID,
    ]);
    expect(rows[0]?.done).toBe(true);
  });
  await ended;
}

describe("a service's Postgres pool when the server ends a session", () => {
  let pg: TestPostgres;
  let pool: Pool | undefined;

  const config = (): DatabaseConfig => {
    const url = new URL(pg.urls.orders);
    return {
      host: url.hostname,
      port: Number(url.port),
      user: 'postgres',
      password: undefined,
      database: 'orders',
      ssl: 'disable',
      poolMax: 2,
      statementTimeoutMs: 5_000,
      queryTimeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      migrateOnStart: false,
      endpointCheckMs: 1_000,
    };
  };

  beforeAll(async () => {
    pg = await startPostgres();
  });

  afterEach(async () => {
    await pool?.end();
    pool = undefined;
  });

  afterAll(async () => {
    await pg?.stop();
  });

  test('GIVEN an idle pooled connection WHEN the server ends its session THEN the pool logs it and replaces it', async () => {
    const { log, warnings } = keptLog();
    pool = createPool(config(), 'pool-idle', log);
    const client = await pool.connect();
    client.release();
    await endSessionOf(pg, client);
    expect(warnings.map((w) => w.message)).toEqual(['idle Postgres connection failed; the pool replaces it']);
    expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });

  // pg-pool listens to 'error' only on the clients it holds idle. A client checked out (an order transaction's,
  // between two of its statements) whose session the server ends emitted 'error' with no listener: an uncaught
  // exception, which ends the service's process (in jest: "Unhandled error. (error: terminating connection due to
  // administrator command ...)").
  test('GIVEN a connection checked out as a transaction holds it WHEN the server ends its session between two statements THEN the service keeps running: the next statement fails, the failure is logged once and the connection is not reused', async () => {
    const { log, warnings } = keptLog();
    pool = createPool(config(), 'pool-checked-out', log);
    const client = await pool.connect();
    await client.query('BEGIN');
    await endSessionOf(pg, client);
    const failure = await client.query('SELECT 1').then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(/is not queryable$/);
    client.release(failure);
    expect(warnings).toEqual([
      {
        message: 'Postgres connection in use failed; its next statement fails and it is not reused',
        error: expect.objectContaining({
          code: '57P01',
          message: 'terminating connection due to administrator command',
        }),
      },
    ]);
    expect(pool.totalCount).toBe(0);
    expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });
});
