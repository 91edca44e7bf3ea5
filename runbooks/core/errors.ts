/**
 * A failure that running the same step again cannot fix: bad input, a resource in a state the runbook must not
 * touch, a check that says "not ready". The engine stops at once, marks the execution aborted (a later run starts
 * afresh), and never retries it.
 */
export class NonRetriableError extends Error {
  /** Always `false`: see {@link isRetriable}. */
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

/**
 * A failure that may go away: throttling after retries, an endpoint down, a wait that ran out of time while the
 * operation is still progressing. Running the orchestration again resumes where it stopped.
 */
export class RetriableError extends Error {
  /** Always `true`: see {@link isRetriable}. */
  readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetriableError';
  }
}

/** A wait that did not see its condition before its deadline; the operation it waits for may still finish. */
export class WaitTimeoutError extends RetriableError {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

/** One or more readiness checks failed; {@link failures} lists each, one sentence per failure. */
export class CheckFailedError extends NonRetriableError {
  constructor(
    readonly failures: readonly string[],
    heading = 'check failed',
  ) {
    super(`${heading}:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    this.name = 'CheckFailedError';
  }
}

/** Whether running the step again may succeed: everything except a {@link NonRetriableError}. */
export function isRetriable(error: unknown): boolean {
  return !(error instanceof NonRetriableError);
}

/** The message of anything thrown, without a stack. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
