import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from 'pg';

/** Options of {@link purgeSyntheticOrders}. */
export interface SyntheticOrderPurge {
  /** Synthetic orders created longer ago than this many days are deleted. */
  readonly retentionDays: number;
  /** At most this many orders per call. */
  readonly batchSize: number;
}

/**
 * The one statement that deletes synthetic orders with their items, address and outbox events (so one transaction:
 * an order goes with all its rows or not at all). `where` and `tail` complete the selection of the orders, which is
 * always limited to `synthetic` ones here, whoever calls: a real order is never selected. The foreign keys are NO
 * ACTION, checked at the end of the statement, so the children and their order can go in one statement. Its result
 * is one row, `deleted`: how many orders went.
 */
export function deleteSyntheticOrdersSql(where: string, tail: string): string {
  return `WITH doomed AS (
             SELECT id FROM orders WHERE synthetic AND (${where}) ${tail}),
           events AS (DELETE FROM order_events WHERE order_id IN (SELECT id FROM doomed)),
           addresses AS (DELETE FROM shipping_addresses WHERE order_id IN (SELECT id FROM doomed)),
           items AS (DELETE FROM order_items WHERE order_id IN (SELECT id FROM doomed)),
           gone AS (DELETE FROM orders WHERE id IN (SELECT id FROM doomed) RETURNING 1)
           SELECT count(*)::int AS deleted FROM gone`;
}

/**
 * Deletes up to `batchSize` synthetic orders (placed by the canary's synthetic shopper) created more than
 * `retentionDays` ago, with their items, address and outbox events, in one statement ({@link deleteSyntheticOrdersSql}).
 * Real orders are never selected. Rows another session holds are skipped, so instances running this at the same
 * time do not wait for each other. Returns how many orders were deleted.
 *
 * A hard delete, unlike the API's soft delete: these rows exist only so the canary proves a real write, and a
 * deleted row kept forever is what this job is for avoiding.
 */
export async function purgeSyntheticOrders(db: Pick<Pool, 'query'>, options: SyntheticOrderPurge): Promise<number> {
  const result = await db.query<{ deleted: number }>({
    name: 'orders_purge_synthetic',
    text: deleteSyntheticOrdersSql(
      `created_at < now() - $1::int * interval '1 day'`,
      'ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED',
    ),
    values: [options.retentionDays, options.batchSize],
  });
  return result.rows[0]?.deleted ?? 0;
}

/** What {@link removeSyntheticOrders} did. */
export interface SyntheticOrderRemoval {
  /** Orders deleted (with their rows) by this call. */
  readonly removed: number;
  /** Listed ids of orders that are not synthetic: kept, whatever the list said. */
  readonly notSynthetic: readonly string[];
}

/**
 * Deletes the listed orders that are synthetic (a game day's shoppers' orders, by id), with their items, address and
 * outbox events, in one statement ({@link deleteSyntheticOrdersSql}); a listed order that is not synthetic is kept and
 * named. Waits for rows another session holds (the session's `lock_timeout` bounds it). Idempotent: an id already
 * gone is not counted again. `orderIds` must be uuids (the column's type: anything else fails the statement).
 */
export async function removeSyntheticOrders(
  db: Pick<Pool, 'query'>,
  orderIds: readonly string[],
): Promise<SyntheticOrderRemoval> {
  if (orderIds.length === 0) return { removed: 0, notSynthetic: [] };
  const result = await db.query<{ deleted: number }>({
    name: 'orders_remove_synthetic',
    text: deleteSyntheticOrdersSql('id = ANY($1::uuid[])', 'FOR UPDATE'),
    values: [orderIds],
  });
  const kept = await db.query<{ id: string }>({
    name: 'orders_listed_not_synthetic',
    text: 'SELECT id::text AS id FROM orders WHERE id = ANY($1::uuid[]) AND NOT synthetic ORDER BY id',
    values: [orderIds],
  });
  return { removed: result.rows[0]?.deleted ?? 0, notSynthetic: kept.rows.map((r) => r.id) };
}

/** Options of a {@link SyntheticOrderRetention}. */
export interface SyntheticOrderRetentionOptions extends SyntheticOrderPurge {
  readonly pool: Pick<Pool, 'query'>;
  /** Time between runs. */
  readonly intervalMs: number;
  readonly log: FastifyBaseLogger;
}

/**
 * Runs {@link purgeSyntheticOrders} every `intervalMs` (a batch per run, then again at once while batches come back
 * full). Skips a database in recovery (the standby Region's replica: the writer's deletes arrive by replication).
 * A failed run is logged and retried at the next interval; it never stops the service.
 */
export class SyntheticOrderRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: SyntheticOrderRetentionOptions) {}

  /** Starts the periodic runs (the timer does not keep the process alive). */
  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    }, this.options.intervalMs).unref();
  }

  /** Stops the runs and waits for one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One run: batches until one comes back short. Returns how many orders were deleted. */
  async runOnce(): Promise<number> {
    try {
      const recovery = await this.options.pool.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
      if (recovery.rows[0]?.r) return 0;
      let total = 0;
      for (;;) {
        const deleted = await purgeSyntheticOrders(this.options.pool, this.options);
        total += deleted;
        if (deleted < this.options.batchSize) break;
      }
      if (total > 0) {
        this.options.log.info(
          { event: 'synthetic-orders.purged', deleted: total, retentionDays: this.options.retentionDays },
          'old synthetic orders deleted',
        );
      }
      return total;
    } catch (error) {
      this.options.log.warn({ err: error }, 'synthetic order retention run failed; retrying at the next interval');
      return 0;
    }
  }
}
