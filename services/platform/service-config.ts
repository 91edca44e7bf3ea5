import type { z } from 'zod';
import { envBoolean, envChoice, envInteger, envOptionalString, envString } from './env';

/** pino levels accepted by `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** See {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service reads from its environment, whatever else it needs. */
export interface ServiceBaseConfig {
  /** TCP port to listen on. */
  readonly port: number;
  /** Address to listen on. */
  readonly host: string;
  /** The Region name this instance reports (pages, `/topology`, logs, heartbeat). */
  readonly region: string;
  /** pino log level. */
  readonly logLevel: LogLevel;
  /** Whether each request and response is logged (off by default: the load balancer keeps access logs). */
  readonly requestLogging: boolean;
  /** Whether the `/chaos/*` fault-injection endpoints are served. */
  readonly chaosEnabled: boolean;
  /** After SIGTERM, how long the instance keeps serving while reporting not-ready, so the load balancer moves away. */
  readonly shutdownDelayMs: number;
  /** After SIGTERM (and the delay), how long in-flight requests may take before the process exits anyway. */
  readonly shutdownTimeoutMs: number;
  /** The build being run, shown by `/topology`. */
  readonly version: string;
}

const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The zod shape of {@link ServiceBaseConfig}'s variables; service schemas extend it. */
export const serviceBaseEnv = {
  // 0 lets the OS pick a free port (tests, the dev stack with --*-port 0).
  PORT: envInteger({ min: 0, max: 65_535, default: 8080 }),
  HOST: envString({
    pattern: /^[0-9a-fA-F.:]+$|^[a-z0-9.-]+$/,
    accepted: 'an IP address or host name',
    default: '0.0.0.0',
  }),
  REGION: envString({ pattern: REGION_PATTERN, accepted: 'a Region name like us-east-1', default: '' }),
  AWS_REGION: envString({ pattern: REGION_PATTERN, accepted: 'a Region name like us-east-1', default: '' }),
  LOG_LEVEL: envChoice(LOG_LEVELS, { default: 'info' }),
  REQUEST_LOGGING: envBoolean({ default: false }),
  CHAOS_ENABLED: envBoolean({ default: true }),
  SHUTDOWN_DELAY_MS: envInteger({ min: 0, max: 120_000, default: 0 }),
  SHUTDOWN_TIMEOUT_MS: envInteger({ min: 100, max: 600_000, default: 25_000 }),
  APP_VERSION: envOptionalString(),
} as const;

type BaseEnv = z.output<z.ZodObject<typeof serviceBaseEnv>>;

/** Turns the parsed base variables into a {@link ServiceBaseConfig}. */
export function toServiceBaseConfig(env: BaseEnv): ServiceBaseConfig {
  return {
    port: env.PORT,
    host: env.HOST,
    // REGION wins so a local run can show a Region name while AWS_REGION points the SDK elsewhere.
    region: env.REGION || env.AWS_REGION || 'local',
    logLevel: env.LOG_LEVEL,
    requestLogging: env.REQUEST_LOGGING,
    chaosEnabled: env.CHAOS_ENABLED,
    shutdownDelayMs: env.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    version: env.APP_VERSION ?? 'dev',
  };
}
