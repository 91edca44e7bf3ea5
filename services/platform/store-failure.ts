import { HttpError, RETRY_AFTER_SECONDS } from './http-error';

/**
 * Why a store did not serve a call, when the cause is the store being out of reach and not the request:
 * - `unreachable`: no connection (refused, reset, closed, host unknown; Postgres SQLSTATE class 08);
 * - `timeout`: no answer within the client's deadline (a hung store or network), or a statement the server
 *   cancelled at `statement_timeout` (57014);
 * - `overloaded`: the store refuses work for now (Postgres class 53, DynamoDB throttling);
 * - `unavailable`: the store is shutting down or starting (57P01-57P03) or failed on its side (DynamoDB 5xx).
 * Each is worth retrying later; none is the client's fault.
 */
export type StoreFailure = 'unreachable' | 'timeout' | 'overloaded' | 'unavailable';

// Node's socket errors (node:net, node:dns) as raised by `pg` and by @smithy/node-http-handler.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_SOCKET_CLOSED',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

// `pg` and `pg-pool` raise these without a code (pg 8.x wording).
const PG_TIMEOUT_MESSAGES = [
  /^Query read timeout$/, // query_timeout (client side)
  /^timeout exceeded when trying to connect$/, // pool: connectionTimeoutMillis waiting for a client
  /^Connection terminated due to connection timeout$/, // client: connectionTimeoutMillis while connecting
];
const PG_UNREACHABLE_MESSAGES = [
  /^Connection terminated unexpectedly$/,
  /^Connection terminated$/,
  /is not queryable$/, // "Client has encountered a connection error and is not queryable", "Client was closed ..."
];

// DynamoDB's throttling errors. ProvisionedThroughputExceededException (DynamoDB API reference): "The request was
// denied due to request throttling. ... The Amazon Web Services SDKs for DynamoDB automatically retry requests that
// receive this exception." 5xx answers are classed as transient by the SDK's own retry strategy
// (@smithy/service-error-classification), which retries them; no DynamoDB page quoted here says more.
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

/**
 * The AWS SDK's retry middleware rethrows a thrown value that is not `instanceof Error` (a socket error from another
 * realm: a vm context such as jest's sandbox) as `new Error("AWS SDK error wrapper for " + value)`, without its
 * `code`; the code survives in the text.
 */
function sdkWrappedCode(message: string): string | undefined {
  if (!message.startsWith('AWS SDK error wrapper for ')) return undefined;
  return /\b(E[A-Z]{3,}|ERR_SOCKET_[A-Z_]+)\b/.exec(message)?.[1];
}

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly severity?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly $retryable?: { readonly throttling?: unknown };
}

/**
 * Classifies an error raised by a store client (`pg`, the AWS SDK's DynamoDB client): a {@link StoreFailure}
 * when the store could not serve the call, `undefined` when the error is about the request (a constraint, a
 * conditional check, bad data) or unknown, which stays a 500. The one place that knows the drivers' errors.
 */
export function classifyStoreError(error: unknown): StoreFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : sdkWrappedCode(message);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (code !== undefined && TIMEOUT_CODES.has(code)) return 'timeout';
  // The SDK's own deadline (throwOnRequestTimeout), an abort signal, or a server-side request timeout.
  if (name === 'TimeoutError' || name === 'AbortError' || name === 'RequestTimeout') return 'timeout';
  // A Postgres error (a DatabaseError carries the SQLSTATE as `code` and a `severity`).
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && typeof e.severity === 'string') {
    if (code.startsWith('08')) return 'unreachable';
    if (code === '57014') return 'timeout';
    if (code === '57P01' || code === '57P02' || code === '57P03') return 'unavailable';
    if (code.startsWith('53')) return 'overloaded';
    return undefined;
  }
  if (PG_TIMEOUT_MESSAGES.some((m) => m.test(message))) return 'timeout';
  if (PG_UNREACHABLE_MESSAGES.some((m) => m.test(message))) return 'unreachable';
  // AWS SDK service errors.
  if (THROTTLING_NAMES.has(name) || e.$retryable?.throttling === true) return 'overloaded';
  const status = e.$metadata?.httpStatusCode;
  if (e.$fault === 'server' || (typeof status === 'number' && status >= 500)) return 'unavailable';
  return undefined;
}

const SAYS: Readonly<Record<StoreFailure, string>> = {
  unreachable: 'is unreachable',
  timeout: 'did not answer in time',
  overloaded: 'is overloaded',
  unavailable: 'is unavailable',
};

/** The 503 a client gets when `store` could not serve a call for `failure`; the driver's error is logged only. */
export function storeUnavailable(store: string, failure: StoreFailure, cause: unknown): HttpError {
  return new HttpError(503, `${store} ${SAYS[failure]}; retry later`, undefined, {
    cause,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}

/** `error` as a 503 naming `store` when {@link classifyStoreError} says the store failed; otherwise `error` itself. */
export function asStoreError(store: string, error: unknown): unknown {
  if (error instanceof HttpError) return error;
  const failure = classifyStoreError(error);
  return failure === undefined ? error : storeUnavailable(store, failure, error);
}
