import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillReport } from './drill-report';

/** One lost order as the person on call needs it: who, how much, when, what; not an id alone. */
export interface LostOrderReport {
  readonly id: string;
  /** reconcile's class of the order's `orders` row; null when reconcile's report does not list the order. */
  readonly class: 'lost_insert' | 'possibly_lost' | 'possible_duplicate' | null;
  /** Whether the shopper was told the order was placed (the traffic generator's acknowledgment). */
  readonly acknowledged: boolean;
  readonly customer_id: string | null;
  /** "Annie Jackson <annie.jackson@example.com>" from the order's shipping address, when reconcile lists it. */
  readonly customer_name: string | null;
  /** "42.80 USD". */
  readonly amount: string | null;
  /** When the order was placed (the old primary's created_at). */
  readonly placed_at: string | null;
  /** "2 × Merino Wool Socks", one entry per line item. */
  readonly items: readonly string[];
}

type Row = { class: string; id: string; old: Record<string, unknown> | null };
type ReconcileJson = { tables?: Record<string, { rows?: Row[] }> };

// A possible duplicate is a lost order its shopper placed again after the failover: lost all the same.
const LOST_CLASSES = new Set(['lost_insert', 'possibly_lost', 'possible_duplicate']);
const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

/**
 * The lost orders of a drill, from the orders database's reconcile report (report.json in the folder the drill
 * copied it to: each lost row's `old` values) joined with the orders the traffic generator saw acknowledged and
 * the new primary lacks. An acknowledged order reconcile does not list is kept, with what is known (its id).
 */
export function lostOrders(report: Pick<DrillReport, 'acknowledged_lost_ids'>, reconcile: ReconcileJson | null) {
  const tables = reconcile?.tables ?? {};
  const lostRows = (table: string) => (tables[table]?.rows ?? []).filter((r) => LOST_CLASSES.has(r.class) && r.old);
  const orders = new Map(lostRows('orders').map((r) => [r.id, r]));
  const ofOrder = (table: string, id: string) => lostRows(table).filter((r) => r.old?.['order_id'] === id);
  const acknowledged = new Set(report.acknowledged_lost_ids);
  const ids = [...new Set([...orders.keys(), ...report.acknowledged_lost_ids])];
  const result: LostOrderReport[] = ids.map((id) => {
    const old = orders.get(id)?.old ?? null;
    const address = ofOrder('shipping_addresses', id)[0]?.old;
    const name = address ? [address['first_name'], address['last_name']].filter(Boolean).join(' ') : '';
    const email = text(address?.['email']);
    const total = old?.['total'];
    return {
      id,
      class: (orders.get(id)?.class as LostOrderReport['class']) ?? null,
      acknowledged: acknowledged.has(id),
      customer_id: text(old?.['customer_id']),
      customer_name: name || email ? `${name}${email ? `${name ? ' ' : ''}<${email}>` : ''}` : null,
      amount:
        total === null || total === undefined
          ? null
          : `${Number(total).toFixed(2)}${old?.['currency'] ? ` ${String(old['currency'])}` : ''}`,
      placed_at: text(old?.['created_at']),
      items: ofOrder('order_items', id).map(
        (r) => `${r.old?.['quantity'] ?? '?'} × ${r.old?.['name'] ?? r.old?.['product_id']}`,
      ),
    };
  });
  return result.sort(
    (a, b) => (a.placed_at ?? '\uffff').localeCompare(b.placed_at ?? '\uffff') || a.id.localeCompare(b.id),
  );
}

/**
 * Reads the orders database's reconcile report.json from the drill's out folder and fills
 * {@link DrillReport.lost_orders}; a missing or unreadable report leaves the acknowledged ids alone in the list.
 */
export async function fillLostOrders(report: DrillReport): Promise<void> {
  const dir = report.reconcile.databases['orders']?.report_dir;
  let reconcile: ReconcileJson | null = null;
  if (dir) {
    try {
      reconcile = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as ReconcileJson;
    } catch {
      reconcile = null;
    }
  }
  report.lost_orders = lostOrders(report, reconcile);
}
