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

const has = (spec: TableSpec | undefined, ...columns: string[]) =>
  spec !== undefined && columns.every((c) => spec.columns.some((s) => s.name === c));

/** The multiset of (product_id, quantity) lines of an order, as one comparable string. */
function signature(lines: readonly { product_id: string; quantity: number }[]): string {
  return lines
    .map((l) => `${l.product_id}x${l.quantity}`)
    .sort()
    .join(',');
}

/**
 * Flags lost orders the customer placed again on the new primary after the failover: same customer, an order
 * created at or after `failoverAt`, the same multiset of (product_id, quantity). Replaying such an order would
 * likely ship and charge twice, so it becomes `possible_duplicate` (with the re-placed order's id), and so do
 * its lost child rows (every compared table with an `order_id` column). Needs `orders(customer_id, created_at)`
 * and `order_items(order_id, product_id, quantity)`; a database without them (catalog) has nothing to flag.
 *
 * @returns the number of orders flagged
 */
export async function flagPossibleDuplicates(
  old: DatabaseSide,
  current: DatabaseSide,
  tables: Map<string, MutableTableRows>,
  failoverAt: Micros,
): Promise<number> {
  const orders = tables.get('orders');
  const items = tables.get('order_items');
  if (
    !orders ||
    !items ||
    !has(orders.spec, 'customer_id', 'created_at') ||
    !has(items.spec, 'order_id', 'product_id', 'quantity')
  ) {
    return 0;
  }
  const lost = orders.rows.filter((r) => r.class === 'lost_insert' && r.old !== null);
  if (lost.length === 0) return 0;
  const live = has(items.spec, 'deleted_at') ? 'AND i.deleted_at IS NULL' : '';
  const oldLines = await old.client.query<{ order_id: string; product_id: string; quantity: number }>(
    `SELECT i.order_id::text AS order_id, i.product_id::text AS product_id, i.quantity::int AS quantity
       FROM public.order_items AS i WHERE i.order_id = ANY($1::uuid[]) ${live}`,
    [lost.map((r) => r.id)],
  );
  const customers = [...new Set(lost.map((r) => String(r.old!.customer_id)))];
  const replaced = await current.client.query<{
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
      ORDER BY o.created_at, o.id`,
    [customers, microsToIso(failoverAt)],
  );
  const linesByOrder = new Map<string, { product_id: string; quantity: number }[]>();
  for (const line of oldLines.rows) {
    linesByOrder.set(line.order_id, [...(linesByOrder.get(line.order_id) ?? []), line]);
  }
  const newOrders = new Map<
    string,
    { customer: string; createdAt: string; lines: { product_id: string; quantity: number }[] }
  >();
  for (const row of replaced.rows) {
    const order = newOrders.get(row.id) ?? { customer: row.customer_id, createdAt: row.created_at, lines: [] };
    if (row.product_id !== null && row.quantity !== null)
      order.lines.push({ product_id: row.product_id, quantity: row.quantity });
    newOrders.set(row.id, order);
  }
  const duplicates = new Map<string, string>();
  orders.rows = orders.rows.map((row) => {
    if (row.class !== 'lost_insert' || row.old === null) return row;
    const lines = linesByOrder.get(row.id) ?? [];
    if (lines.length === 0) return row;
    const wanted = signature(lines);
    const customer = String(row.old.customer_id);
    const match = [...newOrders.entries()].find(([, o]) => o.customer === customer && signature(o.lines) === wanted);
    if (!match) return row;
    const [replacedId, replacement] = match;
    duplicates.set(row.id, replacedId);
    orders.counts.lost_insert--;
    orders.counts.possible_duplicate++;
    return {
      ...row,
      class: 'possible_duplicate',
      duplicateOf: replacedId,
      detail: `${row.detail}; customer ${customer} placed order ${replacedId} on the new primary at ${replacement.createdAt} with the same items (${lines.length} line${lines.length === 1 ? '' : 's'}): probably re-placed after the failover, replaying it could ship and charge twice`,
    };
  });
  for (const [name, table] of tables) {
    if (name === 'orders' || !has(table.spec, 'order_id')) continue;
    table.rows = table.rows.map((row) => {
      const parent = row.old?.order_id;
      const replacedId = typeof parent === 'string' ? duplicates.get(parent) : undefined;
      if (row.class !== 'lost_insert' || replacedId === undefined) return row;
      table.counts.lost_insert--;
      table.counts.possible_duplicate++;
      return {
        ...row,
        class: 'possible_duplicate',
        duplicateOf: replacedId,
        detail: `${row.detail}; belongs to order ${String(parent)}, a possible duplicate of ${replacedId}`,
      };
    });
  }
  return duplicates.size;
}
