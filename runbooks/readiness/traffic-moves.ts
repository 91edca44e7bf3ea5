import type { Journal } from '../ports';
import type { ReadinessContext } from './readiness-check';

/** Orchestrations that move traffic: while one runs, both Regions may be On (or the states are changing). */
export const TRAFFIC_MOVES = ['switchover', 'failback', 'failover'] as const;

/**
 * Hours after which a `running` journal that has not changed no longer counts as a move in progress. Every step
 * saves the journal when it ends, and no step of a move waits that long (the longest, a planned move's scale-up, at
 * most `readiness.scaleUpTimeoutSeconds` ≤ 2 h): such a journal belongs to a run that ended without finishing it (an
 * automation cancelled, a function that crashed), and counting it would excuse two Regions On for good.
 */
export const STALE_RUNNING_MOVE_HOURS = 6;

/**
 * How far ahead of this run's clock a journal's `updatedAt` may be and still count: the clocks of the functions that
 * save journals and of this run may be a little apart.
 */
export const JOURNAL_CLOCK_SKEW_MINUTES = 5;

/**
 * Why a `running` journal does not count as a move in progress, or undefined when it does. Its age is
 * `now - updatedAt`: a time that cannot be read, or one ahead of the clock by more than the skew (never "older than"
 * anything), would otherwise excuse a state only a move allows for good (fail open).
 */
export function whyMoveNotCounted(journal: Journal, now: Date): string | undefined {
  const updated = Date.parse(journal.updatedAt);
  if (!Number.isFinite(updated) || updated - now.getTime() > JOURNAL_CLOCK_SKEW_MINUTES * 60_000) {
    return `its journal updated at ${journal.updatedAt}, which is not a time up to now (clock ${now.toISOString()})`;
  }
  if (now.getTime() - updated > STALE_RUNNING_MOVE_HOURS * 3_600_000) {
    return `its journal unchanged since ${journal.updatedAt}, more than ${STALE_RUNNING_MOVE_HOURS} h`;
  }
  return undefined;
}

/** The latest journal of each traffic move, and those of them that count as running now. */
export interface TrafficMoves {
  readonly latest: readonly Journal[];
  /** `running`, changed in the last {@link STALE_RUNNING_MOVE_HOURS} hours, not ahead of the clock by more than the skew. */
  readonly running: readonly Journal[];
  /** `switchover 42 (started …)` for each running move, joined with `and`. */
  readonly runningText: string;
  /** What the latest journals say (`failover running, <why>: not counted`, `switchover succeeded`), or `none recorded`. */
  readonly latestText: string;
  /** The latest journals as a record's evidence keeps them. */
  readonly evidence: readonly Readonly<Record<string, unknown>>[];
}

/** Reads the latest journal of each {@link TRAFFIC_MOVES} orchestration and judges which of them are running now. */
export async function readTrafficMoves(ctx: ReadinessContext): Promise<TrafficMoves> {
  const latest: Journal[] = [];
  for (const name of TRAFFIC_MOVES) {
    const journal = await ctx.ports.journal.latest(name);
    if (journal) latest.push(journal);
  }
  const now = ctx.ports.clock.now();
  const running = latest.filter((j) => j.status === 'running' && whyMoveNotCounted(j, now) === undefined);
  return {
    latest,
    running,
    runningText: running.map((j) => `${j.orchestration} ${j.executionId} (started ${j.startedAt})`).join(' and '),
    latestText:
      latest
        .map((j) =>
          j.status === 'running'
            ? `${j.orchestration} running, ${whyMoveNotCounted(j, now)}: not counted`
            : `${j.orchestration} ${j.status}`,
        )
        .join(', ') || 'none recorded',
    evidence: latest.map((j) => ({
      orchestration: j.orchestration,
      executionId: j.executionId,
      status: j.status,
      startedAt: j.startedAt,
      updatedAt: j.updatedAt,
    })),
  };
}
