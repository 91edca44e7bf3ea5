import { ExponentialBackoff, handleWhen, type IBackoffFactory, type IRetryBackoffContext, retry } from 'cockatiel';

/**
 * Error names AWS services use for throttling. CloudWatch answers `Throttling`, SSM and CloudFormation
 * `ThrottlingException`; the others appear across services.
 */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

/** Errors of the network or of the request's own timeout, worth another try. */
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

const EXPIRED_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);

interface AwsErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $fault?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** Whether an error thrown by an SDK v3 client is worth retrying: throttling, a 5xx, or a network error. */
export function isRetryableAwsError(error: unknown): boolean {
  const e = (error ?? {}) as AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  return (
    THROTTLING.has(e.name ?? '') ||
    TRANSIENT.has(e.name ?? '') ||
    TRANSIENT.has(e.code ?? '') ||
    e.$fault === 'server' ||
    status === 429 ||
    (status !== undefined && status >= 500)
  );
}

/** Thrown when an AWS call failed for good; the message names the call, the Region, the attempts and the error. */
export class AwsCallError extends Error {
  constructor(
    readonly call: string,
    readonly failure: unknown,
    readonly attempts: number,
  ) {
    super(AwsCallError.describe(call, failure, attempts));
    this.name = 'AwsCallError';
  }

  private static describe(call: string, cause: unknown, attempts: number): string {
    const e = (cause ?? {}) as AwsErrorShape;
    const what = `${e.name ?? 'Error'}: ${e.message ?? String(cause)}`;
    if (EXPIRED_CREDENTIALS.has(e.name ?? '')) {
      return `${call} failed: ${what} (the job's AWS credentials expired: keep the step shorter than the credential lifetime)`;
    }
    if (!isRetryableAwsError(cause)) {
      return `${call} failed: ${what} (not retried: not a throttling, server or network error)`;
    }
    return `${call} failed after ${attempts} attempts: ${what}`;
  }
}

/** How the CLIs retry AWS calls. */
export interface AwsRetryOptions {
  /** Calls in total, the first included. @default 5 */
  readonly attempts?: number;
  /** Delays between calls. @default - exponential with jitter from 500 ms, at most 10 s */
  readonly backoff?: IBackoffFactory<IRetryBackoffContext<unknown>>;
}

/** Runs one AWS call with retries; see {@link awsCaller}. */
export type AwsCaller = <T>(call: string, send: () => Promise<T>) => Promise<T>;

/**
 * Builds the one retry layer of the CLIs: throttling, 5xx and network errors are retried with exponential
 * backoff (cockatiel); anything else, or the last failure, becomes an {@link AwsCallError}. The SDK clients are
 * built with `maxAttempts: 1` so retries are not multiplied.
 *
 * @param options attempts and backoff; tests pass `new ConstantBackoff(0)` to run instantly.
 */
export function awsCaller(options: AwsRetryOptions = {}): AwsCaller {
  const attempts = options.attempts ?? 5;
  const policy = retry(
    handleWhen((error) => isRetryableAwsError(error)),
    {
      maxAttempts: attempts - 1,
      backoff: options.backoff ?? new ExponentialBackoff({ initialDelay: 500, maxDelay: 10_000 }),
    },
  );
  return async (call, send) => {
    let made = 0;
    try {
      return await policy.execute(() => {
        made += 1;
        return send();
      });
    } catch (error) {
      throw new AwsCallError(call, error, made);
    }
  };
}
