import { createAwsPorts } from '../adapters/aws/aws-ports';
import {
  CloudWatchReadinessMetricsPublisher,
  type ReadinessDatapoint,
  type ReadinessMetricsPublisher,
} from '../adapters/aws/readiness-metrics-publisher';
import { SystemClock } from '../adapters/system-clock';
import { messageOf, NonRetriableError } from '../core/errors';
import { readiness } from '../orchestrations/readiness';
import type { ClockPort, PortMethod, RunbookPorts } from '../ports';
import { evaluateReadiness, type ReadinessEvaluation } from '../readiness/evaluate-readiness';
import { readOtherRegionPeak } from '../readiness/other-region-peak';
import type { ReadinessCheck, ReadinessContext, ReadinessVerdict } from '../readiness/readiness-check';
import { READINESS_CHECKS } from '../readiness/readiness-checks';
import { OVERALL_CHECK } from '../readiness/readiness-metrics';
import { READINESS_LATEST_KEY, readinessRecordOf, readinessRunKey } from '../readiness/readiness-record';
import { otherRegion, type Topology } from '../topology';
import { readRunbookEnvironment } from './runbook-environment';
import type { InvocationContext } from './step-handler';

/** The event the schedule sends: one run of every readiness check for the Region the function runs in. */
export const READINESS_EVENT = { run: 'readiness' } as const;

/** The checks of every scheduled run: all of them, takeover and standing. */
export const SCHEDULED_READINESS_CHECKS: readonly ReadinessCheck[] = READINESS_CHECKS;

/**
 * The port methods a scheduled run calls with `checks`: what they declare, the read of the other Region's peak (and
 * the clock stamping it) and the two record writes (the stack derives the function's policy from this list; the
 * metrics are granted apart).
 */
export function scheduledReadinessMethods(
  checks: readonly ReadinessCheck[] = SCHEDULED_READINESS_CHECKS,
): PortMethod[] {
  const methods = new Set<PortMethod>(['clock.now', 'facts.peakRunningTasks', 'reports.putJson']);
  for (const check of checks) for (const method of check.uses) methods.add(method);
  return [...methods].sort();
}

/** What {@link createReadinessHandler} needs from its environment. */
export interface ReadinessHandlerDependencies {
  /** `RUNBOOK_TOPOLOGY` (JSON), `RUNBOOK_BUCKET`, `AWS_REGION`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly clock: ClockPort;
  /** Builds the ports. @default - AWS adapters */
  readonly portsFor?: (topology: Topology, region: string, bucket: string) => RunbookPorts;
  /** Builds the metrics publisher. @default - CloudWatch PutMetricData in the function's Region */
  readonly publisherFor?: (topology: Topology, region: string) => ReadinessMetricsPublisher;
  /** The checks of each run. @default SCHEDULED_READINESS_CHECKS */
  readonly checks?: readonly ReadinessCheck[];
  /**
   * The longest one check (and the read of the other Region's peak) may take, in ms of real time: a check that does
   * not answer by then is INCONCLUSIVE, and the run goes on to the next one. @default 60000
   */
  readonly checkTimeoutMs?: number;
  /** Receives one line per check and one per outcome. @default - console.log (CloudWatch Logs) */
  readonly log?: (line: string) => void;
}

/** What one scheduled invocation returns (and logs). */
export interface ReadinessRunResult {
  readonly verdict: ReadinessVerdict;
  /** Each check's verdict, in the order run. */
  readonly checks: Readonly<Record<string, ReadinessVerdict>>;
  /** Where this run's record went (`s3://…/readiness/runs/…`). */
  readonly record: string;
  /** Where the latest record went (`s3://…/readiness/latest.json`). */
  readonly latest: string;
  /** Data points published (one per check and the overall one). */
  readonly published: number;
}

/** Stop starting checks this long before the invocation ends, so the record and the metrics are still written. */
const SAFETY_MARGIN_MS = 30_000;

/**
 * The data points of one evaluation: `CheckGreen` 1 for a GREEN check, 0 for RED or INCONCLUSIVE (fail closed), and
 * the overall one with `Check` = {@link OVERALL_CHECK}.
 */
export function readinessDatapoints(evaluation: ReadinessEvaluation): ReadinessDatapoint[] {
  const green = (verdict: ReadinessVerdict): 0 | 1 => (verdict === 'GREEN' ? 1 : 0);
  return [
    ...evaluation.checks.map((c) => ({ check: c.name, value: green(c.verdict) })),
    { check: OVERALL_CHECK, value: green(evaluation.verdict) },
  ];
}

/**
 * A check that gives up after `budgetMs()` of real time: a hung API call then makes it INCONCLUSIVE (evaluateReadiness
 * turns the throw into an unknown) instead of using up the invocation, so the record and the metrics still go out.
 */
function bounded(check: ReadinessCheck, budgetMs: () => number): ReadinessCheck {
  return {
    ...check,
    assess: (ctx) =>
      withinBudget(() => check.assess(ctx), budgetMs(), 'not run: the invocation had no time left for it'),
  };
}

/** Starts `work` only with time left, and gives up on it after `ms`. */
async function withinBudget<T>(work: () => Promise<T>, ms: number, noTime: string): Promise<T> {
  if (ms <= 0) throw new Error(noTime);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${Math.ceil(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Builds the handler the schedule invokes in each Region: it runs every readiness check (takeover and standing) with
 * the Region it runs in as the target, writes a `readiness-record@1` to the report bucket — this run's
 * (`readiness/runs/…`) and the latest (`readiness/latest.json`), with the other Region's peak task counts when they
 * could be read — and publishes one `CheckGreen` data point per check and an overall one. Red or INCONCLUSIVE
 * checks do not fail the invocation (the metrics and the alarm say it); a record or the metrics that could not be
 * written do, after everything that could be written was: the Lambda `Errors` metric shows it, and the alarm, which
 * treats missing data as breaching, goes off when the metrics stop.
 */
export function createReadinessHandler(dependencies: ReadinessHandlerDependencies) {
  let cached: { topology: Topology; region: string; ports: RunbookPorts; publisher: ReadinessMetricsPublisher };
  const setup = () => {
    if (!cached) {
      const { topology, region, bucket } = readRunbookEnvironment(dependencies.environment);
      const ports =
        dependencies.portsFor?.(topology, region, bucket) ??
        createAwsPorts({ topology, region, bucket, clock: dependencies.clock });
      const publisher =
        dependencies.publisherFor?.(topology, region) ??
        new CloudWatchReadinessMetricsPublisher({ region, appName: topology.appName, envName: topology.envName });
      cached = { topology, region, ports, publisher };
    }
    return cached;
  };
  const log = dependencies.log ?? ((line: string) => console.log(line));
  const checks = dependencies.checks ?? SCHEDULED_READINESS_CHECKS;
  const checkTimeoutMs = dependencies.checkTimeoutMs ?? 60_000;

  return async (event: unknown, context?: InvocationContext): Promise<ReadinessRunResult> => {
    const e = (event ?? {}) as Record<string, unknown>;
    if (Object.keys(e).length !== 1 || e.run !== READINESS_EVENT.run) {
      throw new NonRetriableError(
        `invalid event ${JSON.stringify(event)}; accepted: ${JSON.stringify(READINESS_EVENT)} (the schedule's event)`,
      );
    }
    const { topology, region, ports, publisher } = setup();
    const remaining = context?.getRemainingTimeInMillis();
    const deadline = remaining === undefined ? Number.POSITIVE_INFINITY : Date.now() + remaining - SAFETY_MARGIN_MS;
    const budget = () => Math.min(checkTimeoutMs, deadline - Date.now());

    const startedAt = dependencies.clock.now();
    const ctx: ReadinessContext = {
      input: readiness.parseInput({ targetRegion: region }, topology),
      topology,
      ports,
    };
    const evaluation = await evaluateReadiness(
      ctx,
      checks.map((c) => bounded(c, budget)),
    );
    for (const c of evaluation.checks) {
      log(`${c.name}: ${c.verdict}${[...c.failures, ...c.unknowns].map((line) => `\n  - ${line}`).join('')}`);
    }
    const other = otherRegion(topology, region);
    const { peak: otherRegionPeak, problem } = await readOtherRegionPeak(topology, other, ports, budget());
    if (problem) log(`other Region's peak: ${problem}`);
    const record = readinessRecordOf({
      appName: topology.appName,
      envName: topology.envName,
      region,
      otherRegion: other,
      startedAt,
      finishedAt: dependencies.clock.now(),
      evaluation,
      otherRegionPeak,
    });

    // Each write is tried whatever happened to the others: the metrics (what the alarm reads), this run's record,
    // then the latest one (what readiness.yml and a failover read).
    const datapoints = readinessDatapoints(evaluation);
    const [metrics, run, latest] = await Promise.allSettled([
      publisher.publish(startedAt, datapoints),
      ports.reports.putJson(readinessRunKey(startedAt), record),
      ports.reports.putJson(READINESS_LATEST_KEY, record),
    ]);
    const failed = [
      metrics.status === 'rejected' ? `the metrics were not published: ${messageOf(metrics.reason)}` : undefined,
      run.status === 'rejected' ? `the run's record was not written: ${messageOf(run.reason)}` : undefined,
      latest.status === 'rejected' ? `${READINESS_LATEST_KEY} was not written: ${messageOf(latest.reason)}` : undefined,
    ].filter((line): line is string => line !== undefined);
    if (failed.length > 0) {
      throw new Error(`readiness ${evaluation.verdict} for ${region}, but ${failed.join('; ')}`);
    }
    const result: ReadinessRunResult = {
      verdict: evaluation.verdict,
      checks: Object.fromEntries(evaluation.checks.map((c) => [c.name, c.verdict])),
      record: (run as PromiseFulfilledResult<string>).value,
      latest: (latest as PromiseFulfilledResult<string>).value,
      published: datapoints.length,
    };
    log(`readiness ${result.verdict} for ${region}: ${result.record}, ${result.published} data points`);
    return result;
  };
}

/** The Lambda entry point of the scheduled readiness (AWS adapters, real clock). */
export const readinessHandler = createReadinessHandler({ environment: process.env, clock: new SystemClock() });
