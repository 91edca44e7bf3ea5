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

const stale = (journal: Journal, now: Date) =>
  now.getTime() - Date.parse(journal.updatedAt) > STALE_RUNNING_MOVE_HOURS * 3_600_000;

/**
 * `routing-states`: exactly one Region's routing control is On. Anything else is allowed only while a switchover,
 * failback or failover is `running` (its latest journal, changed in the last {@link STALE_RUNNING_MOVE_HOURS} hours),
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
    const running = latest.filter((j) => j.status === 'running' && !stale(j, now));
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
            ? `${j.orchestration} running, its journal unchanged since ${j.updatedAt}, more than ${STALE_RUNNING_MOVE_HOURS} h: not counted`
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
