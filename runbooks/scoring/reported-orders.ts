import type { ReportedClass } from '../reconcile/report';
import type { DatabaseReport, ScoredReportRow } from './score-input';

/** Where a reported row sits. */
export interface RowRef {
  readonly database: string;
  readonly table: string;
  readonly id: string;
  readonly class: ReportedClass;
}

/** One order as the missing-transaction reports list it. */
export interface ReportedOrder {
  readonly orderId: string;
  /**
   * The order's class: its `orders` row's class when the report lists that row, otherwise the first class of
   * {@link CLASS_ORDER} among its rows (an address change is a row of `shipping_addresses` alone).
   */
  readonly class: ReportedClass;
  readonly rows: readonly RowRef[];
  /** The order a possible duplicate was placed again as (its `duplicateOf`), when the report names one. */
  readonly duplicateOf: string | null;
  /** Whether a row says the order is synthetic (`orders.synthetic`). */
  readonly synthetic: boolean;
  /** The customer ids its rows name. */
  readonly customers: readonly string[];
}

/**
 * Which class names an order whose `orders` row is not listed, most telling first. Such an order is on the new
 * primary (a lost order's `orders` row is always listed), so a changed row of it (an address) says more than a new
 * row of it (the outbox event of that change, an insert).
 */
export const CLASS_ORDER: readonly ReportedClass[] = [
  'possible_duplicate',
  'conflict',
  'lost_update',
  'lost_insert',
  'possibly_lost',
  'unexplained',
  'superseded',
];

/** What the reports list, by order, and the rows that belong to no order. */
export interface ReportedRows {
  readonly orders: ReadonlyMap<string, ReportedOrder>;
  /** Rows that name no order (e.g. the catalog's): not any shopper's write the ledger can speak for. */
  readonly otherRows: readonly RowRef[];
  readonly unexplained: readonly RowRef[];
}

const isOrdersTable = (table: string) => table === 'orders' || table === 'public.orders';

const orderIdOf = (table: string, row: ScoredReportRow): string | null => {
  if (isOrdersTable(table)) return row.id;
  const id = row.old?.['order_id'] ?? row.new?.['order_id'];
  return typeof id === 'string' ? id : null;
};

/**
 * Groups every reported row (not `superseded`: a later write replaced it, nothing was lost) by the order it belongs
 * to: an `orders` row by its id, a row of another table by its `order_id` column.
 */
export function reportedOrders(reports: readonly DatabaseReport[]): ReportedRows {
  type Building = {
    rows: RowRef[];
    ordersClass: ReportedClass | null;
    duplicateOf: string | null;
    synthetic: boolean;
    customers: Set<string>;
  };
  const building = new Map<string, Building>();
  const otherRows: RowRef[] = [];
  const unexplained: RowRef[] = [];
  for (const { database, report } of reports) {
    for (const [table, { rows }] of Object.entries(report.tables)) {
      for (const row of rows) {
        if (row.class === 'superseded') continue;
        const ref: RowRef = { database, table, id: row.id, class: row.class };
        if (row.class === 'unexplained') unexplained.push(ref);
        const orderId = orderIdOf(table, row);
        if (orderId === null) {
          otherRows.push(ref);
          continue;
        }
        const order = building.get(orderId) ?? {
          rows: [],
          ordersClass: null,
          duplicateOf: null,
          synthetic: false,
          customers: new Set<string>(),
        };
        building.set(orderId, order);
        order.rows.push(ref);
        if (isOrdersTable(table)) order.ordersClass = row.class;
        if (row.duplicateOf) order.duplicateOf = row.duplicateOf;
        for (const side of [row.old, row.new]) {
          if (side?.['synthetic'] === true) order.synthetic = true;
          if (typeof side?.['customer_id'] === 'string') order.customers.add(side['customer_id']);
        }
      }
    }
  }
  const orders = new Map<string, ReportedOrder>();
  for (const [orderId, b] of building) {
    const classes = new Set(b.rows.map((r) => r.class));
    orders.set(orderId, {
      orderId,
      class: b.ordersClass ?? CLASS_ORDER.find((c) => classes.has(c))!,
      rows: b.rows,
      duplicateOf: b.duplicateOf,
      synthetic: b.synthetic,
      customers: [...b.customers].sort(),
    });
  }
  return { orders, otherRows, unexplained };
}
