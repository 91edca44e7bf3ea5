import { Client } from 'pg';
import { redactUrl } from './database-url';
import { ReconcileError } from './reconcile-error';

/** Which of the two compared databases. */
export type SideName = 'old' | 'new';

/** The flag each side's URL comes from, used in messages. */
export const SIDE_FLAGS: Readonly<Record<SideName, string>> = { old: '--old-url', new: '--new-url' };

const CONNECT_HINTS: Readonly<Record<SideName, string>> = {
  old: 'Check that the cluster restored from the failed primary snapshot is running and reachable from here (network path, security group), and that the URL, user and password are right.',
  new: 'Check that the promoted primary is reachable from here (network path, security group), and that the URL, user and password are right.',
};

/**
 * Session settings pinned on every connection reconcile and apply open, whatever the server, database or role
 * defaults (`ALTER DATABASE … SET`, `ALTER ROLE … SET`) or the URL's `options` say. Rows travel between the two
 * sides as text (the record literal `t::text` read on old is parsed again on new by apply), and text output and
 * input of dates, intervals, floats, money and bytea depend on these settings: a restored database with
 * `DateStyle = 'SQL, DMY'` would print 10/01/2026 for 2026-01-10 and a new primary reading it as MDY would write
 * 2026-10-01. Pinned to one value on both sides, what is read is parsed back to the same value.
 * `search_path` is `public` (pg_catalog is searched first when it is not named), so no other schema's function
 * or operator can shadow a built-in one in the queries or in the triggers apply fires.
 */
export const PINNED_SETTINGS: Readonly<Record<string, string>> = {
  DateStyle: 'ISO, YMD',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  extra_float_digits: '3',
  bytea_output: 'hex',
  lc_monetary: 'C',
  standard_conforming_strings: 'on',
  xmloption: 'content',
  search_path: 'public',
};

/** One connected side, read through a single REPEATABLE READ transaction so every query sees one snapshot. */
export interface DatabaseSide {
  readonly name: SideName;
  readonly client: Client;
  readonly url: string;
}

/** Connects to one side; a failure names the flag, the redacted URL and what to check. */
export async function connectSide(name: SideName, url: string, timeoutMs = 10_000): Promise<DatabaseSide> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'multi-region-shop-reconcile',
  });
  // An idle client whose server goes away emits 'error'; without a listener that kills the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // No client.end() here: after a failed connect its promise never settles (pg has already dropped the
    // socket), and an unsettled await with nothing else pending lets Node exit with code 0 mid-run.
    throw new ReconcileError(
      'connect',
      `cannot connect to the ${name} database (${SIDE_FLAGS[name]} ${redactUrl(url)}): ${(error as Error).message || String(error)}. ${CONNECT_HINTS[name]}`,
    );
  }
  const side = { name, client, url };
  try {
    await pinSession(side);
  } catch (error) {
    await closeSide(side);
    throw error;
  }
  return side;
}

/**
 * Sets {@link PINNED_SETTINGS} for the session and refuses a session whose `session_replication_role` is not
 * `origin` (a role or database default of `replica` would silently skip foreign keys and triggers during apply,
 * and only a superuser can change it).
 */
async function pinSession(side: DatabaseSide): Promise<void> {
  const names = Object.keys(PINNED_SETTINGS);
  const sets = names.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ');
  await side.client.query(
    `SELECT ${sets}`,
    names.flatMap((name) => [name, PINNED_SETTINGS[name]!]),
  );
  const role = await side.client.query<{ r: string }>(`SELECT current_setting('session_replication_role') AS r`);
  if (role.rows[0]!.r !== 'origin') {
    throw new ReconcileError(
      'connect',
      `the ${side.name} database (${SIDE_FLAGS[side.name]} ${redactUrl(side.url)}) starts sessions with session_replication_role = ${role.rows[0]!.r}; accepted: origin (with replica, foreign keys and triggers do not fire). Reset it for this role and database (ALTER ROLE … RESET session_replication_role; ALTER DATABASE … RESET session_replication_role) and run again.`,
    );
  }
}

/** Closes a side, ignoring errors (used in `finally`). */
export async function closeSide(side: DatabaseSide | undefined): Promise<void> {
  if (!side) return;
  await side.client.end().catch(() => undefined);
}

/**
 * Exports the snapshot of the side's open transaction so more connections can read the very same data
 * (`SET TRANSACTION SNAPSHOT`); undefined where Postgres cannot export one (a hot standby).
 */
export async function exportSnapshot(side: DatabaseSide): Promise<string | undefined> {
  await side.client.query('SAVEPOINT reconcile_export');
  try {
    const result = await side.client.query<{ s: string }>('SELECT pg_export_snapshot() AS s');
    await side.client.query('RELEASE SAVEPOINT reconcile_export');
    return result.rows[0]!.s;
  } catch {
    await side.client.query('ROLLBACK TO SAVEPOINT reconcile_export');
    return undefined;
  }
}

/** More connections to a side, each in a REPEATABLE READ transaction on the exported `snapshot`. */
export async function openSnapshotWorkers(
  side: DatabaseSide,
  snapshot: string,
  count: number,
): Promise<DatabaseSide[]> {
  const workers: DatabaseSide[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const worker = await connectSide(side.name, side.url);
      workers.push(worker);
      await worker.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await worker.client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replace(/'/g, "''")}'`);
    }
  } catch (error) {
    await Promise.all(workers.map(closeSide));
    throw error;
  }
  return workers;
}

/** `server_version_num` of a side, e.g. 160004. */
export async function readServerVersionNum(side: DatabaseSide): Promise<number> {
  const result = await side.client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
  return Number(result.rows[0]!.v);
}
