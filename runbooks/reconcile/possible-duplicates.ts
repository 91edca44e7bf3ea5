import type { DatabaseSide } from './database-side';
import type { ClassCounts, ReportRow } from './report';
import type { TableSpec } from './table-spec';
import { type Micros, microsToIso } from './timestamp';

/** Per table: its rows and counts, changed in place when a lost order turns out to be re-placed. */
export interface MutableTableRows {
  readonly spec: TableSpec;
  rows: ReportRow[];
  readonly counts: ClassCounts;
}

interface Line {
  readonly product_id: string;
  readonly quantity: number;
}

interface Replacement {
  readonly id: string;
  readonly detail: string;
}

const has = (spec: TableSpec, ...columns: string[]) => columns.every((c) => spec.columns.some((s) => s.name === c));

/** The multiset of (product_id, quantity) lines of an order, as one comparable string. */
function signature(lines: readonly Line[]): string {
  return lines
    .map((l) => `${l.product_id}x${l.quantity}`)
    .sort()
    .join(',');
}

async function itemColumns(side: DatabaseSide): Promise<string[]> {
  const result = await side.client.query<{ name: string }>(
    `SELECT attname::text AS name FROM pg_attribute
      WHERE attrelid = to_regclass('public.order_items') AND attnum > 0 AND NOT attisdropped`,
  );
  return result.rows.map((r) => r.name);
}

/** Lost orders whose idempotency key an order on the new primary holds: the customer's checkout retry. */
async function retriedOrders(current: DatabaseSide, lost: readonly ReportRow[]): Promise<Map<string, Replacement>> {
  const result = await current.client.query<{ id: string; key: string; created_at: string }>(
    `SELECT o.id::text AS id, o.idempotency_key::text AS key, o.created_at::text AS created_at
       FROM public.orders AS o WHERE o.idempotency_key = ANY($1)`,
    [lost.map((r) => String(r.old!.idempotency_key))],
  );
  const byKey = new Map(result.rows.map((r) => [r.key, r]));
  const found = new Map<string, Replacement>();
  for (const row of lost) {
    const match = byKey.get(String(row.old!.idempotency_key));
    if (!match) continue;
    found.set(row.id, {
      id: match.id,
      detail: `the new primary has order ${match.id} (created ${match.created_at}) with the same idempotency key: the customer's retry placed it again after the failover, and the unique key would refuse a replay`,
    });
  }
  return found;
}

/**
 * Lost orders whose customer placed an order with the same lines on the new primary since `since` (the earliest
 * moment the new primary can have written, in its clock) that old does not have.
 */
async function replacedOrders(
  old: DatabaseSide,
  current: DatabaseSide,
  lost: readonly ReportRow[],
  since: Micros,
): Promise<Map<string, Replacement>> {
  const found = new Map<string, Replacement>();
  // order_items is read even when --tables leaves it out: the lines decide whether an order was re-placed.
  const [oldItems, newItems] = await Promise.all([itemColumns(old), itemColumns(current)]);
  if (!['order_id', 'product_id', 'quantity'].every((c) => oldItems.includes(c) && newItems.includes(c))) return found;
  const live = oldItems.includes('deleted_at') && newItems.includes('deleted_at') ? 'AND i.deleted_at IS NULL' : '';
  const oldLines = await old.client.query<{ order_id: string; product_id: string; quantity: number }>(
    `SELECT i.order_id::text AS order_id, i.product_id::text AS product_id, i.quantity::int AS quantity
       FROM public.order_items AS i WHERE i.order_id = ANY($1::uuid[]) ${live}`,
    [lost.map((r) => r.id)],
  );
  const newLines = await current.client.query<{
    id: string;
    customer_id: string;
    created_at: string;
    product_id: string | null;
    quantity: number | null;
  }>(
    `SELECT o.id::text AS id, o.customer_id::text AS customer_id, o.created_at::text AS created_at,
            i.product_id::text AS product_id, i.quantity::int AS quantity
       FROM public.orders AS o
       LEFT JOIN public.order_items AS i ON i.order_id = o.id ${live}
      WHERE o.customer_id = ANY($1) AND o.created_at >= $2::timestamptz
        -- implied by created_at (the trigger keeps updated_at >= created_at), and indexed: a range scan of the
        -- orders written after the failover instead of a scan of the whole table
        AND o.updated_at >= $2::timestamptz
      ORDER BY o.created_at, o.id`,
    [[...new Set(lost.map((r) => String(r.old!.customer_id)))], microsToIso(since)],
  );
  // Orders old has too were written before the failover and replicated: never a re-placement.
  const onOld = new Set(
    (
      await old.client.query<{ id: string }>('SELECT id::text AS id FROM public.orders WHERE id = ANY($1::uuid[])', [
        [...new Set(newLines.rows.map((r) => r.id))],
      ])
    ).rows.map((r) => r.id),
  );
  const linesByOrder = new Map<string, Line[]>();
  for (const line of oldLines.rows) linesByOrder.set(line.order_id, [...(linesByOrder.get(line.order_id) ?? []), line]);
  const newOrders = new Map<string, { customer: string; createdAt: string; lines: Line[] }>();
  for (const row of newLines.rows) {
    if (onOld.has(row.id)) continue;
    const order = newOrders.get(row.id) ?? { customer: row.customer_id, createdAt: row.created_at, lines: [] };
    if (row.product_id !== null && row.quantity !== null)
      order.lines.push({ product_id: row.product_id, quantity: row.quantity });
    newOrders.set(row.id, order);
  }
  for (const row of lost) {
    const lines = linesByOrder.get(row.id) ?? [];
    if (lines.length === 0) continue;
    const customer = String(row.old!.customer_id);
    const wanted = signature(lines);
    const match = [...newOrders.entries()].find(([, o]) => o.customer === customer && signature(o.lines) === wanted);
    if (!match) continue;
    found.set(row.id, {
      id: match[0],
      detail: `customer ${customer} placed order ${match[0]} on the new primary at ${match[1].createdAt} with the same items (${lines.length} line${lines.length === 1 ? '' : 's'}): probably re-placed after the failover, replaying it could ship and charge twice`,
    });
  }
  return found;
}

/**
 * Flags lost orders the customer placed again on the new primary: an order there with the same idempotency key
 * (a checkout retry), or the same customer with an order old does not have, created at or after `since` (the
 * earliest moment the new primary can have written anything: the earliest of `--failover-at`, the cut and what
 * the heartbeats say of its clock, so a late `--failover-at` or a slow clock hides none), holding the same
 * multiset of (product_id, quantity). Replaying such an order would likely ship and charge twice, so it becomes
 * `possible_duplicate` (with the re-placed order's id), and so do its lost child rows (every compared table
 * with an `order_id` column). A database without `orders(customer_id, created_at)` (catalog) has nothing to flag.
 *
 * @returns the number of orders flagged
 */
export async function flagPossibleDuplicates(
  old: DatabaseSide,
  current: DatabaseSide,
  tables: Map<string, MutableTableRows>,
  since: Micros,
): Promise<number> {
  const orders = tables.get('orders');
  if (!orders || !has(orders.spec, 'customer_id', 'created_at')) return 0;
  // A possibly lost order (new may have deleted it) the customer placed again is a possible duplicate all the same.
  const lostClass = (row: ReportRow): row is ReportRow & { class: 'lost_insert' | 'possibly_lost' } =>
    row.class === 'lost_insert' || row.class === 'possibly_lost';
  const lost = orders.rows.filter((r) => lostClass(r) && r.old !== null);
  if (lost.length === 0) return 0;
  const retried = has(orders.spec, 'idempotency_key')
    ? await retriedOrders(current, lost)
    : new Map<string, Replacement>();
  const replaced = await replacedOrders(
    old,
    current,
    lost.filter((r) => !retried.has(r.id)),
    since,
  );
  const duplicates = new Map([...retried, ...replaced]);
  orders.rows = orders.rows.map((row) => {
    const replacement = lostClass(row) ? duplicates.get(row.id) : undefined;
    if (!replacement) return row;
    orders.counts[row.class as 'lost_insert' | 'possibly_lost']--;
    orders.counts.possible_duplicate++;
    return {
      ...row,
      class: 'possible_duplicate',
      duplicateOf: replacement.id,
      detail: `${row.detail}; ${replacement.detail}`,
    };
  });
  for (const [name, table] of tables) {
    if (name === 'orders' || !has(table.spec, 'order_id')) continue;
    table.rows = table.rows.map((row) => {
      const parent = row.old?.order_id;
      const replacement = lostClass(row) && typeof parent === 'string' ? duplicates.get(parent) : undefined;
      if (!replacement) return row;
      table.counts[row.class as 'lost_insert' | 'possibly_lost']--;
      table.counts.possible_duplicate++;
      return {
        ...row,
        class: 'possible_duplicate',
        duplicateOf: replacement.id,
        detail: `${row.detail}; belongs to order ${String(parent)}, a possible duplicate of ${replacement.id}`,
      };
    });
  }
  return duplicates.size;
}
