import type { ReadinessCheck } from '../readiness-check';

/** `services-healthy`: every health URL of the target Region answers 2xx. */
export const servicesHealthyCheck: ReadinessCheck = {
  name: 'services-healthy',
  title: "The target Region's health URLs answer 2xx",
  scope: 'takeover',
  whenRed:
    "A health URL of the Region that would take over does not answer 2xx: its services would fail the shoppers it receives. Look at the service's tasks and logs in that Region before moving traffic.",
  uses: ['health.checkEndpoints'],
  assess: async (ctx) => {
    const region = ctx.input.targetRegion;
    const urls = ctx.topology.regions[region]?.healthUrls ?? [];
    if (urls.length === 0) return { failures: [], notes: [`no health URLs configured for ${region}`] };
    const results = await ctx.ports.health.checkEndpoints(urls);
    // A URL the checker gave no result for was not checked: not healthy, not unhealthy.
    const answered = new Set(results.map((r) => r.url));
    return {
      failures: results.filter((r) => !r.healthy).map((r) => `${r.url} is unhealthy (${r.detail})`),
      unknowns: urls.filter((u) => !answered.has(u)).map((u) => `${u}: the health checker gave no result for it`),
      notes: results.filter((r) => r.healthy).map((r) => `${r.url} ${r.detail}`),
      evidence: { region, endpoints: results.map((r) => ({ url: r.url, healthy: r.healthy, detail: r.detail })) },
    };
  },
};
