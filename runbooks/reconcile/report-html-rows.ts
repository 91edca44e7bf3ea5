import escapeHtml from 'escape-html';
import type { ReportedClass, ReportRow } from './report';

/** Rows shown per group (an order, or a table and class) in the HTML; the CSV and JSON always hold all of them. */
export const HTML_ROW_LIMIT = 500;

/** Orders shown in the HTML; the CSV and JSON always hold all of them. */
export const HTML_ORDER_LIMIT = 200;

/** What each class means and what apply does with it, in the words of the person reading the report. */
export const CLASS_TEXT: Readonly<Record<ReportedClass, { readonly label: string; readonly means: string }>> = {
  lost_insert: { label: 'lost insert', means: 'only the old primary had this row. apply inserts it.' },
  lost_update: {
    label: 'lost update',
    means:
      'the old primary changed this row after the copy the new primary has (a lost soft delete too). apply updates it.',
  },
  possibly_lost: {
    label: 'possibly lost',
    means:
      'only the old primary has it, written in the moment replication stopped: it may have replicated and been deleted by the new primary since. A person decides; apply --replay-possibly-lost inserts it.',
  },
  conflict: { label: 'conflict', means: 'changed on both sides. A person decides; apply leaves it alone.' },
  possible_duplicate: {
    label: 'possible duplicate',
    means: 'a lost order the customer placed again after the failover. A person decides; apply leaves it alone.',
  },
  unexplained: {
    label: 'unexplained',
    means:
      'a difference a failover cannot cause (a hard delete, a write that bypassed updated_at, split brain). A person investigates.',
  },
  superseded: {
    label: 'superseded',
    means:
      'old’s change replicated (its commit time proves it) and the new primary changed the row again. Nothing lost.',
  },
};

export const e = (value: unknown): string => escapeHtml(String(value ?? ''));

/** A column value as a person reads it: NULL marked, text as is, anything else as compact JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '<span class="null">NULL</span>';
  return e(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * One row's columns as a table, old and new side by side where both exist (the columns that differ marked), or the
 * one side that has it.
 */
export function columnsTable(row: ReportRow): string {
  const sides = [row.old ? 'old' : undefined, row.new ? 'new' : undefined].filter((s) => s !== undefined);
  if (sides.length === 0) return '';
  const columns = [...new Set([...Object.keys(row.old ?? {}), ...Object.keys(row.new ?? {})])];
  const head = sides.map((s) => `<th>${s === 'old' ? 'old primary (restored)' : 'new primary'}</th>`).join('');
  const body = columns
    .map((column) => {
      const differs =
        row.old && row.new && JSON.stringify(row.old[column] ?? null) !== JSON.stringify(row.new[column] ?? null);
      const values = sides.map((s) => `<td>${cell((s === 'old' ? row.old : row.new)?.[column])}</td>`).join('');
      return `<tr${differs ? ' class="differs"' : ''}><th scope="row">${e(column)}</th>${values}</tr>`;
    })
    .join('');
  return `<div class="table-scroll"><table class="columns"><thead><tr><th>column</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** One reported row: its table, class, id, why, its columns, and the replay SQL folded away. */
export function rowBlock(table: string, row: ReportRow): string {
  const text = CLASS_TEXT[row.class];
  return `<section class="row ${e(row.class)}">
<h4><span class="class">${e(text.label)}</span> ${e(table)} <code>${e(row.id)}</code></h4>
<p class="detail">${e(row.detail)}${row.duplicateOf ? ` <b>Placed again as</b> <code>${e(row.duplicateOf)}</code>.` : ''}</p>
${columnsTable(row)}
${row.proposedSql ? `<details><summary>replay SQL</summary><pre>${e(row.proposedSql)}</pre></details>` : ''}
</section>`;
}

/** The order a reported row belongs to: its own id in `orders`, its `order_id` elsewhere. */
export function orderOfRow(table: string, row: ReportRow): string | undefined {
  if (table === 'orders') return row.id;
  const id = row.old?.['order_id'] ?? row.new?.['order_id'];
  return typeof id === 'string' ? id : undefined;
}

/** "customer c-1, 42.00 USD, placed 2026-01-10T12:00:10Z" from an orders row, as far as it has those columns. */
export function orderSummary(order: Record<string, unknown> | null | undefined): string {
  if (!order) return '';
  const parts = [
    order['customer_id'] !== undefined ? `customer ${String(order['customer_id'])}` : undefined,
    order['total'] !== undefined && order['total'] !== null
      ? `${String(order['total'])}${typeof order['currency'] === 'string' ? ` ${order['currency']}` : ''}`
      : undefined,
    typeof order['created_at'] === 'string' ? `placed ${order['created_at']}` : undefined,
    typeof order['status'] === 'string' ? `status ${order['status']}` : undefined,
  ].filter((p) => p !== undefined);
  return parts.join(', ');
}
