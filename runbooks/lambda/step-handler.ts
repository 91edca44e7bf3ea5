import { z } from 'zod';
import { createAwsPorts } from '../adapters/aws/aws-ports';
import { SystemClock } from '../adapters/system-clock';
import { runOrchestration } from '../core/engine';
import { NonRetriableError } from '../core/errors';
import { formatProgress } from '../core/progress-event';
import { ORCHESTRATION_NAMES, ORCHESTRATIONS } from '../orchestrations';
import type { ClockPort, RunbookPorts } from '../ports';
import { parseTopology, type Topology } from '../topology';

/** Keys of the event that are not orchestration input. */
const META = ['orchestration', 'step', 'executionId', 'resumeExecutionId', 'dryRun', 'reason'] as const;

const eventSchema = z
  .object({
    orchestration: z.enum(ORCHESTRATION_NAMES as [string, ...string[]]),
    step: z.string().optional(),
    executionId: z.string().min(1),
    resumeExecutionId: z.string().optional(),
    dryRun: z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true'),
    reason: z.string().optional(),
  })
  .catchall(z.unknown());

/** What the handler returns to SSM (the step's output). */
export interface StepHandlerResult {
  readonly orchestration: string;
  readonly executionId: string;
  readonly step: string;
  readonly status: string;
  readonly detail: string;
  readonly outputs?: Readonly<Record<string, string | number | boolean>>;
  /** The folder of the execution's reports (summary, reconciliation reports), from the `store-summary` step. */
  readonly reportUrl?: string;
}

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
}

/** Stop working this long before the invocation ends, so the step can record its state. */
const SAFETY_MARGIN_MS = 20_000;

function required(environment: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = environment[name];
  if (!value) throw new NonRetriableError(`environment variable ${name} is not set; the runbook stack sets it`);
  return value;
}

/**
 * Builds the Lambda handler that runs one step of an orchestration (or, with `dryRun`, plans the whole one).
 * Thin: validates the event, builds the adapters, hands over to the engine, returns the step's result, and throws
 * when the step failed so the SSM step fails.
 */
export function createStepHandler(dependencies: StepHandlerDependencies) {
  let cached: { topology: Topology; region: string; bucket: string; ports: RunbookPorts } | undefined;
  const setup = () => {
    if (!cached) {
      const env = dependencies.environment;
      let raw: unknown;
      try {
        raw = JSON.parse(required(env, 'RUNBOOK_TOPOLOGY'));
      } catch (error) {
        if (error instanceof NonRetriableError) throw error;
        throw new NonRetriableError('environment variable RUNBOOK_TOPOLOGY is not valid JSON');
      }
      const topology = parseTopology(raw, 'environment variable RUNBOOK_TOPOLOGY');
      const region = required(env, 'AWS_REGION');
      const bucket = required(env, 'RUNBOOK_BUCKET');
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
      throw new NonRetriableError(
        `invalid event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`,
      );
    }
    const e = parsed.data;
    const { topology, region, ports } = setup();
    const orchestration = ORCHESTRATIONS[e.orchestration]!;
    const fields = Object.fromEntries(
      Object.entries(e).filter(([key, value]) => !(META as readonly string[]).includes(key) && value !== ''),
    );
    const input = orchestration.parseInput(fields, topology) as { targetRegion?: string };
    if (orchestration.mutates && !e.dryRun && input.targetRegion !== undefined && input.targetRegion !== region) {
      throw new NonRetriableError(
        `targetRegion: ${input.targetRegion}, but this runbook runs in ${region}; start the automation in ${input.targetRegion} (the runbook runs from the Region that takes over)`,
      );
    }
    if (!e.dryRun && !e.step) throw new NonRetriableError('step: required unless dryRun is true');
    const executionId = e.resumeExecutionId || e.executionId;
    const remaining = context?.getRemainingTimeInMillis();
    const result = await runOrchestration({
      orchestration,
      input,
      topology,
      ports,
      executionId,
      dryRun: e.dryRun,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.step && !e.dryRun ? { onlyStep: e.step } : {}),
      ...(remaining !== undefined
        ? { deadline: new Date(dependencies.clock.now().getTime() + Math.max(0, remaining - SAFETY_MARGIN_MS)) }
        : {}),
      onProgress: (p) => log(formatProgress(p)),
    });
    if (result.status === 'failed') throw new Error(result.error?.message ?? 'the step failed');
    const report = e.dryRun ? undefined : result.steps.find((s) => s.step === e.step);
    const summary = report?.outputs?.summary;
    return {
      orchestration: orchestration.name,
      executionId: result.executionId,
      step: e.step ?? 'plan',
      status: report?.status ?? result.status,
      detail: report?.detail ?? result.steps.map((s) => `${s.step}: ${s.detail}`).join('\n'),
      ...(report?.outputs ? { outputs: report.outputs } : {}),
      ...(typeof summary === 'string' ? { reportUrl: summary.slice(0, summary.lastIndexOf('/') + 1) } : {}),
    };
  };
}

/** The Lambda entry point (AWS adapters, real clock). */
export const handler = createStepHandler({ environment: process.env, clock: new SystemClock() });
