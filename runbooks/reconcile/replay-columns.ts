import type { DatabaseSide } from './database-side';
import type { ColumnSpec } from './report';
import { qualifiedTable } from './sql-text';

/**
 * The columns of `public.<table>` on a side, in table order, with what a replay must know of each: generated
 * (stored) columns and identity columns (`pg_attribute.attgenerated`, `attidentity`).
 */
export async function readReplayColumns(side: DatabaseSide, table: string): Promise<ColumnSpec[]> {
  const result = await side.client.query<{ name: string; type: string; generated: string; identity: string }>(
    `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attgenerated::text AS generated, a.attidentity::text AS identity
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [qualifiedTable(table)],
  );
  return result.rows.map((r) => ({
    name: r.name,
    type: r.type,
    generated: r.generated !== '',
    identity: r.identity === 'a' ? 'always' : r.identity === 'd' ? 'default' : null,
  }));
}

/** `columns` with the generated and identity flags of `known` (matched by name). */
export function withReplayFlags(columns: readonly ColumnSpec[], known: readonly ColumnSpec[]): ColumnSpec[] {
  const byName = new Map(known.map((c) => [c.name, c]));
  return columns.map((c) => ({
    ...c,
    generated: byName.get(c.name)?.generated ?? false,
    identity: byName.get(c.name)?.identity ?? null,
  }));
}
