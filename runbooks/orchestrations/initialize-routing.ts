import { NonRetriableError } from '../core/errors';
import type { Orchestration, Step } from '../core/step';
import type { RoutingControlState } from '../ports';
import { otherRegion } from '../topology';
import type { TargetInput } from './database-steps';
import { writerOf } from './global-database-state';
import { regionField, rejectUnknownFields } from './input-fields';
import { validateTarget } from './validate-step';

/**
 * Turns the target Region's routing control On (and the other's Off, in one request) only while NO Region's control is
 * On. ARC creates routing controls Off ("The routing controls are off by default"), and with both Off every
 * RECOVERY_CONTROL health check is unhealthy, so Route 53 "considers all the records in the group to be healthy"
 * and serves the primary only by that fail-open rule. Any control already On means traffic is routed on purpose
 * (perhaps after a failover): nothing is changed then, so running this after every deploy is safe.
 */
function initializeControls(): Step<TargetInput> {
  return {
    name: 'initialize-routing-controls',
    kind: 'action',
    title: "While no Region's routing control is On, turn the target's On and the other's Off in one request",
    uses: ['routing.getStates', 'routing.setStates', 'globalDatabase.describe'],
    describe: (ctx) =>
      `if every routing control is Off: UpdateRoutingControlStates ${ctx.input.targetRegion} On, ${otherRegion(ctx.topology, ctx.input.targetRegion)} Off`,
    check: async (ctx) => {
      const controls = ctx.topology.routing.controls;
      const states = await ctx.ports.routing.getStates(Object.values(controls));
      const on = Object.entries(controls).filter(([, control]) => states[control] === 'On');
      return on.length > 0
        ? { state: 'done', detail: `already routed: ${on.map(([region]) => region).join(', ')} On; nothing changed` }
        : { state: 'pending', detail: 'every routing control is Off' };
    },
    run: async (ctx) => {
      const target = ctx.input.targetRegion;
      for (const db of ctx.topology.databases) {
        const writer = writerOf(await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, target));
        if (writer?.region !== target) {
          throw new NonRetriableError(
            `targetRegion: ${target} does not hold the writer of ${db.globalClusterIdentifier} (it is in ${writer?.region ?? 'no Region'}); accepted: the Region of the writers`,
          );
        }
      }
      const other = otherRegion(ctx.topology, target);
      const wanted: { region: string; state: RoutingControlState }[] = [
        { region: target, state: 'On' },
        { region: other, state: 'Off' },
      ];
      await ctx.ports.routing.setStates(
        wanted.map((w) => ({ control: ctx.topology.routing.controls[w.region]!, state: w.state })),
      );
      return { detail: `routing initialized: ${target} On, ${other} Off` };
    },
  };
}

/**
 * Routing mode `region-switch` has no routing controls: the plan's own Route 53 health checks decide which failover
 * record answers, and only a plan execution changes them. The step says so and changes nothing (so a deploy that runs
 * `initialize-routing` in either mode still succeeds).
 */
function noControlsToInitialize(): Step<TargetInput> {
  return {
    name: 'initialize-routing-controls',
    kind: 'check',
    title: 'Routing mode region-switch: no routing controls to initialize',
    uses: [],
    describe: () => 'nothing: routing mode region-switch has no ARC routing controls (the Region switch plan routes)',
    check: async () => ({
      state: 'done',
      detail:
        'routing mode region-switch: no ARC routing controls to initialize; the Region switch plan moves DNS when it runs (nothing changed)',
    }),
    run: async () => ({ detail: 'nothing to do in routing mode region-switch' }),
  };
}

/**
 * `initialize-routing`: after the first deploy, route traffic to the Region of the writers by its routing control
 * instead of by Route 53's fail-open rule. Changes nothing once any control is On.
 */
export const initializeRouting: Orchestration<TargetInput> = {
  name: 'initialize-routing',
  title: "After the first deploy: turn the primary Region's routing control On while no Region's is",
  mutates: true,
  inputs: [
    {
      name: 'targetRegion',
      type: 'region',
      required: false,
      defaultText: 'the primary Region of the topology',
      description: 'The Region that takes traffic first (it must hold the writers).',
    },
  ],
  parseInput: (raw, topology) => {
    rejectUnknownFields(raw, ['targetRegion']);
    return { targetRegion: regionField(raw, 'targetRegion', topology, topology.primaryRegion) };
  },
  steps: (topology) => [
    validateTarget<TargetInput>(),
    topology.routing.mode === 'region-switch' ? noControlsToInitialize() : initializeControls(),
  ],
};
