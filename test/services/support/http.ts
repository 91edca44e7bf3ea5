import type { ServiceApp } from '../../../services/platform/service-app';

/** Starts `app` on a free port of 127.0.0.1 and returns its base URL. */
export async function listen(app: ServiceApp): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

/** The environment every in-process test service gets: quiet logs, a recognisable Region. */
export const TEST_ENV = { LOG_LEVEL: 'silent', REGION: 'test-1' } as const;

/** An HTTP answer, read completely. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests index into JSON answers freely
  json(): any;
}

/** Options of {@link call}. */
export interface CallOptions {
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as is (with the given content type header). */
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One real HTTP request. The tests talk to the services over HTTP rather than with Fastify's `inject`, whose
 * light-my-request needs the ES-module-only `cookie` package that jest cannot load on Node 20.
 */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.body;
  if (options.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(base + path, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}
