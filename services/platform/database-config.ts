import { z } from 'zod';
import { envBoolean, envChoice, envInteger, envOptionalString } from './env';

/** How the connection to Postgres is encrypted. */
export const DB_SSL_MODES = ['disable', 'require', 'verify-full'] as const;

/** See {@link DB_SSL_MODES}. */
export type DbSslMode = (typeof DB_SSL_MODES)[number];

/** Where a service's Postgres database is and how to reach it. */
export interface DatabaseConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Never logged or shown by `/topology`. */
  readonly password: string | undefined;
  readonly database: string;
  /** `disable` on a loopback host unless set, `require` elsewhere. */
  readonly ssl: DbSslMode;
  /** Largest number of pooled connections per instance. */
  readonly poolMax: number;
  /** Server-side limit for each statement (`statement_timeout`; a frozen server cannot enforce it). */
  readonly statementTimeoutMs: number;
  /**
   * Client-side limit for each query (`pg`'s `query_timeout`): the answer must arrive within this, whatever the
   * server does. At least {@link statementTimeoutMs}, so a slow statement is normally cancelled by the server first.
   */
  readonly queryTimeoutMs: number;
  /** How long acquiring a connection may take (waiting for a pooled one, or opening one). */
  readonly connectTimeoutMs: number;
  /** Whether the service applies its pending migrations at boot (skipped on a read-only replica). */
  readonly migrateOnStart: boolean;
  /**
   * The two endpoints of a Regional cluster of a global database, when both are given (`DB_WRITER_HOST`,
   * `DB_READER_HOST`): the service connects to the writer endpoint while it accepts writes and to the reader
   * endpoint (which forwards writes to the other Region's writer) while it does not, and checks again every
   * {@link endpointCheckMs}. So the standby Region writes locally as soon as a failover has promoted its cluster,
   * without a deployment. Undefined: {@link host} only.
   */
  readonly endpoints?: { readonly writer: DatabaseEndpoint; readonly reader: DatabaseEndpoint };
  /** Time between two checks of the writer endpoint, when {@link endpoints} are given. */
  readonly endpointCheckMs: number;
}

/** Host and port of one Postgres endpoint. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
}

/** The variables read by {@link toDatabaseConfig}; service schemas spread this into theirs. */
export const databaseEnv = {
  DATABASE_URL: envOptionalString(),
  DB_SECRET: envOptionalString(),
  DB_HOST: envOptionalString(),
  DB_PORT: envInteger({ min: 1, max: 65_535, default: 5432 }),
  DB_USERNAME: envOptionalString(),
  DB_USER: envOptionalString(),
  DB_PASSWORD: envOptionalString(),
  DB_NAME: envOptionalString(),
  DB_SSL: envChoice(['disable', 'require', 'verify-full', 'auto'], { default: 'auto' }),
  DB_POOL_MAX: envInteger({ min: 1, max: 200, default: 10 }),
  DB_STATEMENT_TIMEOUT_MS: envInteger({ min: 100, max: 600_000, default: 5_000 }),
  DB_CONNECT_TIMEOUT_MS: envInteger({ min: 100, max: 60_000, default: 3_000 }),
  // Unset: DB_STATEMENT_TIMEOUT_MS + 1000 (see toDatabaseConfig).
  DB_QUERY_TIMEOUT_MS: envInteger({ min: 0, max: 600_000, default: 0 }),
  DB_MIGRATE_ON_START: envBoolean({ default: false }),
  DB_WRITER_HOST: envOptionalString(),
  DB_READER_HOST: envOptionalString(),
  DB_ENDPOINT_CHECK_MS: envInteger({ min: 100, max: 600_000, default: 5_000 }),
} as const;

/** Variables of {@link databaseEnv} whose values must never be printed. */
export const DATABASE_SECRET_VARIABLES = ['DATABASE_URL', 'DB_SECRET', 'DB_PASSWORD'] as const;

type DatabaseEnv = z.output<z.ZodObject<typeof databaseEnv>>;

const secretShape = z.object({
  username: z.string().min(1),
  password: z.string(),
  host: z.string().min(1),
  port: z.union([z.number().int(), z.string().regex(/^\d+$/)]).optional(),
  dbname: z.string().min(1).optional(),
});

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * Resolves the database location from, in order: `DATABASE_URL`; `DB_SECRET` (the JSON of a Secrets Manager
 * database secret: `username`, `password`, `host`, `port`, `dbname`); or the separate `DB_HOST`, `DB_PORT`,
 * `DB_USERNAME`/`DB_USER`, `DB_PASSWORD`, `DB_NAME` variables (what ECS injects from the secret's fields).
 * Returns an error message naming the variable when none of them is usable.
 */
export function toDatabaseConfig(env: DatabaseEnv, defaultDatabase: string): DatabaseConfig | string {
  const endpoints = writerAndReader(env);
  if (typeof endpoints === 'string') return endpoints;
  const queryTimeoutMs = env.DB_QUERY_TIMEOUT_MS === 0 ? env.DB_STATEMENT_TIMEOUT_MS + 1_000 : env.DB_QUERY_TIMEOUT_MS;
  if (queryTimeoutMs < env.DB_STATEMENT_TIMEOUT_MS) {
    return `DB_QUERY_TIMEOUT_MS=${JSON.stringify(String(env.DB_QUERY_TIMEOUT_MS))}: accepted: 0 or unset (DB_STATEMENT_TIMEOUT_MS + 1000) or at least DB_STATEMENT_TIMEOUT_MS (${env.DB_STATEMENT_TIMEOUT_MS}), so the server cancels a slow statement before the client gives up on it`;
  }
  const common = {
    poolMax: env.DB_POOL_MAX,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    queryTimeoutMs,
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    migrateOnStart: env.DB_MIGRATE_ON_START,
    endpointCheckMs: env.DB_ENDPOINT_CHECK_MS,
    ...(endpoints ? { endpoints } : {}),
  };
  const sslFor = (host: string): DbSslMode =>
    env.DB_SSL === 'auto' ? (LOOPBACK.has(host) ? 'disable' : 'require') : env.DB_SSL;

  if (env.DATABASE_URL !== undefined) {
    let url: URL;
    try {
      url = new URL(env.DATABASE_URL);
    } catch {
      return 'DATABASE_URL=(hidden, secret): accepted: postgres://user:password@host:port/database';
    }
    if ((url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
      return 'DATABASE_URL=(hidden, secret): accepted: postgres://user:password@host:port/database';
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return {
      host,
      port: url.port === '' ? 5432 : Number(url.port),
      user: decodeURIComponent(url.username) || 'postgres',
      password: url.password === '' ? undefined : decodeURIComponent(url.password),
      database: decodeURIComponent(url.pathname.replace(/^\//, '')) || defaultDatabase,
      ssl: sslFor(host),
      ...common,
    };
  }

  if (env.DB_SECRET !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.DB_SECRET);
    } catch {
      return 'DB_SECRET=(hidden, secret): accepted: JSON with username, password, host, port and dbname';
    }
    const secret = secretShape.safeParse(parsed);
    if (!secret.success) {
      const fields = secret.error.issues.map((i) => i.path.join('.')).join(', ');
      return `DB_SECRET=(hidden, secret): fields ${fields} are missing or invalid; accepted: JSON with username, password, host, port and dbname`;
    }
    return {
      host: secret.data.host,
      port: secret.data.port === undefined ? 5432 : Number(secret.data.port),
      user: secret.data.username,
      password: secret.data.password,
      database: secret.data.dbname ?? env.DB_NAME ?? defaultDatabase,
      ssl: sslFor(secret.data.host),
      ...common,
    };
  }

  if (env.DB_HOST === undefined) {
    return 'DATABASE_URL, DB_SECRET and DB_HOST are all unset: accepted: one of them (see services/README.md)';
  }
  return {
    host: env.DB_HOST,
    port: env.DB_PORT,
    user: env.DB_USERNAME ?? env.DB_USER ?? 'postgres',
    password: env.DB_PASSWORD,
    database: env.DB_NAME ?? defaultDatabase,
    ssl: sslFor(env.DB_HOST),
    ...common,
  };
}

const ENDPOINT_PATTERN = /^(?<host>[A-Za-z0-9.-]+)(?::(?<port>\d{1,5}))?$/;

/** `host` or `host:port` (port defaults to `DB_PORT`); an error message naming the variable otherwise. */
function endpointOf(name: string, value: string, defaultPort: number): DatabaseEndpoint | string {
  const match = ENDPOINT_PATTERN.exec(value);
  const port = match?.groups?.port === undefined ? defaultPort : Number(match.groups.port);
  if (!match || port < 1 || port > 65_535) {
    return `${name}=${JSON.stringify(value)}: accepted: a host name, or host:port with a port from 1 to 65535`;
  }
  return { host: match.groups!.host!, port };
}

/** Both endpoints, or undefined when neither is set; one without the other is an error. */
function writerAndReader(
  env: DatabaseEnv,
): { readonly writer: DatabaseEndpoint; readonly reader: DatabaseEndpoint } | undefined | string {
  const { DB_WRITER_HOST: writerHost, DB_READER_HOST: readerHost } = env;
  if (writerHost === undefined && readerHost === undefined) return undefined;
  if (writerHost === undefined || readerHost === undefined) {
    const [set, unset] =
      writerHost === undefined ? ['DB_READER_HOST', 'DB_WRITER_HOST'] : ['DB_WRITER_HOST', 'DB_READER_HOST'];
    return `${unset} is unset while ${set} is set: accepted: both (the cluster and reader endpoints of the Region's cluster) or neither`;
  }
  const writer = endpointOf('DB_WRITER_HOST', writerHost, env.DB_PORT);
  if (typeof writer === 'string') return writer;
  const reader = endpointOf('DB_READER_HOST', readerHost, env.DB_PORT);
  if (typeof reader === 'string') return reader;
  return { writer, reader };
}
