import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import { applyChaos, type ChaosState, noChaos, registerChaosRoutes } from './chaos';
import { clientErrorHandler } from './client-error-handler';
import { type HtmlErrorRenderer, installErrorHandlers } from './error-handler';
import { type ReadinessCheck, registerHealthRoutes } from './health';
import { serializeError } from './log-serializers';
import { validatorCompiler } from './schema-validation';
import type { ServiceBaseConfig } from './service-config';
import { useStrictJsonParser } from './strict-body-parsers';

/** A Fastify instance of this project: TypeBox schemas give the handlers their types. */
export type ServiceApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse<IncomingMessage>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the platform keeps about a running service instance. */
export interface ServiceState {
  readonly service: string;
  readonly region: string;
  readonly version: string;
  readonly chaos: ChaosState;
  /** Set once SIGTERM arrives: `/health/ready` answers 503 so the load balancer stops sending traffic. */
  draining: boolean;
  /** Checked by `/health/ready`. */
  readonly readiness: ReadinessCheck[];
  /** Each adds fields to `/topology` (store, heartbeat role, dependencies). */
  readonly topology: Array<() => Record<string, unknown> | Promise<Record<string, unknown>>>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** See {@link ServiceState}. */
    serviceState: ServiceState;
  }
}

/** Options of {@link createServiceApp}. */
export interface ServiceAppOptions {
  /** `catalog`, `carts`, `orders`, `checkout` or `ui`. */
  readonly service: string;
  readonly config: ServiceBaseConfig;
  /** Largest accepted request body. @default 65536 */
  readonly bodyLimitBytes?: number;
  /** Renders errors as HTML for browsers (the ui). @default - errors are always JSON */
  readonly renderHtmlError?: HtmlErrorRenderer;
}

/** Seconds the ALB keeps idle connections (60) plus a margin, so the server never closes one the ALB reuses. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** A request (headers and body) taking longer than this is abandoned with 408. */
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Builds the Fastify instance every service starts from: JSON logs (pino) tagged with the service and Region,
 * strict TypeBox validation, the one error handler, a body limit, timeouts, the chaos endpoints and hook, and
 * `/health`, `/health/ready`, `/topology`. The service adds its routes, readiness checks and topology to it.
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const { config } = options;
  const bodyLimitBytes = options.bodyLimitBytes ?? 64 * 1024;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      base: { service: options.service, region: config.region },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization'], censor: '[redacted]' },
      serializers: { err: (error) => serializeError(error) },
    },
    logController: new LogController({ disableRequestLogging: !config.requestLogging }),
    bodyLimit: bodyLimitBytes,
    clientErrorHandler,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Behind the ALB: the client's address and protocol come from X-Forwarded-*.
    trustProxy: true,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;

  const state: ServiceState = {
    service: options.service,
    region: config.region,
    version: config.version,
    chaos: noChaos(),
    draining: false,
    readiness: [],
    topology: [],
  };
  app.decorate('serviceState', state);
  app.setValidatorCompiler(validatorCompiler);
  // The APIs take JSON (the ui adds forms); a text body is a client mistake worth a 415, not a schema error.
  app.removeContentTypeParser('text/plain');
  useStrictJsonParser(app);
  installErrorHandlers(app, {
    bodyLimitBytes,
    ...(options.renderHtmlError ? { renderHtml: options.renderHtmlError } : {}),
  });

  const region = config.region;
  // A callback hook, not an async one: it runs on every request and must cost next to nothing when no fault
  // is injected.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-served-by-region', region);
    if (state.chaos.latencyMs === 0 && state.chaos.status === 0) return done();
    applyChaos(state.chaos, request, reply).then(() => {
      if (!reply.sent) done();
    }, done);
  });

  // While draining, every answer asks the client to close its connection: a keep-alive connection that outlives
  // its last request would otherwise hold the server open until the keep-alive timeout.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.draining) reply.header('connection', 'close');
    done(null, payload);
  });

  registerHealthRoutes(app, state);
  if (config.chaosEnabled) registerChaosRoutes(app, state.chaos);
  return app;
}
