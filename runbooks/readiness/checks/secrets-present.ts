import type { ReadinessCheck } from '../readiness-check';

/** `secrets-present`: the secrets the services and the runbooks need exist in the target Region. */
export const secretsPresentCheck: ReadinessCheck = {
  name: 'secrets-present',
  title: 'The secrets the services and the runbook need exist in the target Region',
  scope: 'takeover',
  whenRed:
    "A secret the services or the runbooks need is missing in the Region that would take over: its services or the recovery would fail there. Check the secret's replication.",
  uses: ['health.secretsPresent'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const ids = [
      ...new Set([
        ...(ctx.topology.regions[region]?.secretIds ?? []),
        ...ctx.topology.databases.map((d) => d.secretId),
      ]),
    ];
    const present = await ctx.ports.health.secretsPresent(region, ids);
    return {
      failures: ids.filter((id) => !present[id]).map((id) => `secret ${id} is missing in ${region}`),
      notes: [`${ids.filter((id) => present[id]).length}/${ids.length} secrets present`],
      evidence: { region, present: Object.fromEntries(ids.map((id) => [id, present[id] === true])) },
    };
  },
};
