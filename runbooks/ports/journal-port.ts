/** A value a step hands to later steps (and to the run summary). */
export type OutputValue = string | number | boolean;

/** Named outputs of a step. */
export type StepOutputs = Readonly<Record<string, OutputValue>>;

/** What happened to one step of an execution. */
export interface JournalEntry {
  /**
   * `succeeded`: the step ran and finished; `already-done`: its check found the work done; `failed`: it threw
   * (see {@link error}).
   */
  readonly status: 'succeeded' | 'already-done' | 'failed';
  readonly detail: string;
  readonly outputs?: StepOutputs;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** How many times the step was attempted in the run that wrote this entry. */
  readonly attempts: number;
  /** The error message when `failed`. */
  readonly error?: string;
  /** Whether a `failed` step may succeed when run again. */
  readonly retriable?: boolean;
}

/**
 * The record of one execution of an orchestration. `running` and `failed` executions are resumed by the next run
 * with the same input; `succeeded` and `aborted` (a non-retriable failure) ones are finished.
 */
export interface Journal {
  readonly version: 1;
  readonly executionId: string;
  readonly orchestration: string;
  /** The validated input, compared on resume. */
  readonly input: unknown;
  readonly reason?: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'aborted';
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly steps: Readonly<Record<string, JournalEntry>>;
}

/** Stores journals so that a re-run resumes: a local JSON file, or an S3 object on AWS. */
export interface JournalPort {
  /** One execution's journal, or undefined when there is none. */
  load(orchestration: string, executionId: string): Promise<Journal | undefined>;
  /** Writes the journal (replacing the previous version) and makes it the orchestration's latest. */
  save(journal: Journal): Promise<void>;
  /** The most recently saved journal of an orchestration, or undefined. */
  latest(orchestration: string): Promise<Journal | undefined>;
}
