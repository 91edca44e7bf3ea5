import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NonRetriableError, RetriableError } from '../../runbooks/core/errors';
import type { DatabaseEndpoint, GlobalClusterState, GlobalDatabasePort } from '../../runbooks/ports';
import { withClient } from '../../services/db/with-client';
import { PostgresServer } from '../stand-ins/postgres-server';
import type { ReplicatedPostgres } from '../stand-ins/replicated-postgres';
import type { RegionOutages } from './region-outages';

/** Account id in the drill's pretend ARNs (nothing is sent to AWS). */
export const DRILL_ACCOUNT = '000000000000';

/** Options of {@link LocalGlobalCluster}. */
export interface LocalGlobalClusterOptions {
  /** The global cluster identifier the topology names, e.g. `shop-drill-orders`. */
  readonly globalClusterIdentifier: string;
  /** The Postgres database served, e.g. `orders`. */
  readonly database: string;
  /** The primary (in {@link primaryRegion}) and its streaming standby (in {@link standbyRegion}). */
  readonly pair: ReplicatedPostgres;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** The Regional cluster identifier of each Region, e.g. `shop-drill-orders-us-east-1`. */
  readonly clusterIdentifier: (region: string) => string;
  /** Receives one line per change of writer or membership (for the timeline). @default - none */
  readonly onEvent?: (message: string) => void;
}

/** An operation in progress, as DescribeGlobalClusters shows it in `FailoverState`. */
interface Move {
  readonly from: string;
  readonly to: string;
  readonly dataLossAllowed: boolean;
}

/** How a member rejoined after a planned switchover (the report says which). */
export type RejoinMethod = 'followed-new-timeline' | 'rebuilt-from-copy';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(
    { connectionString: url, connectionTimeoutMillis: 3000 },
    async (client) => (await client.query(sql, params)).rows as T[],
  );
}

/**
 * One Aurora Global Database played by a {@link ReplicatedPostgres} pair: a writer in one Region and a streaming
 * hot standby in the other, with the operations the runbooks need on real servers.
 *
 * - unplanned failover (`AllowDataLoss`): `pg_promote()` of the standby; the heartbeat it held is noted first, as
 *   the drill's own measurement of the last replicated moment (RPO, and a check of the cut reconcile finds by
 *   itself); the old writer's member becomes `pending-resync` until {@link rebuildAsStandby}.
 * - planned switchover (no data loss): the writer turns read-only, the standby replays everything it wrote, the
 *   writer stops cleanly (its shutdown checkpoint streams to the standby), the standby is promoted, and the old
 *   writer restarts as a standby following the new timeline.
 *
 * Both start in the background and return at once, like the AWS calls; {@link describe} shows the move until it
 * has finished.
 */
export class LocalGlobalCluster {
  private readonly servers = new Map<string, PostgresServer>();
  private writer: string;
  private readonly pendingResync = new Set<string>();
  private move: Move | undefined;
  private moveError: string | undefined;
  private moveDone: Promise<void> = Promise.resolve();
  private cut: Date | undefined;
  private rebuilt = false;
  private lastRejoin: RejoinMethod | undefined;

  constructor(private readonly options: LocalGlobalClusterOptions) {
    this.servers.set(options.primaryRegion, options.pair.primary);
    this.servers.set(options.standbyRegion, options.pair.standby);
    this.writer = options.primaryRegion;
  }

  get id(): string {
    return this.options.globalClusterIdentifier;
  }

  get database(): string {
    return this.options.database;
  }

  /** The Region of the writer. */
  get writerRegion(): string {
    return this.writer;
  }

  /**
   * The heartbeat the standby held when it was promoted by an unplanned failover: the last replicated moment, as
   * the drill measured it. Only the drill's figures read it; the runbooks never see it.
   */
  get promotedCut(): Date | undefined {
    return this.cut;
  }

  /** How the old writer rejoined after the last switchover. */
  get rejoinMethod(): RejoinMethod | undefined {
    return this.lastRejoin;
  }

  /** The Regional cluster identifier of the member in `region`. */
  memberIdentifier(region: string): string {
    return this.options.clusterIdentifier(region);
  }

  /** ARN of the Regional cluster in `region`. */
  arnOf(region: string): string {
    return `arn:aws:rds:${region}:${DRILL_ACCOUNT}:cluster:${this.options.clusterIdentifier(region)}`;
  }

  /** The server running in `region` now, if any. */
  serverIn(region: string): PostgresServer | undefined {
    const server = this.servers.get(region);
    return server?.running ? server : undefined;
  }

  /** A connection URL of the database on the server of `region` (whatever its state). */
  urlIn(region: string): string {
    const server = this.servers.get(region);
    if (!server) throw new Error(`${this.id}: no server in ${region}`);
    return server.url(this.options.database);
  }

  /** The URL of the current writer's database. */
  writerUrl(): string {
    return this.urlIn(this.writer);
  }

  /** What DescribeGlobalClusters would answer, asked in `region`. */
  describe(region: string): GlobalClusterState {
    if (this.moveError) {
      throw new RetriableError(
        `global cluster "${this.id}": the last failover or switchover failed: ${this.moveError}`,
      );
    }
    const regions = [this.options.primaryRegion, this.options.standbyRegion];
    return {
      identifier: this.id,
      status: this.move ? (this.move.dataLossAllowed ? 'failing-over' : 'switching-over') : 'available',
      ...(this.move
        ? {
            failover: {
              status: 'failing-over',
              fromClusterArn: this.arnOf(this.move.from),
              toClusterArn: this.arnOf(this.move.to),
              dataLossAllowed: this.move.dataLossAllowed,
            },
          }
        : {}),
      members: regions.map((r) => ({
        clusterArn: this.arnOf(r),
        clusterIdentifier: this.options.clusterIdentifier(r),
        region: r,
        isWriter: r === this.writer,
        ...(r === this.writer ? {} : { synchronization: this.pendingResync.has(r) ? 'pending-resync' : 'connected' }),
        ...(r === region ? { clusterStatus: this.serverIn(r) ? 'available' : 'inaccessible' } : {}),
      })),
    };
  }

  /** Starts an unplanned failover to the member `targetArn` (FailoverGlobalCluster with AllowDataLoss). */
  failover(targetArn: string): void {
    const target = this.targetOf(targetArn);
    const from = this.writer;
    this.begin({ from, to: target, dataLossAllowed: true }, async () => {
      const standby = this.serverIn(target)!;
      const url = standby.url(this.options.database);
      const [beat] = await query<{ ts: Date }>(url, 'SELECT ts FROM replication_heartbeat WHERE id = 1');
      this.cut = beat?.ts;
      await query(url, 'SELECT pg_promote(true, 30)');
      this.writer = target;
      this.pendingResync.add(from);
      this.options.onEvent?.(`${this.id}: ${target} promoted (unplanned); ${from} is pending-resync`);
    });
  }

  /** Starts a planned switchover to the member `targetArn` (SwitchoverGlobalCluster): no data loss. */
  switchover(targetArn: string): void {
    const target = this.targetOf(targetArn);
    const from = this.writer;
    if (this.pendingResync.has(target)) {
      throw new NonRetriableError(
        `InvalidGlobalClusterStateFault: ${this.arnOf(target)} is pending-resync; a switchover needs it connected`,
      );
    }
    if (!this.serverIn(from)) {
      throw new NonRetriableError(
        `InvalidGlobalClusterStateFault: the writer in ${from} is not available; a switchover needs every member`,
      );
    }
    this.begin({ from, to: target, dataLossAllowed: false }, () => this.plannedMove(from, target));
  }

  /** Resolves when the move in progress (if any) has finished, successfully or not. */
  settled(): Promise<void> {
    return this.moveDone;
  }

  /** Stops the server of `region` like a lost host (SIGKILL): no checkpoint, no goodbye to the standby. */
  async crash(region: string): Promise<void> {
    await this.servers.get(region)?.crash();
  }

  /**
   * Starts a server on a copy of the data the crashed writer of `region` left (the unplanned-failover snapshot),
   * named `name`. Refused once the member has been rebuilt: its data directory no longer holds that data.
   */
  async restoreOldPrimarySnapshot(name: string): Promise<PostgresServer> {
    if (this.rebuilt) {
      throw new NonRetriableError(
        `${this.id}: the old primary was rebuilt as a standby; its unplanned-failover data is gone`,
      );
    }
    return this.options.pair.restoreOldPrimarySnapshot(name);
  }

  /**
   * Brings the failed Region's member back as a streaming standby of the current writer (what Aurora does when the
   * old primary's Region returns). The embedded binaries have no pg_basebackup, so the writer is stopped for the
   * copy of its data directory (about a second here; Aurora rebuilds online) and started again on the same port.
   */
  async rebuildAsStandby(region: string): Promise<void> {
    if (region === this.writer) throw new Error(`${this.id}: ${region} holds the writer; nothing to rebuild`);
    const writer = this.servers.get(this.writer)!;
    const old = this.servers.get(region)!;
    await old.stop();
    await writer.stop();
    try {
      await PostgresServer.prepareStandby(writer.dataDir, old.dataDir, writer.port);
    } finally {
      this.servers.set(this.writer, await PostgresServer.start({ dataDir: writer.dataDir, port: writer.port }));
    }
    this.rebuilt = true;
    this.servers.set(region, await PostgresServer.start({ dataDir: old.dataDir, port: old.port }));
    await this.waitStreaming(region, 15_000);
    this.pendingResync.delete(region);
    this.options.onEvent?.(`${this.id}: ${region} rebuilt as a standby of ${this.writer}`);
  }

  /**
   * Replication lag of the member in `region` in seconds, by heartbeat: the writer's heartbeat minus the one the
   * member has replayed (0 for the writer). Undefined when a server is down or has no heartbeat.
   */
  async replicationLagSeconds(region: string): Promise<number | undefined> {
    if (region === this.writer) return 0;
    const writer = this.serverIn(this.writer);
    const member = this.serverIn(region);
    if (!writer || !member) return undefined;
    const sql = 'SELECT extract(epoch FROM ts)::float8 AS s FROM replication_heartbeat WHERE id = 1';
    try {
      const [[w], [m]] = await Promise.all([
        query<{ s: number }>(writer.url(this.options.database), sql),
        query<{ s: number }>(member.url(this.options.database), sql),
      ]);
      if (!w || !m) return undefined;
      return Math.max(0, Math.round((w.s - m.s) * 10) / 10);
    } catch {
      return undefined;
    }
  }

  /** Stops every server of the cluster. */
  async stop(): Promise<void> {
    await this.moveDone;
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
  }

  private targetOf(targetArn: string): string {
    if (this.move) {
      throw new NonRetriableError(
        `InvalidGlobalClusterStateFault: global cluster "${this.id}" is already ${this.move.dataLossAllowed ? 'failing-over' : 'switching-over'}`,
      );
    }
    const target = [this.options.primaryRegion, this.options.standbyRegion].find((r) => this.arnOf(r) === targetArn);
    if (!target || target === this.writer) {
      throw new NonRetriableError(`InvalidGlobalClusterStateFault: ${targetArn} is not a secondary of "${this.id}"`);
    }
    if (!this.serverIn(target)) {
      throw new NonRetriableError(`InvalidGlobalClusterStateFault: ${targetArn} is not available`);
    }
    return target;
  }

  private begin(move: Move, work: () => Promise<void>): void {
    this.move = move;
    this.moveError = undefined;
    this.moveDone = work().then(
      () => {
        this.move = undefined;
      },
      (error: unknown) => {
        this.move = undefined;
        this.moveError = error instanceof Error ? error.message : String(error);
        this.options.onEvent?.(`${this.id}: move to ${move.to} failed: ${this.moveError}`);
      },
    );
  }

  private async plannedMove(from: string, to: string): Promise<void> {
    const old = this.servers.get(from)!;
    const next = this.servers.get(to)!;
    const oldUrl = old.url(this.options.database);
    const nextUrl = next.url(this.options.database);
    // 1. No new writes on the old writer (the setting applies to every session's next transaction).
    await query(oldUrl, 'ALTER SYSTEM SET default_transaction_read_only = on');
    await query(oldUrl, 'SELECT pg_reload_conf()');
    await sleep(50);
    // 2. The standby replays everything the old writer wrote.
    const [{ lsn }] = (await query<{ lsn: string }>(oldUrl, 'SELECT pg_current_wal_lsn()::text AS lsn')) as [
      { lsn: string },
    ];
    await this.waitFor(
      async () =>
        (
          await query<{ behind: boolean }>(
            nextUrl,
            'SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn()) > 0 AS behind',
            [lsn],
          )
        )[0]?.behind === false,
      30_000,
      `${to} to replay the old writer's WAL up to ${lsn}`,
    );
    // 3. A clean stop sends the shutdown checkpoint to the connected standby, so the old writer's history is a
    //    prefix of the new timeline and it can follow it afterwards.
    await old.stop();
    await this.waitFor(
      async () =>
        (
          await query<{ received: boolean }>(
            nextUrl,
            'SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), $1::pg_lsn) > 0 AS received',
            [lsn],
          )
        )[0]?.received === true,
      5_000,
      `${to} to receive the old writer's shutdown checkpoint`,
    ).catch(() => undefined);
    // 4. Promote.
    await query(nextUrl, 'SELECT pg_promote(true, 30)');
    this.writer = to;
    // 5. The old writer follows the new one.
    await this.restartAsStandby(from, old);
    try {
      await this.waitStreaming(from, 10_000);
      this.lastRejoin = 'followed-new-timeline';
    } catch {
      await this.rebuildAsStandby(from);
      this.lastRejoin = 'rebuilt-from-copy';
    }
    this.options.onEvent?.(`${this.id}: switched over to ${to}; ${from} is a standby (${this.lastRejoin})`);
  }

  private async restartAsStandby(region: string, old: PostgresServer): Promise<void> {
    const writer = this.servers.get(this.writer)!;
    await writeFile(path.join(old.dataDir, 'standby.signal'), '');
    await writeFile(
      path.join(old.dataDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${writer.port} user=postgres application_name=standby'\nrecovery_target_timeline = 'latest'\n`,
    );
    this.servers.set(region, await PostgresServer.start({ dataDir: old.dataDir, port: old.port }));
  }

  private async waitStreaming(region: string, timeoutMs: number): Promise<void> {
    const url = this.urlIn(region);
    await this.waitFor(
      async () =>
        (
          await query<{ n: number }>(
            url,
            `SELECT count(*)::int AS n FROM pg_stat_wal_receiver WHERE status = 'streaming'`,
          )
        )[0]?.n === 1,
      timeoutMs,
      `${region} to stream from the writer`,
    );
  }

  private async waitFor(done: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await done()) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(50);
    }
  }
}

/**
 * The drill's GlobalDatabasePort: the global databases of the shop, each a {@link LocalGlobalCluster}. A request
 * "sent to" a Region that is down fails like an unreachable endpoint.
 */
export class LocalGlobalDatabase implements GlobalDatabasePort {
  private readonly clusters: ReadonlyMap<string, LocalGlobalCluster>;

  constructor(
    clusters: readonly LocalGlobalCluster[],
    private readonly outages: RegionOutages,
  ) {
    this.clusters = new Map(clusters.map((c) => [c.id, c]));
  }

  async describe(globalClusterId: string, region: string): Promise<GlobalClusterState> {
    this.outages.requireUp(region, 'RDS');
    return this.cluster(globalClusterId).describe(region);
  }

  async failover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void> {
    this.outages.requireUp(region, 'RDS');
    this.cluster(globalClusterId).failover(targetClusterArn);
  }

  async switchover(globalClusterId: string, targetClusterArn: string, region: string): Promise<void> {
    this.outages.requireUp(region, 'RDS');
    this.cluster(globalClusterId).switchover(targetClusterArn);
  }

  async writerEndpoint(globalClusterId: string, region: string): Promise<DatabaseEndpoint> {
    this.outages.requireUp(region, 'RDS');
    const cluster = this.cluster(globalClusterId);
    const server = cluster.serverIn(cluster.writerRegion);
    if (!server) throw new RetriableError(`global cluster "${globalClusterId}": the writer is not running`);
    return { host: '127.0.0.1', port: server.port };
  }

  private cluster(id: string): LocalGlobalCluster {
    const cluster = this.clusters.get(id);
    if (!cluster) {
      throw new NonRetriableError(
        `global cluster "${id}" does not exist; accepted: ${[...this.clusters.keys()].join(', ')}`,
      );
    }
    return cluster;
  }
}
