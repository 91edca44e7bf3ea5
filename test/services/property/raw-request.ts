import http from 'node:http';

/** A request exactly as it goes on the wire: the path is not normalized, the body not re-encoded. */
export interface RawRequest {
  readonly method: string;
  /** Path and query, already percent-encoded as they should be sent (`/carts/a%00b?page=1&page=2`). */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/** What came back, or how the exchange failed. */
export type RawAnswer =
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: http.IncomingHttpHeaders;
      readonly text: string;
    }
  | { readonly kind: 'no-answer'; readonly reason: string; readonly afterMs: number };

/**
 * Sends one request with `node:http` (not `fetch`, which normalizes paths and refuses some headers) and waits
 * at most `timeoutMs` for the whole answer. A body over 8 KiB is sent with `Expect: 100-continue`, as curl
 * does, so a server answering 413 on the headers alone is heard before the body is pushed at it.
 */
export function sendRaw(base: string, request: RawRequest, timeoutMs: number): Promise<RawAnswer> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
      req.destroy();
    };
    const body = request.body;
    const large = body !== undefined && body.length > 8 * 1024;
    const req = http.request({
      host: url.hostname,
      port: Number(url.port),
      method: request.method,
      path: request.path,
      headers: {
        ...request.headers,
        ...(body === undefined ? {} : { 'content-length': String(body.length) }),
        ...(large ? { expect: '100-continue' } : {}),
      },
      agent: false,
    });
    const timer = setTimeout(() => {
      settle({ kind: 'no-answer', reason: `no answer within ${timeoutMs} ms`, afterMs: Date.now() - started });
    }, timeoutMs);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        settle({
          kind: 'answer',
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', (error) =>
        settle({ kind: 'no-answer', reason: `answer cut: ${error.message}`, afterMs: Date.now() - started }),
      );
    });
    req.on('error', (error) =>
      settle({
        kind: 'no-answer',
        reason: `${(error as NodeJS.ErrnoException).code ?? error.message}`,
        afterMs: Date.now() - started,
      }),
    );
    if (large) {
      req.on('continue', () => req.end(body));
    } else {
      req.end(body);
    }
  });
}
