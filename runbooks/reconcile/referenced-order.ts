import type { DatabaseSide } from './database-side';
import { qualifiedTable, quoteIdent, tableRows } from './sql-text';
import { displayName } from './table-spec';

/** How deep a chain of foreign keys is followed to find an order (a row's line's order is 2). */
const MAX_DEPTH = 8;

interface TableLinks {
  /** Whether the table has an `order_id` column. */
  readonly orderId: boolean;
  /** Its single-column foreign keys to another table's `id`: column → parent. */
  readonly references: readonly { readonly column: string; readonly parent: string }[];
}

/**
 * Finds, on the target, the order a row belongs to through the rows it references, for a replayed row without
 * `order_id` whose referenced row is not replayed (a note on an order line the report found unchanged): the
 * referenced row's `order_id`, or that row's own references, followed up to {@link MAX_DEPTH} tables. Such a row
 * belongs to that order's unit (held back with it when a person decides the order). Undefined when no chain leads
 * to an order.
 */
export class ReferencedOrders {
  private readonly links = new Map<string, Promise<TableLinks>>();

  constructor(private readonly side: DatabaseSide) {}

  /** The order of `table` row `id` on the target, through its `order_id` or the rows it references. */
  async orderOf(table: string, id: string, depth = 0): Promise<string | undefined> {
    if (table === 'orders') return id;
    if (depth >= MAX_DEPTH) return undefined;
    const links = await this.linksOf(table);
    const columns = [...(links.orderId ? ['order_id'] : []), ...links.references.map((r) => r.column)];
    if (columns.length === 0) return undefined;
    const result = await this.side.client.query<Record<string, string | null>>(
      `SELECT ${columns.map((c) => `t.${quoteIdent(c)}::text AS ${quoteIdent(c)}`).join(', ')}
         FROM ${tableRows(table, false)} AS t WHERE t.id::text = $1`,
      [id],
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    if (links.orderId && typeof row['order_id'] === 'string') return row['order_id'];
    return this.throughReferences(links.references, row, depth + 1);
  }

  /** The order reached through the first of `references` whose value in `row` leads to one. */
  async throughReferences(
    references: readonly { readonly column: string; readonly parent: string }[],
    row: Readonly<Record<string, unknown>>,
    depth = 0,
  ): Promise<string | undefined> {
    for (const reference of references) {
      const value = row[reference.column];
      if (typeof value !== 'string') continue;
      const order = await this.orderOf(reference.parent, value, depth);
      if (order !== undefined) return order;
    }
    return undefined;
  }

  private linksOf(table: string): Promise<TableLinks> {
    let links = this.links.get(table);
    if (links === undefined) {
      links = this.readLinks(table);
      this.links.set(table, links);
    }
    return links;
  }

  private async readLinks(table: string): Promise<TableLinks> {
    const result = await this.side.client.query<{
      column: string;
      schema: string;
      parent: string;
      has_order_id: boolean;
    }>(
      `SELECT a.attname::text AS column, pn.nspname::text AS schema, p.relname::text AS parent,
              EXISTS (SELECT 1 FROM pg_attribute o WHERE o.attrelid = to_regclass($1) AND o.attname = 'order_id'
                         AND NOT o.attisdropped) AS has_order_id
         FROM pg_constraint k
         JOIN pg_class p ON p.oid = k.confrelid
         JOIN pg_namespace pn ON pn.oid = p.relnamespace
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
         JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
        WHERE k.contype = 'f' AND k.conrelid = to_regclass($1) AND k.confrelid <> k.conrelid
          AND cardinality(k.conkey) = 1 AND pa.attname = 'id'
        ORDER BY k.conname`,
      [qualifiedTable(table)],
    );
    const orderId =
      result.rows[0]?.has_order_id ??
      (
        await this.side.client.query<{ ok: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'order_id'
                             AND NOT attisdropped) AS ok`,
          [qualifiedTable(table)],
        )
      ).rows[0]?.ok === true;
    return {
      orderId,
      references: result.rows.map((r) => ({ column: r.column, parent: displayName(r.schema, r.parent) })),
    };
  }
}
