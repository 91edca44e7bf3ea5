/** Seconds a client is told to wait (`Retry-After`) before retrying after a 503 (a store or service unavailable). */
export const RETRY_AFTER_SECONDS = 2;

/** Options of an {@link HttpError} besides its status and message. */
export interface HttpErrorOptions extends ErrorOptions {
  /** Sent as `Retry-After` (503 answers). @default - none */
  readonly retryAfterSeconds?: number;
}

/**
 * An error whose message is meant for the client: a 4xx naming the offending field, or a 5xx/503 that says
 * which dependency failed without internals. Anything thrown that is not an HttpError becomes a bare 500.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    /** The HTTP status to answer with. */
    readonly statusCode: number,
    message: string,
    /** The input at fault (`body.items[0].quantity`, `params.id`, `query.size`), when there is one. */
    readonly field?: string,
    options?: HttpErrorOptions,
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** Seconds the client should wait before retrying (the `Retry-After` header), when given. */
  readonly retryAfterSeconds: number | undefined;

  /** 400: the input at `field` is not acceptable. */
  static badRequest(field: string, message: string): HttpError {
    return new HttpError(400, `${field}: ${message}`, field);
  }

  /** 404: the resource named by the URL does not exist. */
  static notFound(message: string, field?: string): HttpError {
    return new HttpError(404, message, field);
  }

  /** 409: the request conflicts with the current state of the resource. */
  static conflict(message: string, field?: string): HttpError {
    return new HttpError(409, field ? `${field}: ${message}` : message, field);
  }

  /**
   * 503: a dependency is unavailable; the request may be retried after {@link RETRY_AFTER_SECONDS} (`Retry-After`).
   * `cause` is logged, never sent.
   */
  static unavailable(dependency: string, cause?: unknown): HttpError {
    return new HttpError(503, `${dependency} is unavailable; retry later`, undefined, {
      cause,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  /** The input at fault, when the error is about one. */
  readonly field?: string;
  /** Correlates the response with the service's logs. */
  readonly requestId?: string;
}
