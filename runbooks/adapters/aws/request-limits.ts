/** How long one AWS request may take before the adapter gives up on it. */
export interface RequestLimits {
  /** Time to open the connection. */
  readonly connectionTimeoutMs: number;
  /** Time from sending the request to the whole answer. */
  readonly requestTimeoutMs: number;
}

/**
 * ARC cluster endpoints and the APIs of a Region that may be the failed one (ECS fencing): a hung endpoint must
 * give way to the next one quickly.
 */
export const SHORT_REQUEST_LIMITS: RequestLimits = { connectionTimeoutMs: 3000, requestTimeoutMs: 5000 };

/** Every other regional API (RDS, S3, SSM, CloudWatch, Secrets Manager): bounded, never hanging a step. */
export const REGIONAL_REQUEST_LIMITS: RequestLimits = { connectionTimeoutMs: 3000, requestTimeoutMs: 20_000 };

/**
 * The SDK client's `requestHandler` options for `limits`. `throwOnRequestTimeout` is what makes the request timeout
 * abort the request: without it the Node HTTP handler (@smithy/node-http-handler 4.x) only logs a warning when the
 * time is up and keeps waiting (its option reads "If exceeded, a warning will be emitted unless
 * throwOnRequestTimeout=true"), so an endpoint that accepts the connection and never answers would hold the step.
 */
export function requestHandlerOptions(limits: RequestLimits): {
  connectionTimeout: number;
  requestTimeout: number;
  throwOnRequestTimeout: true;
} {
  return {
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    throwOnRequestTimeout: true,
  };
}
