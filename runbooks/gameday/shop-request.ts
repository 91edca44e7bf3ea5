import http from 'node:http';
import https from 'node:https';

/** One HTTP request of the game day to the shop. */
export interface ShopRequest {
  readonly method: 'GET' | 'POST';
  /** The URL to connect to, e.g. `https://<load balancer DNS name>/catalog`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /**
   * The shop's public host name, when `url` is a load balancer that presents the shop's certificate: the request
   * then carries it as `Host` and as the TLS server name, so the certificate is checked against the name it was
   * issued for (a load balancer's own DNS name is not on it), as a browser reaching that Region would see it.
   * @default - the host of `url`
   */
  readonly hostName?: string;
  /** Extra trusted CA certificates (PEM), for tests with a local certificate. @default - the system's */
  readonly ca?: string;
}

/** The answer: status, a header by name (lower case), the body. */
export interface ShopAnswer {
  readonly status: number;
  header(name: string): string | undefined;
  readonly body: string;
}

/**
 * Sends one request with Node's http/https (no redirects followed), so the TLS server name can differ from the host
 * connected to ({@link ShopRequest.hostName}). Rejects with the socket's error (refused, reset, timeout).
 */
export function shopRequest(request: ShopRequest): Promise<ShopAnswer> {
  const url = new URL(request.url);
  const secure = url.protocol === 'https:';
  const headers: Record<string, string> = {
    ...request.headers,
    ...(request.hostName ? { host: request.hostName } : {}),
    ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}),
  };
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      method: request.method,
      headers,
      timeout: request.timeoutMs,
      ...(secure && request.hostName ? { servername: request.hostName } : {}),
      ...(secure && request.ca ? { ca: request.ca } : {}),
    };
    const req = (secure ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          header: (name) => {
            const value = res.headers[name.toLowerCase()];
            return Array.isArray(value) ? value.join(', ') : value;
          },
          body,
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${request.timeoutMs} ms`)));
    req.on('error', reject);
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
