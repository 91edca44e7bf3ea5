import type { DatabaseSide } from './database-side';
import { commitTimestampsOn } from './row-fetch';
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

interface LogRow {
  us: string;
  commit_us: string | null;
}

/**
 * Reads when replication stopped at the latest from old's heartbeat log (shared migration 0005_heartbeat_log): the
 * first heartbeat old wrote after the cut, H1, did not reach new, so nothing committed after H1 did. H1's commit time
 * is read from `pg_xact_commit_timestamp` where `track_commit_timestamp` is on; otherwise the next heartbeat's time,
 * H2, bounds it: the heartbeat writer writes one beat at a time on one connection, so H2's transaction began after
 * H1 committed. Without the log, or without a heartbeat after H1, nothing bounds it (fail closed: every write old
 * made after the cut may have replicated).
 */
export async function readReplicationStop(old: DatabaseSide, cut: Micros): Promise<ReplicationStop> {
  const exists = await old.client.query<{ ok: boolean }>(
    `SELECT to_regclass('public.replication_heartbeat_log') IS NOT NULL AS ok`,
  );
  if (exists.rows[0]?.ok !== true) {
    return {
      cut,
      mayHaveReplicatedUntil: null,
      evidence:
        'the old database has no replication_heartbeat_log (migration 0005_heartbeat_log), so nothing shows when replication stopped: every row old wrote after the cut that new lacks may have replicated and been deleted by new',
    };
  }
  const commits = await commitTimestampsOn(old);
  const result = await old.client.query<LogRow>(
    `SELECT ${microsSql('ts')} AS us,
            ${commits ? microsSql('pg_xact_commit_timestamp(xmin)') : 'NULL::text'} AS commit_us
       FROM public.replication_heartbeat_log
      WHERE ts > to_timestamp($1::numeric / 1000000)
      ORDER BY ts LIMIT 2`,
    [cut.toString()],
  );
  const at = (column: string) => ({ side: old.name, table: 'replication_heartbeat_log', column });
  const [first, second] = result.rows.map((row) => ({
    ts: parseMicros(row.us, at('ts'))!,
    commit: parseMicros(row.commit_us, at('commit timestamp')),
  }));
  if (first === undefined) {
    return {
      cut,
      mayHaveReplicatedUntil: null,
      evidence:
        "old's heartbeat log has no heartbeat after the cut, so nothing shows when replication stopped: every row old wrote after the cut that new lacks may have replicated and been deleted by new",
    };
  }
  if (first.commit !== null && first.commit >= first.ts) {
    return {
      cut,
      mayHaveReplicatedUntil: first.commit,
      evidence: `old's first heartbeat after the cut (${microsToIso(first.ts)}) never reached new and committed at ${microsToIso(first.commit)}: nothing committed later replicated`,
    };
  }
  if (second !== undefined) {
    return {
      cut,
      mayHaveReplicatedUntil: second.ts,
      evidence: `old's first heartbeat after the cut (${microsToIso(first.ts)}) never reached new, and had committed before the next one began (${microsToIso(second.ts)}): nothing committed after that replicated`,
    };
  }
  return {
    cut,
    mayHaveReplicatedUntil: null,
    evidence: `old wrote one heartbeat after the cut (${microsToIso(first.ts)}) and its commit time is unknown, so nothing shows when replication stopped: every row old wrote after the cut that new lacks may have replicated and been deleted by new`,
  };
}
