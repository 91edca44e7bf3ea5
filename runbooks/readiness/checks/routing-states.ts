import { onlyInRoutingModes, type ReadinessCheck } from '../readiness-check';
import { readTrafficMoves } from '../traffic-moves';

/**
 * `routing-states`: exactly one Region's routing control is On. Anything else is allowed only while a switchover,
 * failback or failover is `running` (its latest journal, changed in the last `STALE_RUNNING_MOVE_HOURS` (traffic-moves.ts) hours,
 * not later than `JOURNAL_CLOCK_SKEW_MINUTES` minutes ahead of the clock),
 * and the note says which. The ARC safety rule keeps at least
 * one On; two On send shoppers to both Regions, whose writers are in one.
 */
export const routingStatesCheck: ReadinessCheck = onlyInRoutingModes(['arc-cluster'], {
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
    const moves = await readTrafficMoves(ctx);
    const evidence = { states: byRegion, moves: moves.evidence };
    if (moves.running.length > 0) {
      return {
        failures: [],
        notes: [`${described}: allowed while ${moves.runningText} is running`],
        evidence,
      };
    }
    return {
      failures: [
        `${on.length === 0 ? 'no Region is On' : 'both Regions are On'} (${described}) and no switchover, failback or failover is running (latest: ${moves.latestText}); expected: exactly one Region On`,
      ],
      notes: [],
      evidence,
    };
  },
});
