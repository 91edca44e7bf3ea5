import type { MutableTableRows } from './possible-duplicates';
import type { ReferencedOrders } from './referenced-order';
import { PERSON_CLASSES, type ReportRow } from './report';

/**
 * Says on every lost row (lost insert or lost update) whose order a person must decide first that apply will hold
 * it back, and why: its order is a conflict, possible duplicate, possibly lost or unexplained row, or another of
 * the order's own rows is (apply never half-recovers an order). The row stays in its class with its replay SQL, for
 * the person to run once the order is decided; only the detail changes, so the report and apply say the same.
 *
 * @returns the number of rows marked
 */
export async function markHeldWithOrder(
  tables: ReadonlyMap<string, MutableTableRows>,
  referenced: ReferencedOrders,
): Promise<number> {
  const orderOf = (table: string, row: ReportRow): string | undefined => {
    if (table === 'orders') return row.id;
    const id = row.old?.['order_id'] ?? row.new?.['order_id'];
    return typeof id === 'string' ? id : undefined;
  };
  // Per order, the first row of it a person decides.
  const decided = new Map<string, string>();
  for (const [table, { rows }] of tables) {
    for (const row of rows) {
      const order = PERSON_CLASSES.includes(row.class) ? orderOf(table, row) : undefined;
      if (order !== undefined && !decided.has(order)) {
        decided.set(order, table === 'orders' ? `is a ${row.class}` : `has ${table} ${row.id}, a ${row.class}`);
      }
    }
  }
  let marked = 0;
  if (decided.size === 0) return marked;
  for (const [table, entry] of tables) {
    const rows: ReportRow[] = [];
    for (const row of entry.rows) {
      if (row.class !== 'lost_insert' && row.class !== 'lost_update') {
        rows.push(row);
        continue;
      }
      // A row without order_id (a note on a line) belongs to the order of the rows it references, as apply finds it.
      const order = orderOf(table, row) ?? (row.old ? await referenced.orderOfRow(table, row.old) : undefined);
      const why = order === undefined ? undefined : decided.get(order);
      if (why === undefined) {
        rows.push(row);
        continue;
      }
      marked++;
      const unless = why.endsWith('possibly_lost') ? ' (unless apply runs with --replay-possibly-lost)' : '';
      rows.push({
        ...row,
        detail: `${row.detail}; apply holds it back${unless}: its order ${order} ${why}, which a person decides first (then run reconcile again)`,
      });
    }
    entry.rows = rows;
  }
  return marked;
}
