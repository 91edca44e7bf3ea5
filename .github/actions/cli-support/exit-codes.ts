import { InputError } from './action-inputs';
import { AwsCallError } from './aws-retry';

/**
 * Thrown when a CLI ran to the end and its check said no: the bake failed, there is nothing to roll back to,
 * a stack is not healthy, the automation failed. The job summary has been written before it is thrown.
 */
export class CheckFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}

/**
 * Thrown when AWS could not be read or written well enough to decide (for example one Region unreachable while
 * the other has nothing to say); the message names each call that failed. Exits like {@link AwsCallError}.
 */
export class AwsUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsUnavailableError';
  }
}

/** Exit codes shared by the CLIs (GitHub Actions only sees zero or not zero; scripts can tell them apart). */
export const EXIT_CODES = {
  /** The check ran and failed ({@link CheckFailedError}), or an unexpected error. */
  checkFailed: 1,
  /** An input was invalid; no AWS call was made ({@link InputError}). */
  invalidInput: 2,
  /** An AWS call failed after its retries ({@link AwsCallError}, {@link AwsUnavailableError}). */
  awsCallFailed: 3,
} as const;

/** The exit code a CLI ends with after `error`. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError) return EXIT_CODES.invalidInput;
  if (error instanceof AwsCallError || error instanceof AwsUnavailableError) return EXIT_CODES.awsCallFailed;
  return EXIT_CODES.checkFailed;
}
