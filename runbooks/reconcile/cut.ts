import type { DatabaseSide } from './database-side';
import { ReconcileError } from './reconcile-error';
import { type Micros, microsSql, microsToIso } from './timestamp';

/** The heartbeat row as read from one side. */
export interface Heartbeat {
  readonly ts: Micros;
  readonly region: string;
}

/** The cut and where it came from. */
export interface Cut {
  readonly cut: Micros;
  readonly source: 'heartbeat' | 'option';
  readonly oldHeartbeat: Heartbeat;
  readonly newHeartbeat: Heartbeat | null;
}

/** Reads `replication_heartbeat` (id = 1); undefined when the table or the row is missing. */
export async function readHeartbeat(side: DatabaseSide): Promise<Heartbeat | undefined> {
  const exists = await side.client.query(`SELECT to_regclass('public.replication_heartbeat') IS NOT NULL AS ok`);
  if (!exists.rows[0].ok) return undefined;
  const result = await side.client.query<{ us: string; region: string }>(
    `SELECT ${microsSql('ts')} AS us, region FROM public.replication_heartbeat WHERE id = 1`,
  );
  const row = result.rows[0];
  return row ? { ts: BigInt(row.us), region: row.region } : undefined;
}

/**
 * Determines the cut, the last moment that replicated: the heartbeat on the new primary, as long as it is still
 * the one the old writer sent (same region, not after the failover; after failover the new writer overwrites
 * it, and then the caller must pass the value recorded at promotion). Fails closed on every inconsistency, because a wrong cut silently hides lost writes.
 */
export async function determineCut(
  old: DatabaseSide,
  current: DatabaseSide,
  failoverAt: Micros,
  given: Micros | undefined,
): Promise<Cut> {
  const [oldHeartbeat, newHeartbeat] = await Promise.all([readHeartbeat(old), readHeartbeat(current)]);
  if (!oldHeartbeat) {
    throw new ReconcileError(
      'cut',
      'the old database has no replication_heartbeat row (id = 1): --old-url must point at the database restored from the failed primary (the service database, e.g. /orders), whose writer updated the heartbeat every second. Check the URL and the restore.',
    );
  }
  let cut: Micros;
  let source: Cut['source'];
  if (given !== undefined) {
    cut = given;
    source = 'option';
  } else {
    if (!newHeartbeat) {
      throw new ReconcileError(
        'cut',
        'the new primary has no replication_heartbeat row (id = 1), so the last replicated moment (the cut) is unknown. Check that --new-url points at the promoted database of the same service; if the heartbeat was never written there, pass the last replicated moment with --cut <ISO-8601> (the failover runbook records it at promotion).',
      );
    }
    if (newHeartbeat.region !== oldHeartbeat.region) {
      throw new ReconcileError(
        'cut',
        `the heartbeat on the new primary was written after the failover (ts ${microsToIso(newHeartbeat.ts)}, region ${newHeartbeat.region}; old writer's region ${oldHeartbeat.region}, --failover-at ${microsToIso(failoverAt)}): the new writer has overwritten the last replicated value. Pass the cut recorded when the new primary was promoted with --cut <ISO-8601>.`,
      );
    }
    cut = newHeartbeat.ts;
    source = 'heartbeat';
  }
  if (cut > failoverAt) {
    throw new ReconcileError(
      'cut',
      `the cut (${microsToIso(cut)}${source === 'option' ? ', from --cut' : ', the heartbeat on the new primary'}) is after --failover-at (${microsToIso(failoverAt)}): nothing can have replicated after the promotion. Check --failover-at (it needs a time zone, e.g. 2026-01-10T12:01:00Z)${
        source === 'option'
          ? ' and --cut'
          : '; if the new writer runs under the same region name and has overwritten the heartbeat, pass the cut recorded at promotion with --cut <ISO-8601>'
      }.`,
    );
  }
  if (oldHeartbeat.ts < cut) {
    throw new ReconcileError(
      'cut',
      `the old database's last heartbeat (${microsToIso(oldHeartbeat.ts)}) is before the cut (${microsToIso(cut)}): the restored snapshot is older than what already replicated, so it cannot show what was lost. Restore the snapshot taken when the old primary failed (rds:unplanned-global-failover-...) and run reconcile on it.`,
    );
  }
  return { cut, source, oldHeartbeat, newHeartbeat: newHeartbeat ?? null };
}
