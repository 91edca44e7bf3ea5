/**
 * Errors as the SDK v3 clients throw them. Modelled service errors are the client packages' own exception classes
 * (what `send` rejects with after deserialising the service's answer); unmodelled ones (throttling) carry the same
 * `name`, `$fault` and `$metadata` a deserialised service error has. Network failures look like Node's socket errors,
 * which the SDK passes through unchanged.
 */

/**
 * An exception class of an SDK client package (`new DBClusterNotFoundFault({ message, $metadata })`). Their option
 * types differ per class (some declare extra members), hence the loose parameter.
 */
// biome-ignore lint/suspicious/noExplicitAny: each exception class declares its own options type.
export type SdkExceptionClass = new (options: any) => Error;

/** A modelled service error, e.g. `serviceError(DBClusterNotFoundFault, 'DBCluster x not found.', 404)`. */
export function serviceError(type: SdkExceptionClass, message: string, httpStatusCode = 400): Error {
  return new type({ message, $metadata: { httpStatusCode } });
}

/** A service error the SDK does not model (it then throws its service's base exception with the error code). */
export function unmodelledError(
  name: string,
  message: string,
  options: {
    readonly fault?: 'client' | 'server';
    readonly httpStatusCode?: number;
    readonly throttling?: boolean;
  } = {},
): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: options.fault ?? 'client',
    $metadata: { httpStatusCode: options.httpStatusCode ?? 400 },
    ...(options.throttling ? { $retryable: { throttling: true } } : {}),
  });
}

/**
 * The throttling error of a service. The common errors of the query and JSON APIs list
 * "ThrottlingException — The request was denied due to request throttling. HTTP Status Code: 400"
 * (e.g. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html); S3 answers
 * "SlowDown — Please reduce your request rate. 503 Slow Down"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
export function throttlingError(service: string): Error {
  return service === 's3'
    ? unmodelledError('SlowDown', 'Please reduce your request rate.', {
        fault: 'server',
        httpStatusCode: 503,
        throttling: true,
      })
    : unmodelledError('ThrottlingException', 'Rate exceeded', { throttling: true });
}

/** How a request to an unreachable Region or endpoint fails: as a socket timeout (Node's `ETIMEDOUT`). */
export function networkError(host: string): Error {
  return Object.assign(new Error(`connect ETIMEDOUT ${host}:443`), {
    code: 'ETIMEDOUT',
    errno: -110,
    syscall: 'connect',
  });
}
