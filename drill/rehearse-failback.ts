import type { RunResult } from '../runbooks/core/engine';
import { failback } from '../runbooks/orchestrations';
import type { FailbackCondition } from '../runbooks/orchestrations/failback-readiness';
import type { CanaryRun } from './canary/run-canary';
import type { DrillConsole } from './drill-console';
import type { DrillRunbooks } from './drill-runbooks';
import { DRILL_DATABASES } from './drill-topology';
import type { DrillReport } from './report/drill-report';
import { whileWaiting } from './report/progress-ticker';
import type { Timeline } from './report/timeline';
import type { TrafficGenerator } from './traffic/traffic-generator';
import type { TwoRegionShop } from './two-region-shop';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What {@link rehearseFailback} works with. */
export interface FailbackRehearsal {
  readonly shop: TwoRegionShop;
  readonly generator: TrafficGenerator;
  readonly runbooks: DrillRunbooks;
  readonly console: DrillConsole;
  readonly timeline: Timeline;
  readonly report: DrillReport;
  /** How long to wait for a checkout after the failback. */
  readonly checkoutWaitMs: number;
  /** Runs the journey canary (resolves undefined when Chromium is missing). */
  readonly canary?: (when: 'before-failback') => Promise<CanaryRun | undefined>;
  /** Why the canary does not run (Chromium missing); undefined when it runs. */
  readonly canarySkipped?: string;
}

/**
 * The failback readiness conditions the drill waives when its canary is skipped: the returning Region then has no
 * canary alarm, and the failback refuses without one (how long the Region has been healthy cannot be told).
 */
export const CANARY_SKIPPED_OVERRIDES: readonly FailbackCondition[] = ['healthy-long-enough', 'canaries-green'];

/**
 * `--failback`: the failed Region is rebuilt as a standby Region (saying what is still awaited while it takes its
 * 15-20 s), the runbooks' failback orchestration moves the shop back to it, and a checkout must then be served by
 * it. Fills `report.failback`; adds a failure when the orchestration fails, no checkout comes, or another Region
 * serves it.
 */
export async function rehearseFailback(r: FailbackRehearsal): Promise<RunResult> {
  const { shop, generator, report, timeline } = r;
  const { primary, standby } = report.regions;
  const say = (line: string) => r.console.say(line);
  generator.resume();
  // Rebuilding takes 15-20 s on 2 cores: say what is still awaited every few seconds (review F10).
  const rebuildFrom = Date.now();
  const awaited = () => {
    const done = (d: string) =>
      timeline.markers.some((m) => m.at >= rebuildFrom && m.label.includes(`${d}: ${primary} rebuilt`));
    const pending = DRILL_DATABASES.filter((d) => !done(d));
    // The dynalite copy and the services signal nothing: once every standby is done they are what is left.
    return pending.length > 0
      ? `Postgres standbys of ${pending.join(', ')} (copies of the writers' data), the dynalite copy and services alongside`
      : 'the dynalite copy and the services to start';
  };
  say(`    failback · rebuilding ${primary} as a standby Region: waiting for ${awaited()}`);
  await whileWaiting(shop.rebuildRegion(primary, standby), {
    print: say,
    describe: (ms) => `    failback · rebuilding ${primary} (${Math.round(ms / 1000)} s): waiting for ${awaited()}`,
  });
  say(`    failback · ${primary} rebuilt in ${((Date.now() - rebuildFrom) / 1000).toFixed(1)} s`);
  // The failback readiness wants the returning Region's canary alarm OK (issue 17): it has had no data since the
  // Region failed, so the canary runs once it is back.
  const run = await r.canary?.('before-failback');
  if (run) say(`    failback · canary before the failback: ${run.status}${run.error ? ` (${run.error})` : ''}`);
  // Without Chromium there is no canary alarm to judge: waive what it decides, and say so (never silently). A canary
  // that ran and failed is judged: its ALARM refuses the failback (fail closed).
  const overrides =
    r.canarySkipped === undefined
      ? null
      : { conditions: [...CANARY_SKIPPED_OVERRIDES], reason: `canary skipped (no Chromium: ${r.canarySkipped})` };
  if (overrides) {
    say(
      `    failback · ${overrides.reason}: the failback readiness runs with overrides=${overrides.conditions.join(',')}`,
    );
  }
  const result = await r.runbooks.run(
    failback,
    { targetRegion: primary, ...(overrides ? { overrides: overrides.conditions.join(',') } : {}) },
    `drill: ${primary} has rejoined`,
  );
  const failbackEnd = Date.now();
  if (result.status === 'succeeded') await shop.replicateTablesFrom(primary);
  let region: string | null = null;
  try {
    await generator.waitFor(
      () => generator.orders.some((o) => o.ackAt > failbackEnd),
      r.checkoutWaitMs,
      'a checkout after the failback',
    );
    region = generator.orders.find((o) => o.ackAt > failbackEnd)!.region;
  } catch (error) {
    report.failures.push(`the shop is not serving checkouts after failback: ${message(error)}`);
  }
  report.failback = {
    status: result.status === 'succeeded' ? 'succeeded' : 'failed',
    description:
      `${primary} was rebuilt as a standby Region (Postgres: copies of the stopped writers' data directories, ` +
      `the writers down about a second each; dynalite: a full copy; services restarted), then the runbooks' ` +
      `failback orchestration ran: readiness gate, failback readiness (${overrides ? `caught up; ${overrides.reason}: ${overrides.conditions.join(', ')} overridden` : 'the Region healthy, its canary OK, caught up'}; scaled to the other Region's peak first), switchover of each global database (writer read-only, ` +
      `standby caught up, writer stopped cleanly, standby promoted, old writer following the new timeline), ` +
      `traffic back to ${primary}, then both Regions' task counts back to their baseline.`,
    rejoin: Object.fromEntries(DRILL_DATABASES.map((d) => [d, shop.clusters[d].rejoinMethod ?? 'not switched over'])),
    checkout_after_failback_region: region,
    acknowledged_missing_after_failback: 0,
    readiness_overrides: overrides,
  };
  if (result.status !== 'succeeded') {
    report.failures.push(`the failback orchestration failed: ${result.error?.step}: ${result.error?.message}`);
  }
  if (region !== null && region !== primary) {
    report.failures.push(`after failback a checkout was served by ${region}, not ${primary}`);
  }
  return result;
}
