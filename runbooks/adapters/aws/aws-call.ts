import { ExponentialBackoff, handleWhen, type RetryPolicy, retry } from 'cockatiel';
import { NonRetriableError, RetriableError } from '../../core/errors';

/** How adapters retry transient AWS errors (cockatiel, exponential backoff with jitter). */
export interface RetrySettings {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Defaults of {@link RetrySettings}. SDK clients are created with `maxAttempts: 1` so that these retries are the
 * only ones: one explicit, tested policy instead of two stacked ones.
 */
export const DEFAULT_RETRY: RetrySettings = { maxRetries: 4, initialDelayMs: 250, maxDelayMs: 8000 };

interface AwsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

const NETWORK = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const shape = (error: unknown) => (typeof error === 'object' && error !== null ? (error as AwsErrorShape) : {});

/** The error's name (the AWS error code for service errors). */
export function errorName(error: unknown): string {
  const e = shape(error);
  return e.name ?? e.code ?? 'Error';
}

/** `ThrottlingException: Rate exceeded`. */
export function describeError(error: unknown): string {
  const message = shape(error).message ?? String(error);
  return `${errorName(error)}: ${message}`;
}

/** Whether AWS asked us to slow down. */
export function isThrottling(error: unknown): boolean {
  const e = shape(error);
  return THROTTLING.has(errorName(error)) || e.$retryable?.throttling === true || e.$metadata?.httpStatusCode === 429;
}

/** Whether the request could not reach the service or the service failed (5xx). */
export function isUnavailable(error: unknown): boolean {
  const e = shape(error);
  return (
    e.$fault === 'server' ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500 ||
    NETWORK.has(errorName(error)) ||
    NETWORK.has(e.code ?? '')
  );
}

/** Throttling or unavailability: worth retrying. */
export function isTransient(error: unknown): boolean {
  return isThrottling(error) || isUnavailable(error);
}

/** A cockatiel retry policy for errors matching `predicate`. */
export function retryPolicy(
  settings: RetrySettings,
  predicate: (error: unknown) => boolean = isTransient,
): RetryPolicy {
  return retry(handleWhen(predicate), {
    maxAttempts: settings.maxRetries,
    backoff: new ExponentialBackoff({ initialDelay: settings.initialDelayMs, maxDelay: settings.maxDelayMs }),
  });
}

/**
 * Runs one AWS request with retries for transient errors, then turns what is left into a runbook error: transient
 * ones are {@link RetriableError}s (a re-run may succeed), the rest {@link NonRetriableError}s. `what` starts the
 * message, e.g. `DescribeGlobalClusters shop-dev-orders in us-west-2`.
 */
export async function awsCall<T>(policy: RetryPolicy, what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await policy.execute(request);
  } catch (error) {
    if (error instanceof NonRetriableError || error instanceof RetriableError) throw error;
    if (isTransient(error))
      throw new RetriableError(`${what}: ${describeError(error)} (still failing after retries)`, { cause: error });
    throw new NonRetriableError(`${what}: ${describeError(error)}`, { cause: error });
  }
}

/** Whether the error has one of these names (AWS error codes). */
export function hasName(error: unknown, ...names: string[]): boolean {
  return names.includes(errorName(error));
}
