import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from './env';
import type { ServiceApp } from './service-app';
import type { ServiceBaseConfig } from './service-config';

/**
 * Drains and closes a listening app: `/health/ready` turns 503 at once, the instance keeps serving for
 * `shutdownDelayMs` (so the load balancer deregisters it), then stops accepting connections, lets in-flight
 * requests finish and closes its stores (the apps' onClose hooks). Rejects if that takes over `shutdownTimeoutMs`.
 */
export async function drainAndClose(
  app: ServiceApp,
  config: Pick<ServiceBaseConfig, 'shutdownDelayMs' | 'shutdownTimeoutMs'>,
): Promise<void> {
  app.serviceState.draining = true;
  if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
  let timer: NodeJS.Timeout | undefined;
  // server.close() only reaps the connections idle at that moment; one whose request finishes later would stay
  // open until its keep-alive timeout. Reap again until the close completes.
  const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`in-flight requests still running after ${config.shutdownTimeoutMs} ms`)),
      config.shutdownTimeoutMs,
    );
  });
  try {
    await Promise.race([app.close(), deadline]);
  } finally {
    clearTimeout(timer);
    clearInterval(reaper);
  }
}

/** Options of {@link runServer}. */
export interface RunServerOptions<C extends ServiceBaseConfig> {
  /** Used in messages printed before the logger exists. */
  readonly service: string;
  /** Reads and validates the configuration; throws {@link ConfigError} on a bad variable. */
  readonly loadConfig: () => C;
  /** Builds the app (connects nothing until `ready`). */
  readonly build: (config: C) => Promise<ServiceApp>;
}

/**
 * The process entry of a service: validates the configuration (a bad value stops boot with a message naming
 * it), builds and starts the app, and on SIGTERM/SIGINT drains in-flight requests before exiting 0 (1 when the
 * drain times out). Unhandled rejections are logged and end the process, as a crash the orchestrator restarts.
 */
export async function runServer<C extends ServiceBaseConfig>(options: RunServerOptions<C>): Promise<void> {
  let config: C;
  try {
    config = options.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${options.service}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const app = await options.build(config);
  process.on('unhandledRejection', (reason) => {
    app.log.fatal({ err: reason }, 'unhandled rejection; exiting');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    drainAndClose(app, config).then(
      () => {
        app.log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown did not complete in time; exiting');
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a repeated signal (a wrapper relaying it, a second Ctrl-C) must not kill the drain.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    app.log.fatal({ err: error }, 'could not start');
    process.exit(1);
  }
}
