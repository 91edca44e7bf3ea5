import type { PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { Queryable } from '../platform/postgres';
import { classifyStoreError } from '../platform/store-failure';
import type { Order, ShippingAddress } from './schemas';

/** An order to place; money in integer cents. */
export interface NewOrder {
  readonly customerId: string;
  readonly idempotencyKey: string;
  readonly items: ReadonlyArray<{
    readonly productId: string;
    readonly name: string;
    readonly quantity: number;
    readonly unitPriceCents: number;
  }>;
  readonly shippingCents: number;
  readonly taxCents: number;
  readonly shippingAddress: ShippingAddress;
  /** Placed by the canary's synthetic shopper. */
  readonly synthetic: boolean;
}

/** Where a page of a customer's orders ends: the (created_at, id) of its last order. */
export interface OrderCursor {
  /** `created_at` with microseconds, as Postgres printed it (a JS Date would lose them). */
  readonly createdAt: string;
  readonly id: string;
}

const TS = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const ORDER_COLUMNS = `o.id, o.customer_id AS "customerId", o.status,
  (o.total - o.shipping - o.tax)::float8 AS subtotal, o.shipping::float8 AS shipping, o.tax::float8 AS tax,
  o.total::float8 AS total, o.currency,
  o.idempotency_key AS "idempotencyKey", o.synthetic, ${TS('o.created_at')} AS "createdAt", ${TS('o.updated_at')} AS "updatedAt",
  o.version, o.deleted_at IS NOT NULL AS deleted,
  COALESCE((SELECT json_agg(json_build_object('id', i.id, 'productId', i.product_id, 'name', i.name,
              'quantity', i.quantity, 'unitPrice', i.unit_price::float8,
              'totalCost', (i.unit_price * i.quantity)::float8) ORDER BY i.id)
            FROM order_items i WHERE i.order_id = o.id AND i.deleted_at IS NULL), '[]'::json) AS items,
  (SELECT json_strip_nulls(json_build_object('firstName', s.first_name, 'lastName', s.last_name, 'email', s.email,
            'address1', s.address1, 'address2', s.address2, 'city', s.city, 'state', s.state, 'zipCode', s.zip_code))
   FROM shipping_addresses s WHERE s.order_id = o.id AND s.deleted_at IS NULL) AS "shippingAddress"`;

type OrderRow = Order & { readonly deleted: boolean };

function withoutDeleted({ deleted: _deleted, ...order }: OrderRow): Order {
  return order;
}

/** Orders in Postgres: placed with their items, address and outbox event in one transaction; soft-deleted. */
export class OrderRepository {
  constructor(private readonly pool: Queryable) {}

  /**
   * Places an order unless one with the same idempotency key exists. Concurrent calls with one key all return
   * the same order: the loser's INSERT waits for the winner's transaction and then does nothing. `created` says
   * which call placed it. Returns `deleted: true` when the key belongs to an order that was deleted since.
   */
  async place(
    order: NewOrder,
  ): Promise<{ readonly order: Order; readonly created: boolean } | { readonly deleted: true }> {
    const id = uuidv7();
    const subtotalCents = order.items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
    const totalCents = subtotalCents + order.shippingCents + order.taxCents;
    const a = order.shippingAddress;
    // One statement, so one round trip and one implicit transaction: the order, its items, its address and its
    // outbox event are written together or not at all. When the key exists already, `o` is empty and so is
    // every insert that selects from it.
    const itemIds = order.items.map(() => uuidv7());
    const result = await this.pool.query<{ created_at: string }>({
      name: 'orders_place',
      text: `WITH o AS (
               INSERT INTO orders (id, customer_id, status, total, shipping, tax, currency, idempotency_key,
                                   synthetic)
               VALUES ($1, $2, 'placed', $3::bigint::numeric / 100, $4::bigint::numeric / 100,
                       $5::bigint::numeric / 100, 'USD', $6, $23)
               ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at),
             items AS (
               INSERT INTO order_items (id, order_id, product_id, name, quantity, unit_price)
               SELECT t.item_id, o.id, t.product_id, t.name, t.quantity, t.cents::numeric / 100
               FROM o, unnest($7::uuid[], $8::uuid[], $9::text[], $10::int[], $11::bigint[])
                 AS t(item_id, product_id, name, quantity, cents)),
             address AS (
               INSERT INTO shipping_addresses
                 (id, order_id, first_name, last_name, email, address1, address2, city, state, zip_code)
               SELECT $12, o.id, $13, $14, $15, $16, $17, $18, $19, $20 FROM o),
             event AS (
               INSERT INTO order_events (id, order_id, type, payload)
               SELECT $21, o.id, 'OrderPlaced', $22::jsonb FROM o)
             SELECT ${TS('o.created_at')} AS created_at FROM o`,
      values: [
        id,
        order.customerId,
        totalCents,
        order.shippingCents,
        order.taxCents,
        order.idempotencyKey,
        itemIds,
        order.items.map((i) => i.productId),
        order.items.map((i) => i.name),
        order.items.map((i) => i.quantity),
        order.items.map((i) => i.unitPriceCents),
        uuidv7(),
        a.firstName,
        a.lastName,
        a.email,
        a.address1,
        a.address2 || null, // an empty second line is no second line
        a.city,
        a.state,
        a.zipCode,
        uuidv7(),
        JSON.stringify({
          orderId: id,
          customerId: order.customerId,
          idempotencyKey: order.idempotencyKey,
          subtotal: subtotalCents / 100,
          shipping: order.shippingCents / 100,
          tax: order.taxCents / 100,
          total: totalCents / 100,
          currency: 'USD',
          synthetic: order.synthetic,
          items: order.items.map((i) => ({
            productId: i.productId,
            quantity: i.quantity,
            unitPrice: i.unitPriceCents / 100,
          })),
        }),
        order.synthetic,
      ],
    });
    const createdAt = result.rows[0]?.created_at;
    if (createdAt !== undefined) {
      // Placed by this call: the answer is what was just written, without reading it back.
      const { address2, ...address } = a;
      return {
        created: true,
        order: {
          id,
          customerId: order.customerId,
          status: 'placed',
          subtotal: subtotalCents / 100,
          shipping: order.shippingCents / 100,
          tax: order.taxCents / 100,
          total: totalCents / 100,
          currency: 'USD',
          idempotencyKey: order.idempotencyKey,
          synthetic: order.synthetic,
          createdAt,
          updatedAt: createdAt,
          version: 1,
          items: order.items.map((i, index) => ({
            id: itemIds[index]!,
            productId: i.productId,
            name: i.name,
            quantity: i.quantity,
            unitPrice: i.unitPriceCents / 100,
            totalCost: (i.unitPriceCents * i.quantity) / 100,
          })),
          shippingAddress: address2 ? { ...address, address2 } : address,
        },
      };
    }
    const row = await this.queryOne('orders_by_key', 'o.idempotency_key = $1', order.idempotencyKey);
    if (row === undefined) throw new Error(`order with idempotency key ${order.idempotencyKey} vanished after insert`);
    if (row.deleted) return { deleted: true };
    return { order: withoutDeleted(row), created: false };
  }

  /** One order, unless it does not exist or was deleted. */
  async get(id: string): Promise<Order | undefined> {
    const row = await this.queryOne('orders_by_id', 'o.id = $1', id);
    return row === undefined || row.deleted ? undefined : withoutDeleted(row);
  }

  /** A customer's orders, newest first, `limit` at a time after `cursor`. */
  async list(
    customerId: string,
    limit: number,
    cursor: OrderCursor | undefined,
  ): Promise<{ readonly orders: Order[]; readonly next: OrderCursor | undefined }> {
    const result = await this.pool.query<OrderRow>({
      name: 'orders_list',
      text: `SELECT ${ORDER_COLUMNS} FROM orders o
             WHERE o.customer_id = $1 AND o.deleted_at IS NULL
               AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2::timestamptz, $3::uuid))
             ORDER BY o.created_at DESC, o.id DESC LIMIT $4`,
      values: [customerId, cursor?.createdAt ?? null, cursor?.id ?? null, limit + 1],
    });
    const rows = result.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return {
      orders: rows.map(withoutDeleted),
      next: result.rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
    };
  }

  /** Marks an order deleted (the row stays, so a lost delete shows in the failover report). */
  async softDelete(id: string): Promise<boolean> {
    return this.transaction(async (client) => {
      const deleted = await client.query<{ customer_id: string }>({
        name: 'orders_soft_delete',
        text: 'UPDATE orders SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING customer_id',
        values: [id],
      });
      if (deleted.rowCount !== 1) return false;
      await this.appendEvent(client, id, 'OrderDeleted', { orderId: id, customerId: deleted.rows[0]!.customer_id });
      return true;
    });
  }

  /**
   * Replaces the shipping address of an order that is not deleted, with a `ShippingAddressChanged` outbox event in
   * the same transaction; returns the order as it is now, or undefined when there is no such order.
   */
  async changeShippingAddress(id: string, a: ShippingAddress): Promise<Order | undefined> {
    const changed = await this.transaction(async (client) => {
      const updated = await client.query<{ customer_id: string }>({
        name: 'orders_change_shipping_address',
        text: `UPDATE shipping_addresses AS s
                  SET first_name = $2, last_name = $3, email = $4, address1 = $5, address2 = $6, city = $7,
                      state = $8, zip_code = $9
                 FROM orders AS o
                WHERE s.order_id = $1 AND o.id = s.order_id AND o.deleted_at IS NULL AND s.deleted_at IS NULL
            RETURNING o.customer_id`,
        values: [id, a.firstName, a.lastName, a.email, a.address1, a.address2 || null, a.city, a.state, a.zipCode],
      });
      if (updated.rowCount !== 1) return false;
      await this.appendEvent(client, id, 'ShippingAddressChanged', {
        orderId: id,
        customerId: updated.rows[0]!.customer_id,
      });
      return true;
    });
    return changed ? this.get(id) : undefined;
  }

  private async appendEvent(client: PoolClient, orderId: string, type: string, payload: unknown): Promise<void> {
    await client.query({
      name: 'orders_insert_event',
      text: 'INSERT INTO order_events (id, order_id, type, payload) VALUES ($1, $2, $3, $4)',
      values: [uuidv7(), orderId, type, JSON.stringify(payload)],
    });
  }

  private async queryOne(name: string, where: string, value: string): Promise<OrderRow | undefined> {
    const result = await this.pool.query<OrderRow>({
      name,
      text: `SELECT ${ORDER_COLUMNS} FROM orders o WHERE ${where}`,
      values: [value],
    });
    return result.rows[0];
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (classifyStoreError(error) !== undefined) {
        // The database did not answer (or the connection is gone): a ROLLBACK would wait out another query
        // timeout behind the stuck statement. The connection is destroyed instead; the server rolls back an open
        // transaction when its connection closes.
        broken = error as Error;
        throw error;
      }
      // A connection that cannot even roll back is not given back to the pool.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
