import type { DatabaseSide } from './database-side';
import { qualifiedTable, quoteIdent } from './sql-text';

/** How deep a chain of foreign keys is followed to find an order (a note on an order line is 2). */
const MAX_DEPTH = 8;

/** One single-column foreign key to another table's `id`, by the referenced table's oid. */
interface Link {
  readonly column: string;
  readonly parent: number;
}

/** What is needed of one table: how to read it, whether it is the orders table or has `order_id`, its links. */
interface TableLinks {
  /** `schema.name`, quoted. */
  readonly sql: string;
  readonly isOrders: boolean;
  readonly orderId: boolean;
  readonly links: readonly Link[];
}

/**
 * Finds, on the target, the order a row belongs to through the rows it references, for a replayed row without
 * `order_id` whose referenced row is not replayed (a note on an order line the report found unchanged): the
 * referenced row's `order_id`, or that row's own references, followed through tables of any schema up to
 * {@link MAX_DEPTH} tables, each row looked up once (a cycle or a diamond of references costs one lookup per row).
 * Such a row belongs to that order's unit (held back with it when a person decides the order). Undefined when no
 * chain leads to an order.
 */
export class ReferencedOrders {
  private readonly tables = new Map<number, Promise<TableLinks>>();

  constructor(private readonly side: DatabaseSide) {}

  /** The order that `row` of the replayed table `table` (a report key, schema public) belongs to, if any. */
  async orderOfRow(table: string, row: Readonly<Record<string, unknown>>): Promise<string | undefined> {
    const oid = await this.oidOf(table);
    if (oid === undefined) return undefined;
    const start = await this.linksOf(oid);
    const seen = new Set<string>();
    let frontier: { oid: number; id: string }[] = [];
    for (const link of start.links) {
      const value = row[link.column];
      if (typeof value === 'string') frontier.push({ oid: link.parent, id: value });
    }
    // Breadth first: the nearest order wins, and each (table, id) is read once.
    for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
      const next: { oid: number; id: string }[] = [];
      for (const step of frontier) {
        const key = `${step.oid}\n${step.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const links = await this.linksOf(step.oid);
        if (links.isOrders) return step.id;
        const found = await this.read(links, step.id);
        if (found === undefined) continue;
        if (links.orderId && typeof found['order_id'] === 'string') return found['order_id'];
        for (const link of links.links) {
          const value = found[link.column];
          if (typeof value === 'string') next.push({ oid: link.parent, id: value });
        }
      }
      frontier = next;
    }
    return undefined;
  }

  private async oidOf(table: string): Promise<number | undefined> {
    const result = await this.side.client.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [
      qualifiedTable(table),
    ]);
    const oid = result.rows[0]?.oid;
    return oid === null || oid === undefined ? undefined : Number(oid);
  }

  /** The columns `order_id` and the link columns of one row, as text; undefined when the row is not there. */
  private async read(links: TableLinks, id: string): Promise<Record<string, string | null> | undefined> {
    const columns = [...(links.orderId ? ['order_id'] : []), ...new Set(links.links.map((l) => l.column))];
    if (columns.length === 0) return undefined;
    // `id = $1` lets Postgres type the parameter as the column (an index scan), not `id::text = $1` (a scan).
    const result = await this.side.client.query<Record<string, string | null>>(
      `SELECT ${columns.map((c) => `t.${quoteIdent(c)}::text AS ${quoteIdent(c)}`).join(', ')}
         FROM ${links.sql} AS t WHERE t.id = $1`,
      [id],
    );
    return result.rows[0];
  }

  private linksOf(oid: number): Promise<TableLinks> {
    let links = this.tables.get(oid);
    if (links === undefined) {
      links = this.readLinks(oid);
      this.tables.set(oid, links);
    }
    return links;
  }

  private async readLinks(oid: number): Promise<TableLinks> {
    const table = await this.side.client.query<{ schema: string; name: string; order_id: boolean }>(
      `SELECT n.nspname AS schema, c.relname AS name,
              EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'order_id'
                         AND NOT a.attisdropped) AS order_id
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
      [oid],
    );
    const links = await this.side.client.query<{ column: string; parent: number }>(
      `SELECT a.attname::text AS column, k.confrelid::int8 AS parent
         FROM pg_constraint k
         JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
         JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
        WHERE k.contype = 'f' AND k.conrelid = $1 AND k.confrelid <> k.conrelid
          AND cardinality(k.conkey) = 1 AND pa.attname = 'id'
        ORDER BY k.conname`,
      [oid],
    );
    const t = table.rows[0];
    return {
      sql: t ? `${quoteIdent(t.schema)}.${quoteIdent(t.name)}` : 'pg_catalog.pg_class',
      isOrders: t?.schema === 'public' && t.name === 'orders',
      orderId: t?.order_id === true,
      links: links.rows.map((r) => ({ column: r.column, parent: Number(r.parent) })),
    };
  }
}
