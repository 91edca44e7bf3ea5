import { hostname } from 'node:os';
import { Type } from '@sinclair/typebox';
import { HttpError } from './http-error';
import type { ServiceApp, ServiceState } from './service-app';

/** One dependency checked by `/health/ready`. */
export interface ReadinessCheck {
  /** Shown in the response, e.g. `postgres` or `dynamodb`. */
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or takes longer than the timeout) when it does not. */
  readonly check: () => Promise<unknown>;
}

const READY_TIMEOUT_MS = 2_000;

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check.check().then(
        () => 'ok',
        (error: unknown) => {
          // The error's class and code say enough to act on (ECONNREFUSED, 57P01...) without leaking internals.
          // A store client's 503 carries the driver's error as its cause.
          const e = (error instanceof HttpError && error.cause !== undefined ? error.cause : error) as {
            code?: unknown;
            name?: unknown;
          };
          return `failed: ${typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'error'}`;
        },
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const HealthView = Type.Object({ status: Type.String(), service: Type.String(), region: Type.String() });
const ReadyView = Type.Object({
  status: Type.String(),
  service: Type.String(),
  region: Type.String(),
  checks: Type.Record(Type.String(), Type.String()),
});

/**
 * `/health` (liveness: the process serves requests, unless `/chaos/health` says otherwise), `/health/ready`
 * (each store answers and the instance is not draining) and `/topology` (what this instance is and talks to).
 */
export function registerHealthRoutes(app: ServiceApp, state: ServiceState): void {
  const instance = `${hostname()}:${process.pid}`;
  const startedAt = new Date().toISOString();

  app.get('/health', { schema: { response: { 200: HealthView, 503: HealthView } } }, async (_request, reply) => {
    if (state.chaos.unhealthy) {
      return reply.code(503).send({ status: 'unhealthy (chaos)', service: state.service, region: state.region });
    }
    return { status: 'ok', service: state.service, region: state.region };
  });

  app.get('/health/ready', { schema: { response: { 200: ReadyView, 503: ReadyView } } }, async (_request, reply) => {
    const results = await Promise.all(state.readiness.map(async (c) => [c.name, await runCheck(c)] as const));
    const checks: Record<string, string> = Object.fromEntries(results);
    if (state.draining) checks['shutdown'] = 'draining';
    const ok = !state.draining && !state.chaos.unhealthy && results.every(([, r]) => r === 'ok');
    if (state.chaos.unhealthy) checks['chaos'] = 'unhealthy';
    return reply
      .code(ok ? 200 : 503)
      .send({ status: ok ? 'ok' : 'unavailable', service: state.service, region: state.region, checks });
  });

  app.get('/topology', async () => {
    const extra: Record<string, unknown> = {};
    for (const describe of state.topology) Object.assign(extra, await describe());
    return {
      service: state.service,
      region: state.region,
      version: state.version,
      instance,
      startedAt,
      draining: state.draining,
      chaos: { ...state.chaos },
      ...extra,
    };
  });
}
