import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { Journal, JournalEntry, OutputValue, RunbookPorts, StepOutputs } from '../ports';
import type { Topology } from '../topology';
import { isRetriable, messageOf, NonRetriableError, WaitTimeoutError } from './errors';
import type { ProgressEvent } from './progress-event';
import { DEFAULT_RUN_SETTINGS, type Orchestration, type RunSettings, type Step, type StepContext } from './step';

/** Options of {@link runOrchestration}. */
export interface RunOptions<I> {
  readonly orchestration: Orchestration<I>;
  /** Validated input (see {@link Orchestration.parseInput}). */
  readonly input: I;
  readonly topology: Topology;
  readonly ports: RunbookPorts;
  /** Print the plan and run the read-only checks; change and record nothing. @default false */
  readonly dryRun?: boolean;
  /** Why the orchestration runs; required for orchestrations that change something (except dry runs). */
  readonly reason?: string;
  /**
   * The execution to run or resume (a Lambda passes the SSM execution id).
   * @default - resume the orchestration's latest unfinished execution with the same input, else start a new one
   */
  readonly executionId?: string;
  /** Run only this step (one SSM step = one Lambda invocation). @default - every step in order */
  readonly onlyStep?: string;
  readonly settings?: Partial<RunSettings>;
  /** Attempts per step for retriable errors (waits that time out are not retried). @default 3 */
  readonly stepAttempts?: number;
  /** First delay between two attempts of a step, in ms (exponential backoff). @default 2000 */
  readonly retryDelayMs?: number;
  /** Waits give up at this time (e.g. the end of a Lambda invocation). @default - none */
  readonly deadline?: Date;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** What happened to one step in a run. */
export interface StepReport {
  readonly step: string;
  readonly status: 'succeeded' | 'already-done' | 'recorded' | 'planned' | 'failed' | 'not-run';
  readonly detail: string;
  readonly outputs?: StepOutputs;
}

/** What {@link runOrchestration} returns. */
export interface RunResult {
  readonly orchestration: string;
  readonly executionId: string;
  /** `planned`: a dry run whose checks passed. */
  readonly status: 'succeeded' | 'failed' | 'planned';
  readonly resumed: boolean;
  readonly steps: readonly StepReport[];
  /** The first failure (or, for orchestrations that continue after failed checks, every failure joined). */
  readonly error?: { readonly step: string; readonly message: string; readonly retriable: boolean };
  readonly elapsedMs: number;
}

type MutableJournal = Omit<Journal, 'steps' | 'status' | 'updatedAt' | 'finishedAt'> & {
  status: Journal['status'];
  updatedAt: string;
  finishedAt?: string;
  steps: Record<string, JournalEntry>;
};

const sameInput = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `failover-20260127T101500Z`: a new execution id from the orchestration name and the time. */
export function newExecutionId(orchestration: string, now: Date): string {
  return `${orchestration}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/** A new execution id that no journal uses yet (two runs can start within the same second). */
async function unusedExecutionId(ports: RunbookPorts, orchestration: string, now: Date): Promise<string> {
  const base = newExecutionId(orchestration, now);
  let id = base;
  for (let n = 2; await ports.journal.load(orchestration, id); n++) id = `${base}-${n}`;
  return id;
}

async function openJournal<I>(
  options: RunOptions<I>,
  now: Date,
): Promise<{ journal: MutableJournal; resumed: boolean; note?: string }> {
  const { orchestration, ports, input } = options;
  const fresh = (executionId: string): MutableJournal => ({
    version: 1,
    executionId,
    orchestration: orchestration.name,
    input,
    ...(options.reason ? { reason: options.reason } : {}),
    status: 'running',
    startedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    steps: {},
  });
  if (options.executionId) {
    const existing = await ports.journal.load(orchestration.name, options.executionId);
    if (!existing) return { journal: fresh(options.executionId), resumed: false };
    if (!sameInput(existing.input, input)) {
      throw new NonRetriableError(
        `executionId: "${options.executionId}" was started with input ${JSON.stringify(existing.input)}; received ${JSON.stringify(input)}; accepted: the same input, or a new execution id`,
      );
    }
    return { journal: { ...existing, steps: { ...existing.steps } }, resumed: true };
  }
  const latest = await ports.journal.latest(orchestration.name);
  if (latest && (latest.status === 'running' || latest.status === 'failed')) {
    if (sameInput(latest.input, input)) return { journal: { ...latest, steps: { ...latest.steps } }, resumed: true };
    return {
      journal: fresh(await unusedExecutionId(ports, orchestration.name, now)),
      resumed: false,
      note: `execution ${latest.executionId} is unfinished but had another input (${JSON.stringify(latest.input)}); starting a new execution`,
    };
  }
  return { journal: fresh(await unusedExecutionId(ports, orchestration.name, now)), resumed: false };
}

/**
 * Runs an orchestration (or one of its steps): for each step, consult the journal, then the step's own check, and
 * only then act. A step the journal records as done is not run again; a step whose check finds the work done is
 * recorded as `already-done`. Retriable failures are retried with exponential backoff (cockatiel), then end the run
 * as `failed` (a re-run resumes); non-retriable ones end it as `aborted`.
 *
 * A dry run runs `check` steps and the checks of the others, reports what each would do, and neither changes nor
 * records anything.
 */
export async function runOrchestration<I>(options: RunOptions<I>): Promise<RunResult> {
  const { orchestration, topology, ports, input } = options;
  const dryRun = options.dryRun ?? false;
  const settings: RunSettings = { ...DEFAULT_RUN_SETTINGS, ...options.settings };
  const clock = ports.clock;
  const startedAt = clock.now();
  const elapsed = () => clock.now().getTime() - startedAt.getTime();
  const emit = (event: ProgressEvent) => options.onProgress?.(event);
  const steps = orchestration.steps(topology);

  if (orchestration.mutates && !dryRun && !options.reason?.trim()) {
    throw new NonRetriableError(
      `reason: required for ${orchestration.name}; accepted: a short sentence saying why (kept in the journal and the summary)`,
    );
  }
  if (options.onlyStep && !steps.some((s) => s.name === options.onlyStep)) {
    throw new NonRetriableError(
      `step: "${options.onlyStep}" is not a step of ${orchestration.name}; accepted: ${steps.map((s) => s.name).join(', ')}`,
    );
  }

  const { journal, resumed, note } = await openJournal(options, startedAt);
  if (options.onlyStep && !dryRun) {
    // One step per invocation (SSM): refuse to act unless every earlier step is recorded as done, so the order holds
    // even if the caller went on after a failure.
    for (const earlier of steps.slice(
      0,
      steps.findIndex((s) => s.name === options.onlyStep),
    )) {
      const entry = journal.steps[earlier.name];
      if (!entry || entry.status === 'failed') {
        throw new NonRetriableError(
          `step ${options.onlyStep} cannot run: the earlier step ${earlier.name} has ${entry ? `failed (${entry.error})` : 'not run'} in execution ${journal.executionId}; steps run in order`,
        );
      }
    }
  }
  const save = async () => {
    if (dryRun) return;
    journal.updatedAt = clock.now().toISOString();
    await ports.journal.save(journal);
  };
  emit({
    type: 'run-start',
    orchestration: orchestration.name,
    executionId: journal.executionId,
    resumed,
    dryRun,
    elapsedMs: 0,
  });
  if (note) emit({ type: 'step-progress', step: '(run)', message: note, elapsedMs: elapsed() });
  if (journal.status === 'failed' || journal.status === 'aborted') journal.status = 'running';

  const current: Record<string, StepOutputs> = {};
  const lookup = (step: string, key: string): OutputValue | undefined =>
    current[step]?.[key] ?? journal.steps[step]?.outputs?.[key];
  const contextFor = (step: Step<I>): StepContext<I> => ({
    input,
    topology,
    ports,
    executionId: journal.executionId,
    ...(options.reason ? { reason: options.reason } : {}),
    dryRun,
    settings,
    startedAt,
    executionStartedAt: new Date(journal.startedAt),
    ...(options.deadline ? { deadline: options.deadline } : {}),
    records: journal.steps,
    output: (from, key) => {
      const value = lookup(from, key);
      if (value === undefined) {
        throw new NonRetriableError(
          `step ${step.name} needs output "${key}" of step ${from}, which has not produced it; run the whole orchestration (not a single step) or start a new execution`,
        );
      }
      return value;
    },
    optionalOutput: lookup,
    progress: (message) => emit({ type: 'step-progress', step: step.name, message, elapsedMs: elapsed() }),
  });

  const reports: StepReport[] = [];
  const failures: { step: string; message: string; retriable: boolean }[] = [];
  const attemptsAllowed = Math.max(1, options.stepAttempts ?? 3);
  const selected = options.onlyStep ? steps.filter((s) => s.name === options.onlyStep) : steps;

  for (const step of selected) {
    if (failures.length > 0 && !dryRun && !(orchestration.continueAfterFailedCheck && step.kind === 'check')) {
      reports.push({ step: step.name, status: 'not-run', detail: 'an earlier step failed' });
      continue;
    }
    const ctx = contextFor(step);
    const recorded = journal.steps[step.name];
    const resumable = step.kind === 'action' || step.kind === 'wait';
    if (resumable && recorded && (recorded.status === 'succeeded' || recorded.status === 'already-done')) {
      emit({
        type: 'step-done',
        step: step.name,
        status: 'recorded',
        detail: recorded.detail,
        ...(recorded.outputs ? { outputs: recorded.outputs } : {}),
        elapsedMs: elapsed(),
      });
      reports.push({
        step: step.name,
        status: 'recorded',
        detail: recorded.detail,
        ...(recorded.outputs ? { outputs: recorded.outputs } : {}),
      });
      continue;
    }

    if (dryRun && step.kind !== 'check') {
      let check: string;
      let wouldDo: string;
      try {
        wouldDo = step.describe(ctx);
      } catch (error) {
        wouldDo = `${step.title} (${messageOf(error)})`;
      }
      try {
        const found = step.check ? await step.check(ctx) : undefined;
        if (found?.state === 'done' && found.outputs) current[step.name] = found.outputs;
        check = found
          ? `${found.state === 'done' ? 'already done' : 'pending'}: ${found.detail}`
          : step.kind === 'verify'
            ? 'verified after the steps above have run'
            : 'nothing to check beforehand';
      } catch (error) {
        check = `could not check in a dry run: ${messageOf(error)}`;
      }
      emit({ type: 'step-plan', step: step.name, kind: step.kind, wouldDo, check, elapsedMs: elapsed() });
      reports.push({ step: step.name, status: 'planned', detail: `${wouldDo} | ${check}` });
      continue;
    }

    const stepStarted = clock.now();
    let attempts = 0;
    // No retry starts once the invocation's deadline has passed: the step fails retriably and the next invocation
    // (or run) resumes it, instead of this one running past its end (a Lambda timeout is a function error).
    const beforeDeadline = () => !options.deadline || clock.now().getTime() < options.deadline.getTime();
    const policy = retry(
      handleWhen((error) => isRetriable(error) && !(error instanceof WaitTimeoutError) && beforeDeadline()),
      {
        maxAttempts: attemptsAllowed - 1,
        backoff: new ExponentialBackoff({ initialDelay: options.retryDelayMs ?? 2000, maxDelay: 60_000 }),
      },
    );
    policy.onRetry((reason) => {
      const error = 'error' in reason ? messageOf(reason.error) : 'unexpected result';
      emit({ type: 'step-retry', step: step.name, attempt: attempts, error, elapsedMs: elapsed() });
    });
    try {
      const outcome = await policy.execute(async () => {
        attempts++;
        const found = step.check ? await step.check(ctx) : undefined;
        if (found?.state === 'done')
          return { status: 'already-done' as const, detail: found.detail, outputs: found.outputs };
        emit({
          type: 'step-start',
          step: step.name,
          kind: step.kind,
          description: step.describe(ctx),
          elapsedMs: elapsed(),
        });
        const result = await step.run(ctx);
        return { status: 'succeeded' as const, detail: result.detail, outputs: result.outputs };
      });
      if (outcome.outputs) current[step.name] = outcome.outputs;
      journal.steps[step.name] = {
        status: outcome.status,
        detail: outcome.detail,
        ...(outcome.outputs ? { outputs: outcome.outputs } : {}),
        startedAt: stepStarted.toISOString(),
        finishedAt: clock.now().toISOString(),
        attempts,
      };
      await save();
      emit({
        type: 'step-done',
        step: step.name,
        status: outcome.status,
        detail: outcome.detail,
        ...(outcome.outputs ? { outputs: outcome.outputs } : {}),
        elapsedMs: elapsed(),
      });
      reports.push({
        step: step.name,
        status: outcome.status,
        detail: outcome.detail,
        ...(outcome.outputs ? { outputs: outcome.outputs } : {}),
      });
    } catch (error) {
      const message = messageOf(error);
      const retriable = isRetriable(error);
      failures.push({ step: step.name, message, retriable });
      journal.steps[step.name] = {
        status: 'failed',
        detail: message,
        startedAt: stepStarted.toISOString(),
        finishedAt: clock.now().toISOString(),
        attempts,
        error: message,
        retriable,
      };
      journal.status = retriable ? 'failed' : 'aborted';
      await save();
      emit({ type: 'step-failed', step: step.name, error: message, retriable, elapsedMs: elapsed() });
      reports.push({ step: step.name, status: 'failed', detail: message });
    }
  }

  const lastStep = steps[steps.length - 1]!.name;
  const finished = !options.onlyStep || options.onlyStep === lastStep;
  let status: RunResult['status'];
  if (failures.length > 0) {
    status = 'failed';
    if (!failures.every((f) => f.retriable)) journal.status = 'aborted';
  } else if (dryRun) {
    status = 'planned';
  } else {
    status = 'succeeded';
    if (finished) {
      journal.status = 'succeeded';
      journal.finishedAt = clock.now().toISOString();
    }
  }
  if (failures.length > 0 && !journal.finishedAt && journal.status === 'aborted')
    journal.finishedAt = clock.now().toISOString();
  await save();
  emit({ type: 'run-end', status, executionId: journal.executionId, elapsedMs: elapsed() });
  const error =
    failures.length === 0
      ? undefined
      : failures.length === 1
        ? failures[0]!
        : {
            step: failures.map((f) => f.step).join(', '),
            message: failures.map((f) => `${f.step}: ${f.message}`).join('\n'),
            retriable: failures.every((f) => f.retriable),
          };
  return {
    orchestration: orchestration.name,
    executionId: journal.executionId,
    status,
    resumed,
    steps: reports,
    ...(error ? { error } : {}),
    elapsedMs: elapsed(),
  };
}
