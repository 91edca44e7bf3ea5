import { Client } from 'pg';
import { redactUrl } from './database-url';
import { tagSide } from './postgres-error';
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
  // "When set to off, queries fail which would otherwise apply at least one policy" (PostgreSQL docs,
  // row_security): a row-level security policy on the role would otherwise hide rows silently, and a hidden lost
  // row is a report that says nothing was lost. Superusers, BYPASSRLS roles and table owners still read every row.
  row_security: 'off',
};

/**
 * How long one connection may wait for a lock and run one statement, pinned on every connection like
 * {@link PINNED_SETTINGS}. Reconcile reads the live new primary in one long snapshot transaction: without a lock
 * timeout its ACCESS SHARE lock request queues forever behind a migration's pending ACCESS EXCLUSIVE, and apply
 * waits forever on a row another transaction holds.
 */
export interface SessionLimits {
  /**
   * `lock_timeout`: "Abort any statement that waits longer than the specified amount of time while attempting to
   * acquire a lock on a table, index, row, or other database object" (PostgreSQL docs). @default 10
   */
  readonly lockTimeoutSeconds: number;
  /**
   * `statement_timeout`: "Abort any statement that takes more than the specified amount of time" (PostgreSQL
   * docs); also `idle_in_transaction_session_timeout` (twice this): "Terminate any session that has been idle
   * … within an open transaction for longer than the specified amount of time", so a reconcile that hangs or dies
   * mid-run never keeps its locks on the new primary for longer. @default 1800
   */
  readonly statementTimeoutSeconds: number;
}

/** The {@link SessionLimits} used when none are given. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = { lockTimeoutSeconds: 10, statementTimeoutSeconds: 1800 };

/** Accepted ranges of the {@link SessionLimits}, in seconds. */
export const SESSION_LIMIT_RANGES = {
  lockTimeoutSeconds: { min: 1, max: 600, flag: '--lock-timeout' },
  statementTimeoutSeconds: { min: 10, max: 86_400, flag: '--statement-timeout' },
} as const;

/** The session limits of `options`, defaults filled in. */
export function limitsOf(options: Partial<SessionLimits>): SessionLimits {
  return {
    lockTimeoutSeconds: options.lockTimeoutSeconds ?? DEFAULT_SESSION_LIMITS.lockTimeoutSeconds,
    statementTimeoutSeconds: options.statementTimeoutSeconds ?? DEFAULT_SESSION_LIMITS.statementTimeoutSeconds,
  };
}

/** Problems of `limits` (whole seconds within {@link SESSION_LIMIT_RANGES}), each naming the flag and the value. */
export function sessionLimitProblems(limits: Partial<SessionLimits>): string[] {
  const problems: string[] = [];
  for (const key of ['lockTimeoutSeconds', 'statementTimeoutSeconds'] as const) {
    const value = limits[key];
    if (value === undefined) continue;
    const { min, max, flag } = SESSION_LIMIT_RANGES[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(
        `${flag}: ${JSON.stringify(value)} is not accepted; accepted: a whole number of seconds from ${min} to ${max} (default ${DEFAULT_SESSION_LIMITS[key]})`,
      );
    }
  }
  return problems;
}

/** One connected side, read through a single REPEATABLE READ transaction so every query sees one snapshot. */
export interface DatabaseSide {
  readonly name: SideName;
  readonly client: Client;
  readonly url: string;
  /** The lock and statement timeouts of this connection (and of every worker opened from it). */
  readonly limits: SessionLimits;
}

/** Connects to one side; a failure names the flag, the redacted URL and what to check. */
export async function connectSide(
  name: SideName,
  url: string,
  timeoutMs = 10_000,
  limits: SessionLimits = DEFAULT_SESSION_LIMITS,
): Promise<DatabaseSide> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'multi-region-shop-reconcile',
  });
  // An idle client whose server goes away emits 'error'; without a listener that kills the process.
  client.on('error', () => undefined);
  tagSide(client, name);
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
  const side = { name, client, url, limits };
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
  const settings: Record<string, string> = {
    ...PINNED_SETTINGS,
    lock_timeout: `${side.limits.lockTimeoutSeconds}s`,
    statement_timeout: `${side.limits.statementTimeoutSeconds}s`,
    idle_in_transaction_session_timeout: `${2 * side.limits.statementTimeoutSeconds}s`,
  };
  const names = Object.keys(settings);
  const sets = names.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`).join(', ');
  await side.client.query(
    `SELECT ${sets}`,
    names.flatMap((name) => [name, settings[name]!]),
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
 * Begins the side's REPEATABLE READ READ ONLY transaction; with `exportIt`, exports its snapshot first thing, so more
 * connections can read the very same data (`SET TRANSACTION SNAPSHOT`). The export is the transaction's first
 * statement and is not under a savepoint: Postgres refuses it in a subtransaction ("cannot export a snapshot from a
 * subtransaction", snapmgr.c). Where the export fails, nothing has been read yet: the transaction is begun again,
 * and undefined tells the caller to read with this one connection.
 */
export async function beginSnapshot(side: DatabaseSide, exportIt: boolean): Promise<string | undefined> {
  const begin = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
  await side.client.query(begin);
  if (!exportIt) return undefined;
  try {
    const result = await side.client.query<{ s: string }>('SELECT pg_export_snapshot() AS s');
    return result.rows[0]!.s;
  } catch {
    await side.client.query('ROLLBACK');
    await side.client.query(begin);
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
      const worker = await connectSide(side.name, side.url, undefined, side.limits);
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
