import http from 'node:http';
import https from 'node:https';
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

// Idle sockets are dropped after 30 s, well before the servers' 65 s keep-alive timeout, so a request never
// goes out on a connection the server is closing.
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 128, timeout: 30_000 } as const;
const AGENTS = { 'http:': new http.Agent(AGENT_OPTIONS), 'https:': new https.Agent(AGENT_OPTIONS) };

/**
 * Calls another service of the shop over HTTP with JSON, on keep-alive connections (node:http: a fraction of
 * the CPU of `fetch` per call, which matters on the checkout path). Each call has a deadline; a network
 * failure, a timeout or a 5xx answer becomes a 503 {@link HttpError} naming the service (the caller may retry),
 * never a hang.
 */
export class ServiceClient {
  private readonly url: URL;
  private readonly basePath: string;

  constructor(
    /** Named in errors: `orders is unavailable`. */
    readonly name: string,
    /** Base URL without a trailing slash. */
    readonly baseUrl: string,
    /** Deadline of each call. */
    readonly timeoutMs: number,
  ) {
    this.url = new URL(baseUrl);
    this.basePath = this.url.pathname.replace(/\/$/, '');
  }

  /** Sends one request and parses the JSON answer. */
  request<T = unknown>(method: string, path: string, options: ServiceRequestOptions = {}): Promise<ServiceResponse<T>> {
    const headers: Record<string, string | number> = { accept: 'application/json', ...options.headers };
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (options.requestId !== undefined) headers['x-request-id'] = options.requestId;
    const secure = this.url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const fail = (cause: unknown) => {
        clearTimeout(timer);
        reject(HttpError.unavailable(this.name, cause));
      };
      const request = (secure ? https : http).request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
          ...(this.url.port === '' ? {} : { port: Number(this.url.port) }),
          path: this.basePath + path,
          method,
          headers,
          agent: AGENTS[secure ? 'https:' : 'http:'],
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            clearTimeout(timer);
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            if (status >= 500) {
              reject(
                HttpError.unavailable(
                  this.name,
                  new Error(`${method} ${path} answered ${status}: ${text.slice(0, 200)}`),
                ),
              );
              return;
            }
            try {
              resolve({ status, body: (text === '' ? undefined : JSON.parse(text)) as T });
            } catch (error) {
              reject(HttpError.unavailable(this.name, error));
            }
          });
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`${method} ${path}: no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      request.on('error', fail);
      request.end(payload);
    });
  }
}
