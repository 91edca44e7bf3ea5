import { messageOf } from '../../core/errors';
import { checkRegions } from '../check-regions';
import { onlyInRoutingModes, type ReadinessCheck } from '../readiness-check';

/** `routing-controls`: both Regions' routing controls can be read from the ARC cluster. */
export const routingControlsCheck: ReadinessCheck = onlyInRoutingModes(['arc-cluster'], {
  name: 'routing-controls',
  title: 'Both routing controls can be read from the ARC cluster',
  scope: 'takeover',
  whenRed:
    'The ARC routing controls cannot be read: a failover could not move traffic. Check the cluster endpoints and the routing parameter.',
  uses: ['routing.getStates'],
  assess: async (ctx) => {
    const { target, other } = checkRegions(ctx);
    const regions = [target, other];
    try {
      const states = await ctx.ports.routing.getStates(regions.map((r) => ctx.topology.routing.controls[r]!));
      // A control the answer leaves out (or gives no On/Off for) was not read: the same as one that cannot be.
      const unread = regions.filter((r) => {
        const state = states[ctx.topology.routing.controls[r]!];
        return state !== 'On' && state !== 'Off';
      });
      return {
        failures: unread.map((r) => {
          const control = ctx.topology.routing.controls[r]!;
          const state = states[control];
          return `routing control of ${r} (${control}) cannot be read: ${state === undefined ? 'no state in the answer' : `state ${String(state)}`}; expected: On or Off`;
        }),
        notes: regions.map((r) => `${r} ${states[ctx.topology.routing.controls[r]!]}`),
        evidence: { states: Object.fromEntries(regions.map((r) => [r, states[ctx.topology.routing.controls[r]!]])) },
      };
    } catch (error) {
      return { failures: [`routing controls cannot be read: ${messageOf(error)}`], notes: [] };
    }
  },
});
