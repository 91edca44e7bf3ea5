import { CheckFailedError } from '../core/errors';
import type { Orchestration, Step } from '../core/step';
import {
  checkFailbackCapacity,
  checkFailbackReadiness,
  type FailbackInput,
  OVERRIDES_INPUT,
  parseOverrides,
} from './failback-readiness';
import { memberIn, writerSettledIn } from './global-database-state';
import { rejectUnknownFields } from './input-fields';
import { MAX_LAG_INPUT } from './readiness';
import { restoreScalingBaseline } from './restore-scaling-baseline';
import { parsePlannedMoveInput, plannedMoveSteps, type SwitchoverInput } from './switchover';
import { validateTarget } from './validate-step';

export type { FailbackInput } from './failback-readiness';

/**
 * Checks that the old primary Region has rejoined every global database: a member there, `connected` (not
 * `pending-resync`) and `available`. After an unplanned failover Aurora rebuilds the old primary as a secondary when
 * its Region comes back; until then a switchover to it is impossible.
 */
function checkRejoined<I extends SwitchoverInput>(): Step<I> {
  return {
    name: 'check-rejoined',
    kind: 'check',
    title: 'The target Region has rejoined every global database as a connected, available member',
    uses: ['globalDatabase.describe'],
    describe: (ctx) => `check each global database's member in ${ctx.input.targetRegion} is connected and available`,
    check: async (ctx) => {
      for (const db of ctx.topology.databases) {
        const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, ctx.input.targetRegion);
        if (!writerSettledIn(state, ctx.input.targetRegion))
          return { state: 'pending', detail: 'not every writer is there yet' };
      }
      return { state: 'done', detail: `every writer is already in ${ctx.input.targetRegion}` };
    },
    run: async (ctx) => {
      const region = ctx.input.targetRegion;
      const failures: string[] = [];
      const found: string[] = [];
      for (const db of ctx.topology.databases) {
        const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, region);
        const member = memberIn(state, region);
        if (!member) failures.push(`${db.globalClusterIdentifier}: no member in ${region} yet`);
        else if (member.synchronization === 'pending-resync') {
          failures.push(`${db.globalClusterIdentifier}: ${member.clusterIdentifier} is pending-resync`);
        } else if ((member.clusterStatus ?? 'available') !== 'available') {
          failures.push(`${db.globalClusterIdentifier}: ${member.clusterIdentifier} is ${member.clusterStatus}`);
        } else found.push(`${db.name}: ${member.clusterIdentifier}`);
      }
      if (failures.length > 0) {
        throw new CheckFailedError(failures, `${region} has not rejoined yet; run failback again once it has`);
      }
      return { detail: `rejoined: ${found.join(', ')}` };
    },
  };
}

/**
 * `failback`: after a failover, move writers and traffic back to the original primary Region once it has rejoined,
 * as a planned switchover (no data loss). The target defaults to the topology's primary Region.
 *
 * Before anything changes, the failback readiness judges the returning Region (healthy for
 * `readiness.failbackHealthyMinutes`, caught up, canaries green); then it is scaled up to its share of the other
 * Region's peak and its capacity judged (`capacity-in-place`). Each refuses, naming every unmet condition, unless the
 * `overrides` input waives it (the summary records what was). After the traffic moved back, both Regions' scaling
 * minimums and the Region left's desired counts return to their baseline.
 */
export const failback: Orchestration<FailbackInput> = {
  name: 'failback',
  title: 'Failback: once the old primary Region has rejoined, switch writers and traffic back to it',
  mutates: true,
  inputs: [
    {
      name: 'targetRegion',
      type: 'region',
      required: false,
      defaultText: 'the primary Region of the topology',
      description: 'The Region to move back to (the original primary).',
    },
    MAX_LAG_INPUT,
    OVERRIDES_INPUT,
  ],
  parseInput: (raw, topology) => {
    rejectUnknownFields(raw, ['targetRegion', 'maxLagSeconds', 'overrides']);
    const { overrides: _overrides, ...planned } = raw;
    return { ...parsePlannedMoveInput(planned, topology, topology.primaryRegion), overrides: parseOverrides(raw) };
  },
  steps: (topology) => [
    validateTarget<FailbackInput>(),
    checkRejoined<FailbackInput>(),
    ...plannedMoveSteps<FailbackInput>('failback', topology, {
      scaleUp: 'judged',
      beforeScaleUp: [checkFailbackReadiness()],
      afterScaleUp: [checkFailbackCapacity()],
      afterMove: [restoreScalingBaseline<FailbackInput>()],
      summary: (ctx) => ({
        overrides: ctx.input.overrides.join(','),
        overridden: ['check-failback-readiness', 'check-failback-capacity']
          .map((step) => String(ctx.optionalOutput(step, 'overridden') ?? ''))
          .filter(Boolean)
          .join(','),
      }),
    }),
  ],
};
