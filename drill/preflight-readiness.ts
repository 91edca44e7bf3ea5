import { DEFAULT_MAX_LAG_SECONDS } from '../runbooks/orchestrations/readiness';
import type { RunbookPorts } from '../runbooks/ports';
import { evaluateReadiness, type ReadinessEvaluation } from '../runbooks/readiness/evaluate-readiness';
import { readOtherRegionPeak } from '../runbooks/readiness/other-region-peak';
import type { ReadinessCheck, ReadinessVerdict } from '../runbooks/readiness/readiness-check';
import { overallVerdict } from '../runbooks/readiness/readiness-check';
import { READINESS_CHECKS } from '../runbooks/readiness/readiness-checks';
import { READINESS_LATEST_KEY, readinessRecordOf, readinessRunKey } from '../runbooks/readiness/readiness-record';
import { otherRegion, type Topology } from '../runbooks/topology';

/** What {@link preflightReadiness} found. */
export interface PreflightResult {
  /** RED if a Region is, else INCONCLUSIVE if one is, else GREEN. */
  readonly verdict: ReadinessVerdict;
  /** Each Region's evaluation, every check with the Region as the one that would take over. */
  readonly regions: Readonly<Record<string, ReadinessEvaluation>>;
  /** One line per check that is not GREEN: the Region, the check, its verdict and what it found or could not read. */
  readonly failures: readonly string[];
  /** Where the record of the Region a failover would move to was stored. */
  readonly record: string;
}

/** Options of {@link preflightReadiness}. */
export interface PreflightOptions {
  /** @default every readiness check (READINESS_CHECKS) */
  readonly checks?: readonly ReadinessCheck[];
  /** Highest acceptable replication lag, seconds. @default DEFAULT_MAX_LAG_SECONDS of the readiness orchestration */
  readonly maxLagSeconds?: number;
}

/**
 * The drill's preflight: before the fault, every readiness check (the ones the scheduled run in AWS evaluates) for
 * both Regions, each as the Region that would take over, through {@link evaluateReadiness} over the drill's ports.
 * The drill stops when a Region is RED or INCONCLUSIVE (fail closed): rehearsing a failover to a Region that is not
 * ready proves nothing. The standby Region's result is stored as the scheduled run there stores it
 * (`readiness-record@1` at `readiness/latest.json` and the run's key, with the primary Region's peak task counts):
 * the failover falls back to that peak when the failed Region no longer answers.
 */
export async function preflightReadiness(
  topology: Topology,
  ports: RunbookPorts,
  options: PreflightOptions = {},
): Promise<PreflightResult> {
  const checks = options.checks ?? READINESS_CHECKS;
  const maxLagSeconds = options.maxLagSeconds ?? DEFAULT_MAX_LAG_SECONDS;
  const startedAt = ports.clock.now();
  const regions: Record<string, ReadinessEvaluation> = {};
  for (const region of [topology.primaryRegion, topology.standbyRegion]) {
    regions[region] = await evaluateReadiness(
      { input: { targetRegion: region, maxLagSeconds }, topology, ports },
      checks,
    );
  }
  const failures = Object.entries(regions).flatMap(([region, evaluation]) =>
    evaluation.checks
      .filter((c) => c.verdict !== 'GREEN')
      .map((c) => `${region} ${c.name} ${c.verdict}: ${[...c.failures, ...c.unknowns].join('; ')}`),
  );
  const record = await storeRecord(
    topology,
    ports,
    topology.standbyRegion,
    regions[topology.standbyRegion]!,
    startedAt,
  );
  return {
    verdict: overallVerdict(Object.values(regions).map((e) => e.verdict)),
    regions,
    failures,
    record,
  };
}

/**
 * Why the drill stops at its preflight, or undefined when both Regions are GREEN: the overall verdict, then each check
 * that is not GREEN with its Region and what it found or could not read. INCONCLUSIVE stops the drill too (fail
 * closed): a check that could not decide has not shown the Region ready.
 */
export function preflightFailure(result: PreflightResult): string | undefined {
  if (result.verdict === 'GREEN') return undefined;
  return `the readiness preflight is ${result.verdict}: ${result.failures.join(' | ')}`;
}

/** How long the preflight waits for the other Region's peak (the scheduled run's per-check budget is 60 s). */
const PEAK_BUDGET_MS = 10_000;

async function storeRecord(
  topology: Topology,
  ports: RunbookPorts,
  region: string,
  evaluation: ReadinessEvaluation,
  startedAt: Date,
): Promise<string> {
  const other = otherRegion(topology, region);
  // No peak: the record says nothing about it, and a failover reads the failed Region's own metrics or goes on.
  const { peak } = await readOtherRegionPeak(topology, other, ports, PEAK_BUDGET_MS);
  const record = readinessRecordOf({
    appName: topology.appName,
    envName: topology.envName,
    region,
    otherRegion: other,
    startedAt,
    finishedAt: ports.clock.now(),
    evaluation,
    otherRegionPeak: peak,
  });
  await ports.reports.putJson(readinessRunKey(startedAt), record);
  return ports.reports.putJson(READINESS_LATEST_KEY, record);
}
