import type { FastifyBaseLogger } from 'fastify';
import { Client, type ClientConfig } from 'pg';

/**
 * What this instance is doing for the heartbeat: `writer` holds the lock and writes; `standby` waits for it;
 * `replica` found a read-only database (the standby Region before failover); `disconnected` lost the database.
 */
export type HeartbeatRole = 'starting' | 'writer' | 'standby' | 'replica' | 'disconnected' | 'stopped';

/** Options of {@link HeartbeatWriter}. */
export interface HeartbeatWriterOptions {
  /**
   * Where the database is; the writer keeps one dedicated connection (the advisory lock lives on it). A function is
   * asked before every beat: when its host or port changes (the service moved to its Region's writer endpoint
   * after a failover), the connection is replaced.
   */
  readonly clientConfig: ClientConfig | (() => ClientConfig);
  /** Written into `replication_heartbeat.region`. */
  readonly region: string;
  /** Time between two heartbeats (and between two attempts to take the lock). @default 1000 */
  readonly intervalMs?: number;
  readonly log: FastifyBaseLogger;
}

/** Any constant works as long as every instance of every service on this database uses the same one. */
export const HEARTBEAT_LOCK = 7_201_043;

const UPSERT = `INSERT INTO replication_heartbeat (id, ts, region) VALUES (1, now(), $1)
  ON CONFLICT (id) DO UPDATE SET ts = excluded.ts, region = excluded.region`;

/**
 * Keeps `replication_heartbeat` (one row) up to date every second so that, after a failover, the promoted
 * replica's row tells the last moment that was replicated. Exactly one instance writes: the one holding a
 * session-level Postgres advisory lock. The others retry taking it every interval, so a writer that dies (and
 * whose session ends) is replaced within about one interval. Nothing is written to a read-only replica.
 */
export class HeartbeatWriter {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> = Promise.resolve();
  private currentRole: HeartbeatRole = 'starting';
  private lastBeat: Date | undefined;
  private connectedTo: string | undefined;
  private readonly intervalMs: number;

  constructor(private readonly options: HeartbeatWriterOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
  }

  /** See {@link HeartbeatRole}. */
  get role(): HeartbeatRole {
    return this.currentRole;
  }

  /** When this instance last wrote the heartbeat, if it ever did. */
  get lastBeatAt(): Date | undefined {
    return this.lastBeat;
  }

  /** Starts beating (the first attempt is immediate). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops beating, releases the lock (so another instance takes over at once) and closes the connection. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        if (this.currentRole === 'writer') await client.query('SELECT pg_advisory_unlock($1)', [HEARTBEAT_LOCK]);
      } catch {
        // The session is ending anyway, which releases the lock too.
      }
      await client.end().catch(() => undefined);
    }
    this.setRole('stopped');
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => this.schedule(this.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  private setRole(role: HeartbeatRole): void {
    if (role === this.currentRole) return;
    this.options.log.info({ from: this.currentRole, to: role }, 'heartbeat role changed');
    this.currentRole = role;
  }

  private target(): ClientConfig {
    const config = this.options.clientConfig;
    return typeof config === 'function' ? config() : config;
  }

  private async connect(): Promise<Client> {
    const target = this.target();
    const where = `${target.host}:${target.port}`;
    if (this.client && this.connectedTo !== where) {
      const previous = this.client;
      this.client = undefined;
      this.setRole('disconnected');
      await previous.end().catch(() => undefined);
    }
    if (this.client) return this.client;
    const client = new Client(target);
    client.on('error', (error) => {
      // Only the connection in use, and only while beating: a server's goodbye is followed by its socket closing
      // (a second error), possibly after stop() — which must stay the last word.
      if (this.client !== client || !this.running) return;
      this.options.log.warn({ err: error }, 'heartbeat connection failed');
      this.client = undefined;
      this.setRole('disconnected');
      client.end().catch(() => undefined);
    });
    await client.connect();
    this.client = client;
    this.connectedTo = where;
    return client;
  }

  private async tick(): Promise<void> {
    try {
      const client = await this.connect();
      if (this.currentRole !== 'writer') {
        const recovery = await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        if (recovery.rows[0]!.r) {
          this.setRole('replica');
          return;
        }
        const lock = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [HEARTBEAT_LOCK]);
        if (!lock.rows[0]!.got) {
          this.setRole('standby');
          return;
        }
        this.setRole('writer');
      }
      await client.query(UPSERT, [this.options.region]);
      this.lastBeat = new Date();
    } catch (error) {
      if (!this.running) return;
      this.options.log.warn({ err: error }, 'heartbeat failed; reconnecting');
      const client = this.client;
      this.client = undefined;
      // A new session has no lock: whoever gets it first becomes the writer.
      this.setRole('disconnected');
      await client?.end().catch(() => undefined);
    }
  }
}
