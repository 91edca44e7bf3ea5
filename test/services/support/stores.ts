import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDbServer } from '../../../drill/stand-ins/dynamodb-server';
import { PostgresServer } from '../../../drill/stand-ins/postgres-server';
import { type DatabaseService, migrate } from '../../../services/db/migrate';

/** A real Postgres with migrated databases, for one test file. */
export interface TestPostgres {
  readonly server: PostgresServer;
  /** Connection URL of each migrated database. */
  readonly urls: Readonly<Record<DatabaseService, string>>;
  stop(): Promise<void>;
}

/** Starts Postgres (embedded binaries) in a temporary directory and migrates the `catalog` and `orders` databases. */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'shop-test-pg-'));
  // Postgres runs as the `postgres` user when the tests run as root; it must be able to reach its data dir.
  await chmod(dir, 0o755);
  const server = await PostgresServer.create({ dataDir: path.join(dir, 'data') });
  const urls = { catalog: server.url('catalog'), orders: server.url('orders') };
  for (const db of ['catalog', 'orders'] as const) {
    await server.createDatabase(db);
    await migrate(urls[db], db);
  }
  return {
    server,
    urls,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts dynalite with the shop's tables (`carts`, `checkout`). */
export async function startDynamo(): Promise<DynamoDbServer> {
  return DynamoDbServer.start();
}
