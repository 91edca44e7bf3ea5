import { setTimeout as sleep } from 'node:timers/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceApp } from './service-app';

/** The faults currently injected into one service instance. */
export interface ChaosState {
  /** Added to every request except `/health*` and `/chaos*`; 0 when off. */
  latencyMs: number;
  /** Every request except `/health*` and `/chaos*` is answered with this status; 0 when off. */
  status: number;
  /** `/health` answers 503 while set. */
  unhealthy: boolean;
}

/** A state with no fault injected. */
export function noChaos(): ChaosState {
  return { latencyMs: 0, status: 0, unhealthy: false };
}

/** The part of the path that chaos never touches: the controls themselves and the health checks. */
function exempt(url: string): boolean {
  return url.startsWith('/chaos') || url.startsWith('/health');
}

/** Applies the injected faults to a request: waits, then answers with the injected status (if one is set). */
export async function applyChaos(state: ChaosState, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (exempt(request.url)) return;
  if (state.latencyMs > 0) await sleep(state.latencyMs);
  if (state.status !== 0) {
    reply.code(state.status).send({
      statusCode: state.status,
      error: 'Injected fault',
      message: `chaos: status ${state.status} injected (DELETE /chaos/status to stop)`,
    });
  }
}

const ChaosView = Type.Object({
  message: Type.String(),
  latencyMs: Type.Integer(),
  status: Type.Integer(),
  unhealthy: Type.Boolean(),
});

/**
 * The fault-injection endpoints of the retail-store-sample-app: `POST|DELETE /chaos/status/{code}`,
 * `POST|DELETE /chaos/latency/{ms}`, `POST|DELETE /chaos/health`, and `GET /chaos/status` to read the state.
 * DELETE also works without the path value (`DELETE /chaos/status`), as in the original.
 */
export function registerChaosRoutes(app: ServiceApp, state: ChaosState): void {
  const view = (message: string) => ({ message, ...state });
  const response = { 200: ChaosView };

  app.get('/chaos/status', { schema: { response } }, async () => view('current faults'));

  app.post(
    '/chaos/status/:code',
    { schema: { params: Type.Object({ code: Type.Integer({ minimum: 100, maximum: 599 }) }), response } },
    async (request) => {
      state.status = request.params.code;
      return view(`every request now answers ${state.status}`);
    },
  );
  const clearStatus = async () => {
    state.status = 0;
    return view('status fault removed');
  };
  app.delete('/chaos/status', { schema: { response } }, clearStatus);
  app.delete('/chaos/status/:code', { schema: { response } }, clearStatus);

  app.post(
    '/chaos/latency/:ms',
    { schema: { params: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 60_000 }) }), response } },
    async (request) => {
      state.latencyMs = request.params.ms;
      return view(`every request now waits ${state.latencyMs} ms`);
    },
  );
  const clearLatency = async () => {
    state.latencyMs = 0;
    return view('latency fault removed');
  };
  app.delete('/chaos/latency', { schema: { response } }, clearLatency);
  app.delete('/chaos/latency/:ms', { schema: { response } }, clearLatency);

  app.post('/chaos/health', { schema: { response } }, async () => {
    state.unhealthy = true;
    return view('/health now answers 503');
  });
  app.delete('/chaos/health', { schema: { response } }, async () => {
    state.unhealthy = false;
    return view('/health answers normally');
  });
}
