import type { DatabaseSide } from './database-side';
import { type Micros, microsSql, microsToIso, parseMicros } from './timestamp';

/**
 * The cut, and how far past it a write of old may still have replicated. The cut is the last heartbeat the new
 * primary received: a commit at or before it replicated. Replication stopped somewhere between that heartbeat and
 * the next one old wrote (which new never received), so a write committed in between may have replicated, and been
 * deleted by the new primary since; only a write committed after that next heartbeat certainly never replicated.
 */
export interface CutBounds {
  /** The last replicated heartbeat (old's clock): every commit at or before it replicated. */
  readonly cut: Micros;
  /**
   * The latest commit time (old's clock) that may have replicated: replication had stopped before any later commit
   * (it stopped before old's next heartbeat after the cut committed). Null when nothing bounds it: then any write
   * after the cut may have replicated.
   */
  readonly mayHaveReplicatedUntil: Micros | null;
}

/** {@link CutBounds} with the evidence the bound rests on, for the report. */
export interface ReplicationStop extends CutBounds {
  readonly evidence: string;
}

/** Whether `public.replication_heartbeat_log` exists on `side`. */
async function hasLog(side: DatabaseSide): Promise<boolean> {
  const result = await side.client.query<{ ok: boolean }>(
    `SELECT to_regclass('public.replication_heartbeat_log') IS NOT NULL AS ok`,
  );
  return result.rows[0]?.ok === true;
}

/** The first `limit` logged heartbeats of `region` after `cut` on `side`, in µs, earliest first. */
async function beatsAfter(side: DatabaseSide, region: string, cut: Micros, limit: number): Promise<Micros[]> {
  const result = await side.client.query<{ us: string }>(
    `SELECT ${microsSql('ts')} AS us FROM public.replication_heartbeat_log
      WHERE region = $1 AND ts > to_timestamp($2::numeric / 1000000)
      ORDER BY ts LIMIT ${limit}`,
    [region, cut.toString()],
  );
  return result.rows.map(
    (row) => parseMicros(row.us, { side: side.name, table: 'replication_heartbeat_log', column: 'ts' })!,
  );
}

const UNBOUNDED = 'every row old wrote after the cut that new lacks may have replicated and been deleted by new';

/**
 * Reads when replication stopped at the latest, from old's heartbeat log (shared migration 0005_heartbeat_log): the
 * first heartbeat old's Region wrote after the cut, H1, did not reach new, so nothing committed after H1's commit
 * record did. The next heartbeat's time, H2, bounds that: the heartbeat writer writes one beat at a time on one
 * connection (and a new writer takes the lock only when the previous session has ended), so H2's transaction began
 * after H1's commit had been written. H1's own commit timestamp is not used: Postgres takes a commit's timestamp
 * before it writes the commit record, so a transaction stamped after H1's commit can still precede it in the WAL.
 * Fails closed (unbounded) without the log on old, without two beats after the cut, and when new's own log holds a
 * beat of old's Region after the cut (a clock that stepped back, or a cut earlier than what replicated): then the
 * cut is not the last beat new received, and beats after it prove nothing.
 */
export async function readReplicationStop(
  old: DatabaseSide,
  current: DatabaseSide,
  cut: Micros,
  region: string,
): Promise<ReplicationStop> {
  if (!(await hasLog(old))) {
    return {
      cut,
      mayHaveReplicatedUntil: null,
      evidence: `the old database has no replication_heartbeat_log (migration 0005_heartbeat_log), so nothing shows when replication stopped: ${UNBOUNDED}`,
    };
  }
  const onNew = (await hasLog(current)) ? await beatsAfter(current, region, cut, 1) : [];
  if (onNew.length > 0) {
    return {
      cut,
      mayHaveReplicatedUntil: null,
      evidence: `the new primary holds a heartbeat of ${region} from ${microsToIso(onNew[0]!)}, after the cut: its clock stepped back, or the cut is earlier than what replicated, so old's later heartbeats do not show when replication stopped: ${UNBOUNDED}`,
    };
  }
  const [first, second] = await beatsAfter(old, region, cut, 2);
  if (first === undefined || second === undefined) {
    return {
      cut,
      mayHaveReplicatedUntil: null,
      evidence: `${first === undefined ? "old's heartbeat log has no heartbeat of its Region after the cut" : `old wrote one heartbeat after the cut (${microsToIso(first)}) and none after it`}, so nothing shows when replication stopped: ${UNBOUNDED}`,
    };
  }
  return {
    cut,
    mayHaveReplicatedUntil: second,
    evidence: `old's first heartbeat after the cut (${microsToIso(first)}) never reached new, and had committed before the next one began (${microsToIso(second)}): nothing committed after that replicated`,
  };
}
