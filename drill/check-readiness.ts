import type { DrillContext } from './drill-context';
import { preflightFailure, preflightReadiness } from './preflight-readiness';
import { preflightReport } from './report/readiness-figures';

/**
 * Decides whether the drill goes on to the fault (issue 17): every readiness check for both Regions on the running
 * shop, as the scheduled run in AWS evaluates them ({@link preflightReadiness}). The result goes into drill.json
 * (`readiness.preflight`); a Region that is RED or INCONCLUSIVE stops the drill with each such check, its Region and
 * what it found, before anything is broken: a failover rehearsed to a Region that is not ready proves nothing.
 */
export async function checkReadiness(ctx: DrillContext): Promise<void> {
  const { shop, report } = ctx;
  await ctx.console.phase(
    'preflight',
    `readiness preflight: every readiness check for ${report.regions.primary} and ${report.regions.standby}`,
    async () => {
      const found = await preflightReadiness(shop.topology, ctx.ports.ports);
      report.readiness.preflight = preflightReport(found);
      const failure = preflightFailure(found);
      if (failure) throw new Error(failure);
      return found;
    },
    (found) =>
      `${found.verdict}: ${Object.entries(found.regions)
        .map(([region, e]) => `${region} ${e.verdict} (${e.checks.length} checks)`)
        .join(', ')}; record ${found.record}`,
  );
}
