import type { DatabaseSide } from './database-side';
import { ReconcileError } from './reconcile-error';
import { type Micros, microsSql, microsToIso, parseMicros } from './timestamp';

/** The heartbeat row as read from one side. */
export interface Heartbeat {
  readonly ts: Micros;
  readonly region: string;
}

/**
 * Where the cut came from: `heartbeat` (the replicated row on the new primary, not yet overwritten), `handover`
 * (the row the new writer replaced, kept by the `replication_heartbeat_handover` trigger) or `option` (given).
 */
export type CutSource = 'heartbeat' | 'handover' | 'option';

/** How error messages name each {@link CutSource}. */
const CUT_SOURCE_TEXT: Readonly<Record<CutSource, string>> = {
  heartbeat: 'the heartbeat on the new primary',
  handover: 'the replicated heartbeat the new writer replaced, from replication_heartbeat_handover',
  option: 'from --cut',
};

/** The cut and where it came from. */
export interface Cut {
  readonly cut: Micros;
  readonly source: CutSource;
  readonly oldHeartbeat: Heartbeat;
  readonly newHeartbeat: Heartbeat | null;
  /**
   * This failover's handover on the new primary (the new writer's first heartbeat, in the new primary's clock):
   * the earliest evidence of the promotion in the data. Null while the new writer has not written yet, or when
   * none is recorded.
   */
  readonly handover: Handover | null;
}

/** One change of the writing Region, as the trigger of migration 0003 recorded it on the new primary. */
export interface Handover {
  /** The last heartbeat of the previous Region. */
  readonly prev: Heartbeat;
  /** The first heartbeat of the new Region. */
  readonly next: Heartbeat;
}

/**
 * How much earlier than the failover time (the runbook's clock) the new writer's first heartbeat (the database's
 * clock) may be and still belong to this failover. Both clocks are NTP-synchronised; a handover older than this
 * is an earlier failover or switchover.
 */
export const HANDOVER_SKEW_MICROS = 5n * 60n * 1_000_000n;

/** Whether `public.<table>` exists on `side`. */
async function tableExists(side: DatabaseSide, table: string): Promise<boolean> {
  const result = await side.client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
    `public.${table}`,
  ]);
  return result.rows[0]?.ok === true;
}

/** Reads `replication_heartbeat` (id = 1); undefined when the table or the row is missing. */
export async function readHeartbeat(side: DatabaseSide): Promise<Heartbeat | undefined> {
  if (!(await tableExists(side, 'replication_heartbeat'))) return undefined;
  const result = await side.client.query<{ us: string; region: string }>(
    `SELECT ${microsSql('ts')} AS us, region FROM public.replication_heartbeat WHERE id = 1`,
  );
  const row = result.rows[0];
  return row
    ? {
        ts: parseMicros(row.us, { side: side.name, table: 'replication_heartbeat', column: 'ts' })!,
        region: row.region,
      }
    : undefined;
}

/** A handover row as {@link HANDOVER_COLUMNS} reads it: instants in microseconds since the epoch, as text. */
interface HandoverRow {
  prev_us: string;
  prev_region: string;
  next_us: string;
  next_region: string;
}

/** The columns of a handover row, read exactly (microseconds). */
const HANDOVER_COLUMNS = `${microsSql('prev_ts')} AS prev_us, prev_region, ${microsSql('next_ts')} AS next_us, next_region`;

/**
 * The latest handover away from `fromRegion` whose last replicated heartbeat is not after `failoverAt`: the one of
 * this failover (earlier ones have older heartbeats). Undefined when the table (migration 0003) or such a row is
 * missing.
 */
export async function readHandover(
  side: DatabaseSide,
  fromRegion: string,
  failoverAt: Micros,
): Promise<Handover | undefined> {
  if (!(await tableExists(side, 'replication_heartbeat_handover'))) return undefined;
  const result = await side.client.query<HandoverRow>(
    `SELECT ${HANDOVER_COLUMNS}
       FROM public.replication_heartbeat_handover
      WHERE prev_region = $1 AND prev_ts <= to_timestamp($2::numeric / 1000000)
      ORDER BY prev_ts DESC, id DESC LIMIT 1`,
    [fromRegion, failoverAt.toString()],
  );
  const row = result.rows[0];
  return row ? handoverOf(side, row) : undefined;
}

/** Every handover recorded on a side, oldest first; empty when the table (migration 0003) is missing. */
export async function readHandovers(side: DatabaseSide): Promise<Handover[]> {
  if (!(await tableExists(side, 'replication_heartbeat_handover'))) return [];
  const result = await side.client.query<HandoverRow>(
    `SELECT ${HANDOVER_COLUMNS} FROM public.replication_heartbeat_handover ORDER BY next_ts, id`,
  );
  return result.rows.map((row) => handoverOf(side, row));
}

function handoverOf(side: DatabaseSide, row: HandoverRow): Handover {
  const at = (column: string) => ({ side: side.name, table: 'replication_heartbeat_handover', column });
  return {
    prev: { ts: parseMicros(row.prev_us, at('prev_ts'))!, region: row.prev_region },
    next: { ts: parseMicros(row.next_us, at('next_ts'))!, region: row.next_region },
  };
}

const handoverKey = (h: Handover) => `${h.prev.ts}|${h.prev.region}|${h.next.ts}|${h.next.region}`;

/**
 * Whether the new side holds the promotion of this failover: a handover away from the Region of old's heartbeat
 * that old does not have, later than every handover old has (the new writer recorded it at its first heartbeat).
 */
export async function newHoldsPromotion(old: DatabaseSide, current: DatabaseSide): Promise<boolean> {
  const oldHeartbeat = await readHeartbeat(old);
  if (!oldHeartbeat) return false;
  const [oldHandovers, newHandovers] = await Promise.all([readHandovers(old), readHandovers(current)]);
  const onOld = new Set(oldHandovers.map(handoverKey));
  let latestOnOld = -1n;
  for (const h of oldHandovers) if (h.next.ts > latestOnOld) latestOnOld = h.next.ts;
  return newHandovers.some(
    (h) => !onOld.has(handoverKey(h)) && h.prev.region === oldHeartbeat.region && h.next.ts > latestOnOld,
  );
}

/**
 * Refuses an old side that holds what only the new primary's own writer wrote: the latest handover of the new
 * side, when it belongs to this failover (its first heartbeat not more than {@link HANDOVER_SKEW_MICROS} before
 * `failoverAt`), or a heartbeat of the Region that handover led to, at or after its first heartbeat. The failed
 * primary's snapshot never received anything from the new primary, so such an old side is a copy of the new one
 * (a replica promoted since, a restore of the new primary): nothing would look lost. Equal heartbeats on both
 * sides pass {@link determineCut}'s swap check, so this is checked on its own, whatever the cut source.
 */
export async function checkOldNotCopyOfNew(
  old: DatabaseSide,
  current: DatabaseSide,
  failoverAt: Micros,
): Promise<void> {
  const newHandovers = await readHandovers(current);
  const latest = newHandovers.at(-1);
  if (!latest || latest.prev.region === latest.next.region) return;
  if (latest.next.ts < failoverAt - HANDOVER_SKEW_MICROS) return;
  const [oldHeartbeat, oldHandovers] = await Promise.all([readHeartbeat(old), readHandovers(old)]);
  const holdsHandover = oldHandovers.some((h) => handoverKey(h) === handoverKey(latest));
  const holdsHeartbeat =
    oldHeartbeat !== undefined && oldHeartbeat.region === latest.next.region && oldHeartbeat.ts >= latest.next.ts;
  if (!holdsHandover && !holdsHeartbeat) return;
  const evidence = [
    holdsHandover
      ? `the new primary's handover from ${latest.prev.region} to ${latest.next.region} (first heartbeat ${microsToIso(latest.next.ts)})`
      : undefined,
    holdsHeartbeat
      ? `a heartbeat of ${oldHeartbeat!.region} at ${microsToIso(oldHeartbeat!.ts)}, written by the new primary's writer (it took over at ${microsToIso(latest.next.ts)})`
      : undefined,
  ].filter((e) => e !== undefined);
  throw new ReconcileError(
    'sides',
    `the old side holds ${evidence.join(' and ')}: the failed primary's snapshot never received anything from the new primary, so --old-url reaches a copy of the new primary (its replica, e.g. the failed Region's cluster after it rejoined as a secondary, or a restore of the new primary), and nothing would look lost. Pass as --old-url the cluster restored from the old primary's snapshot (rds:unplanned-global-failover-...). If a switchover happened less than 5 minutes before this failover and the new writer has not written yet, wait until it has (seconds) and run again.`,
  );
}

/**
 * Refuses sides whose heartbeats show they are swapped, whatever the source of the cut: the new primary only
 * has what replicated from old plus its own writes, so (1) a heartbeat of old's Region on new later than old's
 * last one, or (2) a handover on old that new lacks, away from new's Region into old's and later than every
 * handover new has (old holds the promotion), cannot happen with old as the failed primary's snapshot.
 */
async function checkNotSwapped(
  old: DatabaseSide,
  current: DatabaseSide,
  oldHeartbeat: Heartbeat,
  newHeartbeat: Heartbeat | undefined,
): Promise<void> {
  if (!newHeartbeat) return;
  if (newHeartbeat.region === oldHeartbeat.region && newHeartbeat.ts > oldHeartbeat.ts) {
    throw new ReconcileError(
      'sides',
      `the new side has a heartbeat of ${oldHeartbeat.region} (${microsToIso(newHeartbeat.ts)}) later than the old side's last one (${microsToIso(oldHeartbeat.ts)}): the new primary only ever received what the old one wrote, so the old side is not the failed primary's last state. --old-url and --new-url may be swapped, or the snapshot is older than what replicated: pass the cluster restored from the rds:unplanned-global-failover-... snapshot as --old-url and the promoted primary as --new-url.`,
    );
  }
  const [oldHandovers, newHandovers] = await Promise.all([readHandovers(old), readHandovers(current)]);
  const onNew = new Set(newHandovers.map(handoverKey));
  let latestOnNew = -1n;
  for (const h of newHandovers) if (h.next.ts > latestOnNew) latestOnNew = h.next.ts;
  const promotion = oldHandovers.find(
    (h) =>
      !onNew.has(handoverKey(h)) &&
      h.prev.region === newHeartbeat.region &&
      h.next.region === oldHeartbeat.region &&
      h.next.ts > latestOnNew,
  );
  if (promotion) {
    throw new ReconcileError(
      'sides',
      `--old-url and --new-url look swapped: the old side recorded a handover from ${promotion.prev.region} to ${promotion.next.region} (first heartbeat ${microsToIso(promotion.next.ts)}, the last of ${promotion.prev.region} ${microsToIso(promotion.prev.ts)}) that the new side does not have: the old side took over writing from the new side's Region, so it is the promoted primary. Pass the restored snapshot as --old-url and the promoted primary as --new-url.`,
    );
  }
}

/**
 * Determines the cut, the last moment that replicated: the heartbeat on the new primary while it is still the one
 * the old writer sent; once the new writer has overwritten it, the row it replaced, which the handover trigger
 * kept; or the value the caller gives. Fails closed on every inconsistency, because a wrong cut silently hides
 * lost writes.
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
  let source: CutSource;
  let handover: Handover | null = null;
  if (given !== undefined) {
    await checkNotSwapped(old, current, oldHeartbeat, newHeartbeat);
    cut = given;
    source = 'option';
    if (newHeartbeat && newHeartbeat.region !== oldHeartbeat.region) {
      const found = await readHandover(current, oldHeartbeat.region, failoverAt);
      if (found && found.next.ts >= failoverAt - HANDOVER_SKEW_MICROS) handover = found;
    }
    await checkGivenCutNotEarly(current, oldHeartbeat.region, given, newHeartbeat, handover);
  } else {
    if (!newHeartbeat) {
      throw new ReconcileError(
        'cut',
        'the new primary has no replication_heartbeat row (id = 1), so the last replicated moment (the cut) is unknown. Check that --new-url points at the promoted database of the same service; if the heartbeat was never written there, pass the last replicated moment with --cut <ISO-8601>.',
      );
    }
    if (newHeartbeat.region === oldHeartbeat.region) {
      cut = newHeartbeat.ts;
      source = 'heartbeat';
    } else {
      await checkNotSwapped(old, current, oldHeartbeat, newHeartbeat);
      handover = await cutFromHandover(current, oldHeartbeat, newHeartbeat, failoverAt);
      cut = handover.prev.ts;
      source = 'handover';
    }
  }
  if (cut > failoverAt) {
    throw new ReconcileError(
      'cut',
      `the cut (${microsToIso(cut)}, ${CUT_SOURCE_TEXT[source]}) is after --failover-at (${microsToIso(failoverAt)}): nothing can have replicated after the promotion. Check --failover-at (it needs a time zone, e.g. 2026-01-10T12:01:00Z)${
        source === 'option'
          ? ' and --cut'
          : '; if the new writer runs under the same region name and has overwritten the heartbeat, pass the last replicated moment with --cut <ISO-8601>'
      }.`,
    );
  }
  if (oldHeartbeat.ts < cut) {
    throw new ReconcileError(
      'cut',
      `the old database's last heartbeat (${microsToIso(oldHeartbeat.ts)}) is before the cut (${microsToIso(cut)}): the restored snapshot is older than what already replicated, so it cannot show what was lost. Restore the snapshot taken when the old primary failed (rds:unplanned-global-failover-...) and run reconcile on it; if --old-url and --new-url are swapped, swap them.`,
    );
  }
  return { cut, source, oldHeartbeat, newHeartbeat: newHeartbeat ?? null, handover };
}

/**
 * Refuses a `--cut` earlier than a heartbeat of old's Region that the new primary holds (its heartbeat row, the
 * handover row of this failover, or its heartbeat log): that heartbeat replicated, so the cut is at least that
 * late. Writes between the two would be judged against a stop that had not happened: one that replicated and was
 * deleted by new since would look lost.
 */
async function checkGivenCutNotEarly(
  current: DatabaseSide,
  region: string,
  given: Micros,
  newHeartbeat: Heartbeat | undefined,
  handover: Handover | null,
): Promise<void> {
  const held: Micros[] = [];
  if (newHeartbeat && newHeartbeat.region === region) held.push(newHeartbeat.ts);
  if (handover && handover.prev.region === region) held.push(handover.prev.ts);
  if (await tableExists(current, 'replication_heartbeat_log')) {
    const result = await current.client.query<{ us: string | null }>(
      `SELECT ${microsSql('max(ts)')} AS us FROM public.replication_heartbeat_log WHERE region = $1`,
      [region],
    );
    const latest = parseMicros(result.rows[0]?.us ?? null, {
      side: current.name,
      table: 'replication_heartbeat_log',
      column: 'ts',
    });
    if (latest !== null) held.push(latest);
  }
  const latest = held.reduce<Micros | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
  if (latest !== undefined && latest > given) {
    throw new ReconcileError(
      'cut',
      `--cut ${microsToIso(given)} is earlier than a heartbeat of ${region} the new primary holds (${microsToIso(latest)}): that heartbeat replicated, so the last replicated moment is at least that late. Pass --cut ${microsToIso(latest)} (or later), or leave --cut out to read it from the new primary.`,
    );
  }
}

/** The cut when the new writer has overwritten the heartbeat: the row it replaced, from the handover table. */
async function cutFromHandover(
  current: DatabaseSide,
  oldHeartbeat: Heartbeat,
  newHeartbeat: Heartbeat,
  failoverAt: Micros,
): Promise<Handover> {
  const overwritten = `the heartbeat on the new primary was written by the new writer (ts ${microsToIso(newHeartbeat.ts)}, region ${newHeartbeat.region}; old writer's region ${oldHeartbeat.region}, --failover-at ${microsToIso(failoverAt)})`;
  const handover = await readHandover(current, oldHeartbeat.region, failoverAt);
  if (!handover) {
    throw new ReconcileError(
      'cut',
      `${overwritten} and replication_heartbeat_handover on the new primary has no handover from ${oldHeartbeat.region} at or before the failover, so the last replicated value is gone. Check that the service migrations up to 0003_heartbeat_handover ran before the failover, or pass the last replicated moment with --cut <ISO-8601>.`,
    );
  }
  if (handover.next.ts < failoverAt - HANDOVER_SKEW_MICROS) {
    throw new ReconcileError(
      'cut',
      `${overwritten}, but the latest handover from ${oldHeartbeat.region} recorded on the new primary is older than this failover (${handover.prev.region} → ${handover.next.region}, first new heartbeat ${microsToIso(handover.next.ts)}): it belongs to an earlier failover or switchover. Check --failover-at, or pass the last replicated moment with --cut <ISO-8601>.`,
    );
  }
  return handover;
}
