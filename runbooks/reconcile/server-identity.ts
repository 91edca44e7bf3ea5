import type { DatabaseSide } from './database-side';
import { ReconcileError } from './reconcile-error';

/**
 * What a database says about itself, independent of how its URL is spelled (host alias, 127.0.0.1 or localhost,
 * query parameters, user). Recorded in the report for both sides; apply checks its target against the new side's.
 */
export interface ServerIdentity {
  /**
   * `pg_control_system().system_identifier`, chosen by initdb and kept by every physical copy: a streaming
   * standby, a promoted standby and a server restored from a copy of the data directory share it ("The server
   * identifier remains the same if the server is backed up, cloned"). Null where the function is not available.
   * Whether an Aurora cluster restored from a snapshot keeps or changes it is unverified (no AWS document states it).
   */
  readonly systemIdentifier: string | null;
  /**
   * The timeline the server writes on (`pg_walfile_name(pg_current_wal_lsn())` on a writer, the last checkpoint's
   * `timeline_id` on a standby). A promotion starts a new timeline, so the promoted new primary is on a later
   * timeline than the failed primary and any copy of it restored without archive recovery. Null where unavailable.
   */
  readonly timelineId: number | null;
  /** `pg_is_in_recovery()`: a standby (not promoted). */
  readonly inRecovery: boolean;
  /** `current_database()`, as the server names it. */
  readonly database: string;
  /** The oid of that database in `pg_database`: distinct for two databases of one server. */
  readonly databaseOid: number;
  /** `pg_postmaster_start_time()`, µs ISO: two servers of one lineage started at the same microsecond are not seen. */
  readonly postmasterStartTime: string;
  /**
   * `host(inet_server_addr()):inet_server_port()`, the address and port the server took this connection on; null
   * over a Unix socket. With the start time, the only facts a physical copy of the server (a clone of its data
   * directory, started elsewhere or later) does not share: its system identifier, timeline and database oids are
   * the original's. Absent in reports written before it was recorded.
   */
  readonly serverAddress?: string | null;
  /** This connection's backend pid and start: looked up in the other side's pg_stat_activity. */
  readonly backendPid: number;
  readonly backendStart: string;
}

async function optional<T>(side: DatabaseSide, sql: string): Promise<T | null> {
  await side.client.query('SAVEPOINT reconcile_identity');
  try {
    const result = await side.client.query<{ v: T }>(sql);
    await side.client.query('RELEASE SAVEPOINT reconcile_identity');
    return result.rows[0]?.v ?? null;
  } catch {
    await side.client.query('ROLLBACK TO SAVEPOINT reconcile_identity');
    return null;
  }
}

/** Reads the {@link ServerIdentity} of a connected side (runs inside a transaction of its own). */
export async function readServerIdentity(side: DatabaseSide): Promise<ServerIdentity> {
  await side.client.query('BEGIN');
  try {
    const base = await side.client.query<{
      in_recovery: boolean;
      database: string;
      oid: string;
      started: string;
      pid: number;
      backend_start: string;
      address: string | null;
    }>(
      `SELECT pg_is_in_recovery() AS in_recovery, current_database()::text AS database,
              (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS oid,
              to_char(pg_postmaster_start_time() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS started,
              pg_backend_pid() AS pid,
              host(inet_server_addr()) || ':' || inet_server_port()::text AS address,
              (SELECT to_char(backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                 FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS backend_start`,
    );
    const row = base.rows[0]!;
    const systemIdentifier = await optional<string>(
      side,
      'SELECT system_identifier::text AS v FROM pg_control_system()',
    );
    const walTimeline = row.in_recovery
      ? null
      : await optional<string>(side, 'SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) AS v');
    const checkpointTimeline = await optional<number>(side, 'SELECT timeline_id AS v FROM pg_control_checkpoint()');
    await side.client.query('COMMIT');
    return {
      systemIdentifier,
      timelineId: walTimeline !== null ? Number.parseInt(walTimeline, 16) : checkpointTimeline,
      inRecovery: row.in_recovery,
      database: row.database,
      databaseOid: Number(row.oid),
      postmasterStartTime: row.started,
      serverAddress: row.address,
      backendPid: row.pid,
      backendStart: row.backend_start,
    };
  } catch (error) {
    await side.client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Whether `other`'s server runs the backend of `identity`'s connection: the two connections reach one server. */
async function sameServer(
  identity: ServerIdentity,
  other: DatabaseSide,
  otherIdentity: ServerIdentity,
): Promise<boolean> {
  const seen = await other.client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE pid = $1 AND to_char(backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') = $2`,
    [identity.backendPid, identity.backendStart],
  );
  if (seen.rows[0]!.n > 0) return true;
  return (
    identity.systemIdentifier !== null &&
    identity.systemIdentifier === otherIdentity.systemIdentifier &&
    identity.timelineId === otherIdentity.timelineId &&
    identity.postmasterStartTime === otherIdentity.postmasterStartTime
  );
}

function describe(identity: ServerIdentity): string {
  return `database ${JSON.stringify(identity.database)} (oid ${identity.databaseOid}), system identifier ${identity.systemIdentifier ?? 'unknown'}, timeline ${identity.timelineId ?? 'unknown'}${identity.inRecovery ? ', in recovery' : ''}`;
}

/**
 * Refuses a side that is a replica (`pg_is_in_recovery()`): neither the restored snapshot nor the promoted primary
 * is one, and a replica of either shows the other side's data (nothing looks lost). Then refuses two URLs that
 * reach the same database (whatever their spelling), and an old side on a later timeline
 * than the new side of the same system (the promoted primary is always on the later timeline: the two are
 * swapped). Runs before anything is compared, whichever way the cut is obtained. The timeline rule rests on
 * Postgres' physical replication; whether an Aurora restore or global failover keeps it is unverified, so it is
 * not applied when the new side holds the promotion in its data (`newHoldsPromotion`: the new writer's handover),
 * which is evidence the application itself wrote on the promoted primary.
 */
export async function checkDistinctSides(
  current: DatabaseSide,
  identities: { readonly old: ServerIdentity; readonly new: ServerIdentity },
  newHoldsPromotion = false,
): Promise<void> {
  const [a, b] = [identities.old, identities.new];
  const replicas = [
    a.inRecovery
      ? `--old-url reaches a replica: pg_is_in_recovery() is true on the old side (${describe(a)}). A replica follows another primary, so it is not the failed primary's last state (after an unplanned failover the failed Region's cluster rejoins as a secondary of the new primary, and then shows the new primary's data: nothing would look lost). Pass as --old-url the writer (cluster) endpoint of the cluster restored from the old primary's snapshot (rds:unplanned-global-failover-...).`
      : undefined,
    b.inRecovery
      ? `--new-url reaches a replica: pg_is_in_recovery() is true on the new side (${describe(b)}). A reader or standby is not the promoted primary (a reader of the restored snapshot would show the lost writes as replicated). Pass as --new-url the writer (cluster) endpoint of the promoted new primary.`
      : undefined,
  ].filter((m): m is string => m !== undefined);
  if (replicas.length > 0) throw new ReconcileError('sides', replicas.join(' '));
  if (a.databaseOid === b.databaseOid && (await sameServer(a, current, b))) {
    throw new ReconcileError(
      'sides',
      `--old-url and --new-url reach the same database (${describe(a)}; the old side's connection is a backend of the new side's server): a database compared with itself shows nothing lost. --old-url must be the cluster restored from the failed primary's snapshot, --new-url the promoted new primary.`,
    );
  }
  if (
    !newHoldsPromotion &&
    a.systemIdentifier !== null &&
    a.systemIdentifier === b.systemIdentifier &&
    a.timelineId !== null &&
    b.timelineId !== null &&
    a.timelineId > b.timelineId
  ) {
    throw new ReconcileError(
      'sides',
      `--old-url and --new-url look swapped: both are copies of one system (identifier ${a.systemIdentifier}) and the old side is on timeline ${a.timelineId}, later than the new side's ${b.timelineId}. A promotion starts a new timeline, so the promoted new primary is never on an earlier one than the failed primary's snapshot. Old: ${describe(a)}; new: ${describe(b)}. Pass the restored snapshot as --old-url and the promoted primary as --new-url.`,
    );
  }
}

/**
 * Whether the target is another server instance than the one reconcile read, though the same system, timeline and
 * database: another start time (`pg_postmaster_start_time()`) or another address and port. A physical copy of the
 * new primary (its data directory copied and started, a restore of its snapshot) shares everything else, and
 * applying to it recovers nothing on the real new primary. A restart or an in-Region failover of the real one
 * changes these too: then reconcile again, or pass `--accept-target-change` once the target is checked.
 */
function instanceChange(target: ServerIdentity, expected: Partial<ServerIdentity>): string | undefined {
  const differs: string[] = [];
  if (expected.postmasterStartTime && expected.postmasterStartTime !== target.postmasterStartTime)
    differs.push(
      `its server started at ${target.postmasterStartTime}, the report's new primary at ${expected.postmasterStartTime}`,
    );
  if (expected.serverAddress && target.serverAddress && expected.serverAddress !== target.serverAddress)
    differs.push(`it answers on ${target.serverAddress}, the report's new primary on ${expected.serverAddress}`);
  if (differs.length === 0) return undefined;
  return `--new-url: the target has the report's system identifier, timeline and database, but is not the server instance reconcile read: ${differs.join('; ')}. A physical copy of the new primary (a clone of its data directory, a restore of its snapshot) looks like this, and applying to it recovers nothing where the shop writes; so does the real new primary after a restart or an in-Region failover. Run reconcile again against --new-url and apply that report (recommended), or, after checking that --new-url is the writer endpoint of the promoted primary the shop writes to, pass --accept-target-change.`;
}

/**
 * Refuses an apply target that is not the new primary the report compared: another system, another timeline
 * (the restored snapshot of the old primary is on the old one), another database of the server, or a standby.
 * Each fact is compared only where the report recorded it.
 */
export function targetProblem(
  target: ServerIdentity,
  recorded: { readonly new: Partial<ServerIdentity> | null; readonly old: Partial<ServerIdentity> | null },
  options: { readonly acceptTargetChange?: boolean } = {},
): string | undefined {
  const expected = recorded.new;
  if (!expected) return undefined;
  const differs: string[] = [];
  if (expected.systemIdentifier && target.systemIdentifier && expected.systemIdentifier !== target.systemIdentifier)
    differs.push(
      `system identifier ${target.systemIdentifier}, the report's new primary has ${expected.systemIdentifier}`,
    );
  if (expected.timelineId && target.timelineId && expected.timelineId !== target.timelineId)
    differs.push(`timeline ${target.timelineId}, the report's new primary was on ${expected.timelineId}`);
  if (expected.databaseOid && expected.databaseOid !== target.databaseOid)
    differs.push(
      `database oid ${target.databaseOid} (${JSON.stringify(target.database)}), the report's is ${expected.databaseOid} (${JSON.stringify(expected.database)})`,
    );
  if (target.inRecovery) differs.push('it is in recovery (a standby, not a writable primary)');
  if (differs.length === 0) return options.acceptTargetChange ? undefined : instanceChange(target, expected);
  const old = recorded.old;
  const isOld =
    old?.systemIdentifier === target.systemIdentifier &&
    old?.timelineId === target.timelineId &&
    old?.databaseOid === target.databaseOid;
  return `--new-url: the target is not the new primary the report compared: ${differs.join('; ')}${isOld ? ". It matches the report's OLD side (the restored snapshot): apply writes to the promoted primary" : ''}. Apply to the database the report was made against (or run reconcile against this one first).`;
}
