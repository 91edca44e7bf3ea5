import replyFrom from '@fastify/reply-from';
import Fastify, { type FastifyInstance } from 'fastify';

/** Options of {@link startFrontDoor}. */
export interface FrontDoorOptions {
  /** Each Region's ui base URL (its "ALB"), by Region name. */
  readonly targets: Readonly<Record<string, string>>;
  /**
   * The Region that takes traffic now, as DNS would answer with the routing controls' health checks: read for
   * every request, so a routing-control change is seen on the next request.
   */
  readonly activeRegion: () => string | Promise<string>;
  /** Port on 127.0.0.1. @default - a free port */
  readonly port?: number;
  /** Per-request upstream timeout, in milliseconds. @default 5000 */
  readonly upstreamTimeoutMs?: number;
}

/** A running front door. */
export interface FrontDoor {
  /** The shop's single address. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The drill's stand-in for the shop's DNS name: one local address that forwards every request to the ui of the
 * Region the routing controls point at, and answers 503 when that Region does not answer.
 */
export async function startFrontDoor(options: FrontDoorOptions): Promise<FrontDoor> {
  for (const [region, url] of Object.entries(options.targets)) {
    if (!/^http:\/\/[^/]+$/.test(url))
      throw new Error(`targets.${region}: ${JSON.stringify(url)} is not an http://host:port URL`);
  }
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  const timeout = options.upstreamTimeoutMs ?? 5000;
  await app.register(replyFrom, {
    undici: { connections: 64, pipelining: 1, headersTimeout: timeout, bodyTimeout: timeout, connectTimeout: timeout },
  });
  // Forms and JSON are forwarded as they came.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.all('/*', async (request, reply) => {
    const region = await options.activeRegion();
    const base = options.targets[region];
    if (!base) return reply.code(503).send({ error: `no Region takes traffic (routing points at ${region})` });
    return reply.from(`${base}${request.url}`, {
      // The Host the client used, as a load balancer keeps it: the ui checks a form's Origin against it (CSRF).
      rewriteRequestHeaders: (req, headers) => ({
        ...headers,
        ...(req.headers.host ? { 'x-forwarded-host': req.headers.host } : {}),
        'x-front-door-region': region,
      }),
      onError: (res, { error }) => {
        res
          .code(503)
          .header('x-front-door-region', region)
          .send({ error: `${region} did not answer: ${error.message}` });
      },
    });
  });
  const address = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  return { url: address, close: () => app.close() };
}
