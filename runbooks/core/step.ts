import type { JournalEntry, OutputValue, PortMethod, RunbookPorts, StepOutputs } from '../ports';
import type { Topology } from '../topology';

/**
 * - `check`: a precondition (input, readiness). Reads state and judges it; runs on every run, dry runs included, and
 *   is never skipped because of the journal: the state it judges may have changed.
 * - `action`: changes the environment. Its check looks first; a dry run only reports what it would do.
 * - `wait`: polls until an earlier action has finished. A dry run reports it without waiting.
 * - `verify`: a postcondition (the writer moved, the report is complete). Runs on every real run; a dry run only
 *   lists it, since the actions it verifies have not happened.
 */
export type StepKind = 'check' | 'action' | 'wait' | 'verify';

/** What a step's check found: the work is `done` (with the outputs the step would have produced) or `pending`. */
export type CheckResult =
  | { readonly state: 'done'; readonly detail: string; readonly outputs?: StepOutputs }
  | { readonly state: 'pending'; readonly detail: string };

/** What a step's run did. */
export interface StepResult {
  /** One sentence, shown in progress output and kept in the journal. */
  readonly detail: string;
  /** Values later steps or the summary need. */
  readonly outputs?: StepOutputs;
}

/** Timing settings of a run. */
export interface RunSettings {
  /** Seconds between two polls of a wait step. */
  readonly pollIntervalSeconds: number;
  /** Longest a wait step waits, in seconds, unless the step sets its own {@link Step.timeoutSeconds}. */
  readonly waitTimeoutSeconds: number;
}

/** Defaults of {@link RunSettings}, suited to AWS (a global database failover takes 1–5 minutes). */
export const DEFAULT_RUN_SETTINGS: RunSettings = { pollIntervalSeconds: 15, waitTimeoutSeconds: 30 * 60 };

/** Everything a step sees. */
export interface StepContext<I> {
  readonly input: I;
  readonly topology: Topology;
  readonly ports: RunbookPorts;
  readonly executionId: string;
  readonly reason?: string;
  readonly dryRun: boolean;
  readonly settings: RunSettings;
  /** When this run started (by the clock port). */
  readonly startedAt: Date;
  /** When the execution started: earlier than {@link startedAt} when this run resumes an execution. */
  readonly executionStartedAt: Date;
  /** Waits give up at this time even before their own timeout (e.g. the end of a Lambda invocation). */
  readonly deadline?: Date;
  /** Entries of the steps recorded so far in this execution (journal plus this run). */
  readonly records: Readonly<Record<string, JournalEntry>>;
  /** An output of an earlier step; throws a non-retriable error naming it when it is missing. */
  output(step: string, key: string): OutputValue;
  /** An output of an earlier step, or undefined. */
  optionalOutput(step: string, key: string): OutputValue | undefined;
  /** Reports progress inside a step (e.g. each poll of a wait). */
  progress(message: string): void;
}

/**
 * One idempotent step of an orchestration. Every step looks at the state before acting ({@link check}), so running
 * it again after it (or the process) died at any point completes without repeating its action.
 */
export interface Step<I> {
  /** kebab-case, unique in its orchestration; also the SSM step name (with `_` for `-`). */
  readonly name: string;
  readonly kind: StepKind;
  /** One line that needs no input: shown in plans and as the SSM step's description. */
  readonly title: string;
  /** The port methods this step may call: the IAM policy of the runbook is derived from them (and tested). */
  readonly uses: readonly PortMethod[];
  /** For `wait` steps: the longest wait, in seconds. @default - {@link RunSettings.waitTimeoutSeconds} */
  readonly timeoutSeconds?: number;
  /** What the step will do with this input, for plans and progress. */
  describe(ctx: StepContext<I>): string;
  /** Looks at the state; `done` skips {@link run}. @default - always `pending` */
  check?(ctx: StepContext<I>): Promise<CheckResult>;
  /** Does the work; throws {@link NonRetriableError} for failures a re-run cannot fix. */
  run(ctx: StepContext<I>): Promise<StepResult>;
}

/** One input field of an orchestration: the CLI makes it a flag, the SSM document a parameter. */
export interface InputFieldSpec {
  /** camelCase input key, e.g. `targetRegion` (flag `--target-region`). */
  readonly name: string;
  readonly description: string;
  /** `region`: one of the topology's Regions; `list`: comma-separated names. */
  readonly type: 'region' | 'number' | 'timestamp' | 'list';
  readonly required: boolean;
  /** What happens when it is left out, for help texts. */
  readonly defaultText?: string;
}

/** A named list of steps with the input it takes. */
export interface Orchestration<I> {
  /** kebab-case, e.g. `failover`; also the CLI subcommand and part of the SSM document name. */
  readonly name: string;
  /** One line. */
  readonly title: string;
  /** Whether the orchestration changes anything (then a `reason` is required). */
  readonly mutates: boolean;
  /** Whether a failed `check` step lets the following checks run, to report every failure (readiness). */
  readonly continueAfterFailedCheck?: boolean;
  /** The input fields, for CLI flags and SSM parameters. */
  readonly inputs: readonly InputFieldSpec[];
  /** Validates raw input (CLI flags, an SSM event) against the topology. Throws {@link InputError}. */
  parseInput(raw: Readonly<Record<string, unknown>>, topology: Topology): I;
  /** The steps, in order, for this topology (one per database where that applies). */
  steps(topology: Topology): readonly Step<I>[];
}

/** Any orchestration, whatever its input. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds orchestrations of different input types.
export type AnyOrchestration = Orchestration<any>;
