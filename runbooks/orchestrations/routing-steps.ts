import { RetriableError } from '../core/errors';
import type { Step } from '../core/step';
import type { RoutingControlState } from '../ports';
import { otherRegion, type Topology } from '../topology';
import type { TargetInput } from './database-steps';

function wanted(topology: Topology, target: string): { arn: string; region: string; state: RoutingControlState }[] {
  const other = otherRegion(topology, target);
  return [
    { arn: topology.routing.controls[target]!, region: target, state: 'On' },
    { arn: topology.routing.controls[other]!, region: other, state: 'Off' },
  ];
}

const show = (list: { region: string; state: string }[]) => list.map((c) => `${c.region} ${c.state}`).join(', ');

/**
 * Sends the traffic to the target Region: its routing control On and the other Region's Off, in ONE
 * `UpdateRoutingControlStates` request, so the safety rule ("at least one Region on") only ever judges the final
 * state. The check reads both controls first; the run reads them back after the change.
 */
export function shiftTraffic<I extends TargetInput>(): Step<I> {
  return {
    name: 'shift-traffic',
    kind: 'action',
    title: "Set the target Region's routing control On and the other Region's Off in one request",
    uses: ['routing.getStates', 'routing.setStates'],
    describe: (ctx) =>
      `UpdateRoutingControlStates: ${show(wanted(ctx.topology, ctx.input.targetRegion))} (one request, so the safety rule never sees both Regions off)`,
    check: async (ctx) => {
      const controls = wanted(ctx.topology, ctx.input.targetRegion);
      const states = await ctx.ports.routing.getStates(controls.map((c) => c.arn));
      const now = controls.map((c) => ({ region: c.region, state: states[c.arn] ?? 'unknown' }));
      return controls.every((c) => states[c.arn] === c.state)
        ? { state: 'done', detail: `routing controls already ${show(now)}` }
        : { state: 'pending', detail: `routing controls are ${show(now)}` };
    },
    run: async (ctx) => {
      const controls = wanted(ctx.topology, ctx.input.targetRegion);
      await ctx.ports.routing.setStates(controls.map((c) => ({ control: c.arn, state: c.state })));
      const states = await ctx.ports.routing.getStates(controls.map((c) => c.arn));
      const now = controls.map((c) => ({ region: c.region, state: states[c.arn] ?? 'unknown' }));
      if (!controls.every((c) => states[c.arn] === c.state)) {
        throw new RetriableError(
          `routing controls read back as ${show(now)} after the update; expected ${show(controls)}`,
        );
      }
      return { detail: `routing controls now ${show(now)}` };
    },
  };
}
