import type { FastifyInstance, RouteOptions } from 'fastify';

/** One route as a service registered it: method, URL and the schemas Fastify validates it with. */
export interface RecordedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: {
    readonly params?: unknown;
    readonly querystring?: unknown;
    readonly body?: unknown;
    readonly headers?: unknown;
  };
}

const recorded = new WeakMap<object, RecordedRoute[]>();

/**
 * The `fastify` module with one change: every instance it creates records each route registered on it (and in
 * its plugins) through an `onRoute` hook added before any route exists. The property test replaces `fastify`
 * with this (`jest.mock`), so the routes it tests are the ones the services really serve: a route added to a
 * service without a generator in `route-generators.ts` fails the test instead of going untested.
 */
export function recordingFastify(): unknown {
  const real = jest.requireActual('fastify') as ((...args: unknown[]) => FastifyInstance) & Record<string, unknown>;
  const wrapped = (...args: unknown[]) => {
    const app = real(...args);
    const routes: RecordedRoute[] = [];
    recorded.set(app, routes);
    app.addHook('onRoute', (options: RouteOptions) => {
      for (const method of [options.method].flat()) {
        routes.push({
          method: String(method),
          url: options.url,
          schema: (options.schema ?? {}) as RecordedRoute['schema'],
        });
      }
    });
    return app;
  };
  Object.assign(wrapped, real, { default: wrapped, fastify: wrapped });
  return wrapped;
}

/** The routes `app` serves, in registration order (HEAD routes Fastify adds for GET routes included). */
export function routesOf(app: object): readonly RecordedRoute[] {
  const routes = recorded.get(app);
  if (routes === undefined) throw new Error('this Fastify instance was not created through recordingFastify()');
  return routes;
}
