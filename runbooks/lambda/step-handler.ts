import { z } from 'zod';
import { createAwsPorts } from '../adapters/aws/aws-ports';
import { SystemClock } from '../adapters/system-clock';
import { runOrchestration } from '../core/engine';
import { isRetriable, messageOf } from '../core/errors';
import { formatProgress } from '../core/progress-event';
import { ORCHESTRATION_NAMES, ORCHESTRATIONS } from '../orchestrations';
import type { ClockPort, RunbookPorts } from '../ports';
import { STEP_STATUS, type StepOutcome, type StepStatus } from '../ssm/step-outcome';
import { type Topology, TopologyError } from '../topology';
import { readRunbookEnvironment } from './runbook-environment';

/** Keys of the event that are not orchestration input. */
const META = [
  'orchestration',
  'step',
  'executionId',
  'resumeExecutionId',
  'dryRun',
  'reason',
  'attempt',
  'maxAttempts',
] as const;

/**
 * A whole number ≥ 1, given as a number or as digits: how SSM substitutes an Integer into a StringMap is not
 * documented. Anything else is ignored rather than refused (the loop's MaxIterations still bounds the invocations),
 * so an unexpected substitution cannot fail every step.
 */
const count = z.unknown().transform((v) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[1-9]\d*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 1 ? n : undefined;
});

const eventSchema = z
  .object({
    orchestration: z.enum(ORCHESTRATION_NAMES as [string, ...string[]]),
    step: z.string().optional(),
    executionId: z.string().min(1),
    resumeExecutionId: z.string().optional(),
    dryRun: z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true'),
    reason: z.string().optional(),
    /** The loop's `CurrentIteration` (1 for the first invocation). */
    attempt: count.optional(),
    /** The loop's `MaxIterations`. */
    maxAttempts: count.optional(),
  })
  .catchall(z.unknown());

/** What the handler returns to SSM (see {@link StepOutcome}). */
export type StepHandlerResult = StepOutcome;

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** What {@link createStepHandler} needs from its environment. */
export interface StepHandlerDependencies {
  /** `RUNBOOK_TOPOLOGY` (JSON), `RUNBOOK_BUCKET`, `AWS_REGION`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly clock: ClockPort;
  /** Builds the ports. @default - AWS adapters */
  readonly portsFor?: (topology: Topology, region: string, bucket: string) => RunbookPorts;
  /** Receives progress lines. @default - console.log (CloudWatch Logs) */
  readonly log?: (line: string) => void;
  /** First delay between two tries of a step inside one invocation, in ms. @default 2000 */
  readonly stepRetryDelayMs?: number;
}

/** Stop working this long before the invocation ends, so the step can record its state. */
const SAFETY_MARGIN_MS = 20_000;

/**
 * Builds the Lambda handler that runs one step of an orchestration (or, with `dryRun`, plans the whole one).
 * Thin: validates the event, builds the adapters, hands over to the engine, and returns the step's outcome.
 *
 * It never throws: what SSM does with a function error is not documented, so every outcome, an invalid event
 * included, is a {@link StepOutcome} the document's loop and branch read (`$.Retry`, `$.Status`). `Retry` is true
 * while a wait is still waiting at the end of the invocation, or after a retriable failure, as long as the loop has
 * invocations left (`attempt` < `maxAttempts`; when the document did not pass them, the loop's `MaxIterations`
 * stops it).
 */
export function createStepHandler(dependencies: StepHandlerDependencies) {
  let cached: { topology: Topology; region: string; bucket: string; ports: RunbookPorts } | undefined;
  const setup = () => {
    if (!cached) {
      const { topology, region, bucket } = readRunbookEnvironment(dependencies.environment);
      const ports =
        dependencies.portsFor?.(topology, region, bucket) ??
        createAwsPorts({ topology, region, bucket, clock: dependencies.clock });
      cached = { topology, region, bucket, ports };
    }
    return cached;
  };
  const log = dependencies.log ?? ((line: string) => console.log(line));

  return async (event: unknown, context?: InvocationContext): Promise<StepHandlerResult> => {
    const parsed = eventSchema.safeParse(event);
    if (!parsed.success) {
      const detail = `invalid event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`;
      log(detail);
      return { Status: STEP_STATUS.failed, Retry: false, Detail: detail };
    }
    const e = parsed.data;
    const executionId = e.resumeExecutionId || e.executionId;
    const about = {
      Orchestration: e.orchestration,
      Step: e.dryRun ? 'plan' : (e.step ?? ''),
      ExecutionId: executionId,
      ...(e.attempt !== undefined ? { Attempt: e.attempt } : {}),
      ...(e.maxAttempts !== undefined ? { MaxAttempts: e.maxAttempts } : {}),
    };
    const invocationsLeft = e.attempt === undefined || e.maxAttempts === undefined || e.attempt < e.maxAttempts;
    const outcome = (status: StepStatus, retriable: boolean, detail: string, extra: Partial<StepOutcome> = {}) => {
      const retry = status !== STEP_STATUS.succeeded && retriable && invocationsLeft;
      const last =
        status !== STEP_STATUS.succeeded && retriable && !invocationsLeft
          ? `; no invocation left (${e.attempt} of ${e.maxAttempts})${status === STEP_STATUS.pending ? ": the wait's time is up" : ''}`
          : '';
      const result: StepOutcome = { Status: status, Retry: retry, ...about, Detail: `${detail}${last}`, ...extra };
      log(`${result.Step}: ${result.Status}${result.Retry ? ' (invoke again)' : ''}: ${result.Detail}`);
      return result;
    };

    try {
      const { topology, region, ports } = setup();
      const orchestration = ORCHESTRATIONS[e.orchestration]!;
      const fields = Object.fromEntries(
        Object.entries(e).filter(([key, value]) => !(META as readonly string[]).includes(key) && value !== ''),
      );
      const input = orchestration.parseInput(fields, topology) as { targetRegion?: string };
      if (orchestration.mutates && !e.dryRun && input.targetRegion !== undefined && input.targetRegion !== region) {
        return outcome(
          STEP_STATUS.failed,
          false,
          `targetRegion: ${input.targetRegion}, but this runbook runs in ${region}; start the automation in ${input.targetRegion} (the runbook runs from the Region that takes over)`,
        );
      }
      if (!e.dryRun && !e.step) return outcome(STEP_STATUS.failed, false, 'step: required unless dryRun is true');
      const remaining = context?.getRemainingTimeInMillis();
      const deadline =
        remaining === undefined
          ? undefined
          : new Date(dependencies.clock.now().getTime() + Math.max(0, remaining - SAFETY_MARGIN_MS));
      const result = await runOrchestration({
        orchestration,
        input,
        topology,
        ports,
        executionId,
        dryRun: e.dryRun,
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.step && !e.dryRun ? { onlyStep: e.step } : {}),
        ...(deadline ? { deadline } : {}),
        ...(dependencies.stepRetryDelayMs !== undefined ? { retryDelayMs: dependencies.stepRetryDelayMs } : {}),
        onProgress: (p) => log(formatProgress(p)),
      });
      if (e.dryRun) {
        const detail = result.steps.map((s) => `${s.step}: ${s.detail}`).join('\n');
        return result.status === 'failed'
          ? outcome(STEP_STATUS.failed, false, `${result.error?.message ?? 'the plan failed'}\n${detail}`)
          : outcome(STEP_STATUS.succeeded, false, detail);
      }
      if (result.status === 'failed') {
        const error = result.error ?? { message: 'the step failed', retriable: false };
        // A wait that gave up because this invocation's time is up is still waiting, not failing.
        const waiting =
          error.retriable && deadline !== undefined && dependencies.clock.now().getTime() >= deadline.getTime();
        return outcome(waiting ? STEP_STATUS.pending : STEP_STATUS.failed, error.retriable, error.message);
      }
      const report = result.steps.find((s) => s.step === e.step);
      const summary = report?.outputs?.summary;
      return outcome(
        STEP_STATUS.succeeded,
        false,
        report?.status === 'already-done' ? `already done: ${report.detail}` : (report?.detail ?? ''),
        {
          ...(report?.outputs ? { Outputs: report.outputs } : {}),
          ...(typeof summary === 'string' ? { ReportUrl: summary.slice(0, summary.lastIndexOf('/') + 1) } : {}),
        },
      );
    } catch (error) {
      // Thrown before any step ran: a bad topology or input is for good; a journal read that failed may pass.
      const forGood = error instanceof TopologyError || !isRetriable(error);
      return outcome(STEP_STATUS.failed, !forGood, messageOf(error));
    }
  };
}

/** The Lambda entry point (AWS adapters, real clock). */
export const handler = createStepHandler({ environment: process.env, clock: new SystemClock() });
