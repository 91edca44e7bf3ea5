import { HttpError } from './http-error';

/** A JSON answer of another service (2xx, 3xx or 4xx; 5xx and network failures throw). */
export interface ServiceResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** Options of one {@link ServiceClient.request}. */
export interface ServiceRequestOptions {
  /** Sent as JSON. @default - no body */
  readonly body?: unknown;
  /** Extra headers. @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Passed on as `x-request-id`, so one id follows a request through the services. @default - none */
  readonly requestId?: string;
}

/**
 * Calls another service of the shop over HTTP with JSON. Each call has a deadline; a network failure, a timeout
 * or a 5xx answer becomes a 503 {@link HttpError} naming the service (the caller may retry), never a hang.
 */
export class ServiceClient {
  constructor(
    /** Named in errors: `orders is unavailable`. */
    readonly name: string,
    /** Base URL without a trailing slash. */
    readonly baseUrl: string,
    /** Deadline of each call. */
    readonly timeoutMs: number,
  ) {}

  /** Sends one request and parses the JSON answer. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: ServiceRequestOptions = {},
  ): Promise<ServiceResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw HttpError.unavailable(this.name, error);
    }
    const text = await response.text().catch((error: unknown) => {
      throw HttpError.unavailable(this.name, error);
    });
    if (response.status >= 500) {
      throw HttpError.unavailable(
        this.name,
        new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`),
      );
    }
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      throw HttpError.unavailable(this.name, error);
    }
    return { status: response.status, body: body as T };
  }
}
