import { createAwsPorts } from '../adapters/aws/aws-ports';
import { SystemClock } from '../adapters/system-clock';
import { newExecutionId, runOrchestration } from '../core/engine';
import { NonRetriableError } from '../core/errors';
import { formatProgress } from '../core/progress-event';
import { preserveSnapshots } from '../orchestrations/preserve-snapshots';
import type { ClockPort, RunbookPorts } from '../ports';
import type { Topology } from '../topology';
import { readRunbookEnvironment } from './runbook-environment';
import type { InvocationContext } from './step-handler';

/** Why the scheduled runs copy snapshots: kept in each execution's journal. */
export const PRESERVATION_REASON = 'scheduled preservation of unplanned-failover snapshots';

/** The event the schedule sends: the whole `preserve-snapshots` orchestration, in one invocation. */
export const PRESERVATION_EVENT = { orchestration: preserveSnapshots.name } as const;

/** What {@link createPreserveSnapshotsHandler} needs from its environment. */
export interface PreserveSnapshotsHandlerDependencies {
  /** `RUNBOOK_TOPOLOGY` (JSON), `RUNBOOK_BUCKET`, `AWS_REGION`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly clock: ClockPort;
  /** Builds the ports. @default - AWS adapters */
  readonly portsFor?: (topology: Topology, region: string, bucket: string) => RunbookPorts;
  /** Receives progress lines. @default - console.log (CloudWatch Logs) */
  readonly log?: (line: string) => void;
  /** First delay between two tries of a step, in ms. @default 2000 */
  readonly stepRetryDelayMs?: number;
}

/** What one scheduled invocation returns (and logs). */
export interface PreserveSnapshotsResult {
  readonly executionId: string;
  readonly status: 'succeeded';
  /** One line per step: `<step>: <detail>`. */
  readonly detail: string;
}

/** Stop working this long before the invocation ends, so the journal records where the run stopped. */
const SAFETY_MARGIN_MS = 20_000;

/**
 * Builds the handler the schedule invokes in each Region: it runs the whole `preserve-snapshots` orchestration,
 * copying the other Region's unplanned-failover snapshots into this one. Each invocation is a new execution, so
 * every step looks at the snapshots again (steps check before acting, so a run after a crash repeats no copy).
 * A failed run throws: the invocation then counts as a Lambda error, and the next scheduled run tries again.
 */
export function createPreserveSnapshotsHandler(dependencies: PreserveSnapshotsHandlerDependencies) {
  let cached: { topology: Topology; region: string; ports: RunbookPorts } | undefined;
  const setup = () => {
    if (!cached) {
      const { topology, region, bucket } = readRunbookEnvironment(dependencies.environment);
      const ports =
        dependencies.portsFor?.(topology, region, bucket) ??
        createAwsPorts({ topology, region, bucket, clock: dependencies.clock });
      cached = { topology, region, ports };
    }
    return cached;
  };
  const log = dependencies.log ?? ((line: string) => console.log(line));

  return async (event: unknown, context?: InvocationContext): Promise<PreserveSnapshotsResult> => {
    const e = (event ?? {}) as Record<string, unknown>;
    if (Object.keys(e).length !== 1 || e.orchestration !== PRESERVATION_EVENT.orchestration) {
      throw new NonRetriableError(
        `invalid event ${JSON.stringify(event)}; accepted: ${JSON.stringify(PRESERVATION_EVENT)} (the schedule's event)`,
      );
    }
    const { topology, region, ports } = setup();
    const now = dependencies.clock.now();
    const remaining = context?.getRemainingTimeInMillis();
    const result = await runOrchestration({
      orchestration: preserveSnapshots,
      input: preserveSnapshots.parseInput({ targetRegion: region }, topology),
      topology,
      ports,
      reason: PRESERVATION_REASON,
      executionId: newExecutionId(preserveSnapshots.name, now),
      ...(remaining !== undefined
        ? { deadline: new Date(now.getTime() + Math.max(0, remaining - SAFETY_MARGIN_MS)) }
        : {}),
      ...(dependencies.stepRetryDelayMs !== undefined ? { retryDelayMs: dependencies.stepRetryDelayMs } : {}),
      onProgress: (p) => log(formatProgress(p)),
    });
    if (result.status !== 'succeeded') {
      throw new Error(
        `${preserveSnapshots.name} failed at ${result.error?.step ?? 'an unknown step'}: ${result.error?.message ?? result.status}`,
      );
    }
    const detail = result.steps.map((s) => `${s.step}: ${s.detail}`).join('\n');
    log(detail);
    return { executionId: result.executionId, status: 'succeeded', detail };
  };
}

/** The Lambda entry point of the scheduled preservation (AWS adapters, real clock). */
export const preserveSnapshotsHandler = createPreserveSnapshotsHandler({
  environment: process.env,
  clock: new SystemClock(),
});
