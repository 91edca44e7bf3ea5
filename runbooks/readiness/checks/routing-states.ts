import type { Journal } from '../../ports';
import type { ReadinessCheck } from '../readiness-check';

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
 * anything), would otherwise excuse two Regions On for good (fail open).
 */
const notCounted = (journal: Journal, now: Date): string | undefined => {
  const updated = Date.parse(journal.updatedAt);
  if (!Number.isFinite(updated) || updated - now.getTime() > JOURNAL_CLOCK_SKEW_MINUTES * 60_000) {
    return `its journal updated at ${journal.updatedAt}, which is not a time up to now (clock ${now.toISOString()})`;
  }
  if (now.getTime() - updated > STALE_RUNNING_MOVE_HOURS * 3_600_000) {
    return `its journal unchanged since ${journal.updatedAt}, more than ${STALE_RUNNING_MOVE_HOURS} h`;
  }
  return undefined;
};

/**
 * `routing-states`: exactly one Region's routing control is On. Anything else is allowed only while a switchover,
 * failback or failover is `running` (its latest journal, changed in the last {@link STALE_RUNNING_MOVE_HOURS} hours,
 * not later than {@link JOURNAL_CLOCK_SKEW_MINUTES} minutes ahead of the clock),
 * and the note says which. The ARC safety rule keeps at least
 * one On; two On send shoppers to both Regions, whose writers are in one.
 */
export const routingStatesCheck: ReadinessCheck = {
  name: 'routing-states',
  title: 'Exactly one Region takes traffic (unless a traffic move is running)',
  scope: 'standing',
  whenRed:
    'The routing controls do not send all traffic to one Region (both On, or none) and no switchover, failback or failover is running: shoppers reach a Region whose databases are not the writers. Find out who changed the controls, then run the switchover or failback that puts traffic where the writers are.',
  uses: ['routing.getStates', 'journal.latest'],
  assess: async (ctx) => {
    const regions = [ctx.topology.primaryRegion, ctx.topology.standbyRegion];
    const controls = regions.map((r) => ctx.topology.routing.controls[r]!);
    const states = await ctx.ports.routing.getStates(controls);
    const byRegion = Object.fromEntries(regions.map((r, i) => [r, states[controls[i]!]]));
    // One On among states not all read is not "exactly one On": the one left out may be On too.
    const unread = regions.filter((r) => byRegion[r] !== 'On' && byRegion[r] !== 'Off');
    if (unread.length > 0) {
      return {
        failures: [],
        notes: [],
        unknowns: unread.map(
          (r) =>
            `the routing control of ${r} (${ctx.topology.routing.controls[r]}) has ${byRegion[r] === undefined ? 'no state in the answer' : `the state ${String(byRegion[r])}`}, so whether exactly one Region is On cannot be told`,
        ),
        evidence: { states: byRegion },
      };
    }
    const on = regions.filter((r) => byRegion[r] === 'On');
    const described = regions.map((r) => `${r} ${byRegion[r]}`).join(', ');
    if (on.length === 1) {
      return { failures: [], notes: [`${on[0]} takes the traffic (${described})`], evidence: { states: byRegion } };
    }
    const latest: Journal[] = [];
    for (const name of TRAFFIC_MOVES) {
      const journal = await ctx.ports.journal.latest(name);
      if (journal) latest.push(journal);
    }
    const now = ctx.ports.clock.now();
    const running = latest.filter((j) => j.status === 'running' && notCounted(j, now) === undefined);
    const evidence = {
      states: byRegion,
      moves: latest.map((j) => ({
        orchestration: j.orchestration,
        executionId: j.executionId,
        status: j.status,
        startedAt: j.startedAt,
        updatedAt: j.updatedAt,
      })),
    };
    if (running.length > 0) {
      return {
        failures: [],
        notes: [
          `${described}: allowed while ${running.map((j) => `${j.orchestration} ${j.executionId} (started ${j.startedAt})`).join(' and ')} is running`,
        ],
        evidence,
      };
    }
    const last =
      latest
        .map((j) =>
          j.status === 'running'
            ? `${j.orchestration} running, ${notCounted(j, now)}: not counted`
            : `${j.orchestration} ${j.status}`,
        )
        .join(', ') || 'none recorded';
    return {
      failures: [
        `${on.length === 0 ? 'no Region is On' : 'both Regions are On'} (${described}) and no switchover, failback or failover is running (latest: ${last}); expected: exactly one Region On`,
      ],
      notes: [],
      evidence,
    };
  },
};
