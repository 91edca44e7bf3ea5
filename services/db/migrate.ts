import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { withClient } from './with-client';

/** The services that own a Postgres schema. */
export const DATABASE_SERVICES = ['catalog', 'orders'] as const;

/** See {@link DATABASE_SERVICES}. */
export type DatabaseService = (typeof DATABASE_SERVICES)[number];

/** What {@link migrate} did. */
export interface MigrationResult {
  /** Files applied by this run, in order. */
  readonly applied: readonly string[];
  /** Files that were already applied before this run. */
  readonly skipped: readonly string[];
}

/** The folder holding a service's own migration files (`NNNN_name.sql`). */
export function migrationsDir(service: DatabaseService): string {
  return path.resolve(__dirname, '..', service, 'migrations');
}

/**
 * The folder holding the migrations every database service applies (the replication heartbeat's handover and log,
 * which reconcile reads on any service's database): defined once, applied with each service's own files.
 */
export function sharedMigrationsDir(): string {
  return path.resolve(__dirname, '..', 'db', 'migrations');
}

const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.sql$/;

/**
 * A service's migrations, own and shared, in name order (the order they are applied in), each with its folder.
 * A name in both folders is refused: `schema_migrations` records migrations by name.
 */
export async function migrationFiles(service: DatabaseService): Promise<{ name: string; dir: string }[]> {
  const files = new Map<string, string>();
  for (const dir of [sharedMigrationsDir(), migrationsDir(service)]) {
    for (const name of (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f))) {
      const other = files.get(name);
      if (other !== undefined) {
        throw new Error(
          `migration ${name} is both in ${other} and in ${dir}; rename one (migrations are recorded by name)`,
        );
      }
      files.set(name, dir);
    }
  }
  return [...files].map(([name, dir]) => ({ name, dir })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

// Any constant works as long as every migrating process uses the same one: it serialises concurrent runs.
const MIGRATION_LOCK = 7_201_042;

/**
 * Brings a service's database up to date. Idempotent: each file is applied once, in its own transaction, and
 * recorded with its checksum; a file that changed after it was applied stops the run instead of being skipped.
 * Concurrent runs (two tasks starting at once) wait for each other on an advisory lock.
 */
export async function migrate(databaseUrl: string, service: DatabaseService): Promise<MigrationResult> {
  if (!(DATABASE_SERVICES as readonly string[]).includes(service)) {
    throw new Error(`service: ${JSON.stringify(service)} has no database; accepted: ${DATABASE_SERVICES.join(', ')}`);
  }
  const files = await migrationFiles(service);
  return withClient(databaseUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Map(
      (await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations')).rows.map(
        (r) => [r.name, r.checksum],
      ),
    );
    const applied: string[] = [];
    const skipped: string[] = [];
    for (const { name: file, dir } of files) {
      const sql = await readFile(path.join(dir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(file);
      if (previous !== undefined) {
        if (previous !== checksum) {
          throw new Error(
            `migration ${service}/${file} changed after it was applied (checksum ${previous.slice(0, 12)} → ${checksum.slice(0, 12)}); add a new migration file instead of editing an applied one`,
          );
        }
        skipped.push(file);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [file, checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${service}/${file} failed: ${(error as Error).message}`);
      }
      applied.push(file);
    }
    return { applied, skipped };
  });
}
