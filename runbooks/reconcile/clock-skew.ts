import { type Cut, HANDOVER_SKEW_MICROS } from './cut';
import type { MutableTableRows } from './possible-duplicates';
import { isoToMicros, type Micros, microsToIso } from './timestamp';

/**
 * How long after the promotion the new Region's heartbeat writer writes its first beat: it polls every second
 * (`pg_is_in_recovery()`, then the advisory lock) and reconnects on the next tick after an error.
 */
export const NEW_WRITER_START_MICROS = 5n * 1_000_000n;

/**
 * The tool's clock tolerance: how far the new primary's clock may be behind the old one's. The same bound as the
 * handover's (`HANDOVER_SKEW_MICROS`); beyond it the report fails instead of guessing.
 */
export const CLOCK_TOLERANCE_MICROS = HANDOVER_SKEW_MICROS;

/** What the data says about the two clocks. */
export interface ClockEvidence {
  /**
   * The earliest `updated_at`/`created_at` (the new primary's clock) a row written on the new primary after the
   * promotion can carry. Rows replicated from old carry old's clock and are at or before the cut; a row of new
   * stamped at or after this moment may be either, so it is never taken for a replicated one.
   */
  readonly newWritesFrom: Micros;
  /**
   * `first-heartbeat`: the new writer's first heartbeat (handover, new's clock) minus {@link NEW_WRITER_START_MICROS};
   * `tolerance`: no heartbeat of the new Region yet, so the cut minus {@link CLOCK_TOLERANCE_MICROS}.
   */
  readonly source: 'first-heartbeat' | 'tolerance';
  /** The new writer's first heartbeat (new's clock), when recorded. */
  readonly firstNewHeartbeat: Micros | null;
  /**
   * First new heartbeat − cut, in seconds: the real time between the last replicated heartbeat and the promotion
   * plus how far new's clock is ahead of old's. Negative: new's clock is behind old's by at least that much.
   */
  readonly gapSeconds: number | null;
}

/**
 * Measures from the heartbeats how the new primary's clock relates to the cut (old's clock). The new primary
 * writes nothing before its promotion, and its heartbeat writer writes within a few seconds after it, so every
 * row it wrote itself is stamped at or after `first heartbeat − 5 s` in its own clock, whatever the skew. Without
 * that heartbeat, the tool's tolerance stands in. Skew beyond the tolerance fails the report earlier, in the cut
 * step: a first heartbeat more than 5 min before `--failover-at` (never before the cut) is refused there.
 */
export function clockEvidence(cut: Cut): ClockEvidence {
  if (!cut.handover) {
    return {
      newWritesFrom: cut.cut - CLOCK_TOLERANCE_MICROS,
      source: 'tolerance',
      firstNewHeartbeat: null,
      gapSeconds: null,
    };
  }
  const first = cut.handover.next.ts;
  const gap = first - cut.cut;
  return {
    newWritesFrom: first - NEW_WRITER_START_MICROS,
    source: 'first-heartbeat',
    firstNewHeartbeat: first,
    gapSeconds: Number(gap) / 1e6,
  };
}

/**
 * A lost update is replayed over new's copy, so new's copy must be one that replicated from old. When it is
 * stamped at or after {@link ClockEvidence.newWritesFrom} (and so at or before the cut only because the new
 * primary's clock is behind), it may be a change made on new after the failover: the row becomes a conflict.
 *
 * @returns the number of rows turned into conflicts
 */
export function correctForClockSkew(tables: Map<string, MutableTableRows>, evidence: ClockEvidence): number {
  let changed = 0;
  for (const table of tables.values()) {
    table.rows = table.rows.map((row) => {
      if (row.class === 'unexplained' && row.old === null && typeof row.new?.updated_at === 'string') {
        // Present only on new, stamped at or before the cut: a hard delete on old, or, with new's clock behind,
        // a row new wrote itself after the failover. Both stay listed; the detail says which it may be.
        const stamp = isoToMicros(row.new.updated_at);
        if (stamp === undefined || stamp < evidence.newWritesFrom) return row;
        return {
          ...row,
          detail: `${row.detail}; or a row the new primary wrote itself after the failover, stamped by a clock behind the old one's (it is not older than ${microsToIso(evidence.newWritesFrom)}, the earliest moment new could have written)`,
        };
      }
      if (row.class !== 'lost_update') return row;
      const stamp = typeof row.new?.updated_at === 'string' ? isoToMicros(row.new.updated_at) : undefined;
      if (stamp !== undefined && stamp < evidence.newWritesFrom) return row;
      changed++;
      table.counts.lost_update--;
      table.counts.conflict++;
      return {
        ...row,
        class: 'conflict',
        proposedSql: null,
        detail: `${row.detail}; but new's copy (${stamp === undefined ? 'updated_at unreadable' : microsToIso(stamp)}) is not older than the earliest moment the new primary could have written itself (${microsToIso(evidence.newWritesFrom)}, ${evidence.source === 'first-heartbeat' ? 'its first heartbeat minus 5 s, in its own clock' : 'the cut minus the 5 min clock tolerance: no heartbeat of the new Region yet'}): with the new primary's clock behind the old one's it may be a change made on new after the failover, and replaying old's row would overwrite it; a person must decide`,
      };
    });
  }
  return changed;
}
