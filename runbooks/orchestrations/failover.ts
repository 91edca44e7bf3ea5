import type { Orchestration } from '../core/step';
import { otherRegion } from '../topology';
import { fenceFailedRegion, restoreTargetCapacity } from './capacity-steps';
import type { TargetInput } from './database-steps';
import { startWriterMove, verifyWriters, waitForWriterMove } from './database-steps';
import { regionField, rejectUnknownFields, requireDifferentRegions } from './input-fields';
import { moveTraffic, REGION_SWITCH_STEP } from './region-switch-steps';
import { scaleToPeak, waitForPeakCapacity } from './scale-to-peak';
import { storeSummary } from './summary-step';
import { validateTarget } from './validate-step';

/** Input of {@link failover}. */
export interface FailoverInput extends TargetInput {
  /** The Region that failed. */
  readonly failedRegion: string;
}

/**
 * `failover` (unplanned): the failed Region loses its traffic and its writers, accepting the loss of the writes it
 * had not replicated (the `recover` orchestration reports them later).
 *
 * The target's writer services are raised to their minimum first if an earlier failover fenced them there (best
 * effort, no wait). Then every service of the target is raised to its share of the failed Region's peak
 * (`readiness.peakSharePercent` of its `peakWindowHours` peak, from its CloudWatch or, when that does not answer, from
 * the last readiness record) and awaited, all within `readiness.scaleUpBudgetSeconds`: what is still short then is
 * said, and traffic moves anyway. Traffic moves before the writers: the failed Region may be half alive and still
 * accepting writes that will be lost, and routing is the fastest lever (seconds). Then the failed Region's database
 * writers are fenced, best effort (scaled to 0 if its ECS API answers within seconds), so clients on open connections
 * stop writing there. Then every global database fails over (all started before any is awaited, so they proceed in
 * parallel), the writers are verified, and the failover time is recorded for reconciliation.
 *
 * In routing mode `region-switch` the traffic step runs the Region switch plan `ungraceful` instead: the plan fails
 * every global database over with data loss and then moves DNS, so the failed Region is fenced before the plan (its
 * writers stop before theirs move, as they stop right after the routing flip in arc-cluster mode), and the failover
 * steps after it find the writers moved and only wait for and verify them; the failover time is the start of the
 * plan's first Aurora block.
 */
export const failover: Orchestration<FailoverInput> = {
  name: 'failover',
  title: 'Unplanned failover: move traffic and writers to the target Region, allowing data loss',
  mutates: true,
  inputs: [
    { name: 'targetRegion', type: 'region', required: true, description: 'The surviving Region that takes over.' },
    {
      name: 'failedRegion',
      type: 'region',
      required: false,
      defaultText: 'the other Region of the topology',
      description: 'The Region that failed.',
    },
  ],
  parseInput: (raw, topology) => {
    rejectUnknownFields(raw, ['targetRegion', 'failedRegion']);
    const targetRegion = regionField(raw, 'targetRegion', topology);
    const failedRegion = regionField(raw, 'failedRegion', topology, otherRegion(topology, targetRegion));
    requireDifferentRegions('failedRegion', failedRegion, 'targetRegion', targetRegion);
    return { targetRegion, failedRegion };
  },
  steps: (topology) => [
    validateTarget<FailoverInput>((input) => `the failed Region is ${input.failedRegion}`),
    restoreTargetCapacity<FailoverInput>({ bestEffort: true }),
    scaleToPeak<FailoverInput>('unplanned'),
    waitForPeakCapacity<FailoverInput>('unplanned'),
    // The failed Region is fenced before its writers move: in arc-cluster mode right after the traffic (one routing
    // flip), in region-switch mode before the plan, which moves the writers one database at a time and DNS last.
    ...(topology.routing.mode === 'region-switch'
      ? [fenceFailedRegion<FailoverInput>(), moveTraffic<FailoverInput>(topology, 'unplanned')]
      : [moveTraffic<FailoverInput>(topology, 'unplanned'), fenceFailedRegion<FailoverInput>()]),
    ...topology.databases.map((db) => startWriterMove<FailoverInput>(db, 'failover')),
    ...topology.databases.map((db) => waitForWriterMove<FailoverInput>(db, 'failover')),
    verifyWriters<FailoverInput>(topology.databases),
    storeSummary<FailoverInput>('failover', (ctx) => {
      const requested = [
        ...topology.databases.map((db) => ctx.optionalOutput(`failover-${db.name}-database`, 'requestedAt')),
        ctx.optionalOutput(REGION_SWITCH_STEP, 'requestedAt'),
      ]
        .filter((v): v is string => typeof v === 'string')
        .sort();
      return {
        failoverAt: requested[0] ?? ctx.executionStartedAt.toISOString(),
        rtoSeconds: Math.round((ctx.ports.clock.now().getTime() - ctx.executionStartedAt.getTime()) / 1000),
      };
    }),
  ],
};
