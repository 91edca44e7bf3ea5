import type { ColumnSpec } from './report';
import { qualifiedTable, quoteIdent, quoteLiteral } from './sql-text';

/** The statements every replay runs first, in the same transaction: keep the rows' own updated_at/version. */
export const APPLY_PREAMBLE = "BEGIN; SET LOCAL shop.replay = 'on';  -- then the statements; COMMIT;";

/** Values the replay statements take, either as SQL literals (for the report) or `$n` parameters (for apply). */
export interface ReplayValues {
  /** The old row as a record literal or parameter. */
  readonly record: string;
  readonly id: string;
  readonly version: string;
  readonly hash: string;
}

/**
 * `INSERT` of the old row, idempotent: a row that is already there (same id, or the same value of another
 * unique key) is left alone.
 */
export function insertSql(table: string, values: Pick<ReplayValues, 'record'>): string {
  return `INSERT INTO ${qualifiedTable(table)} SELECT (s.r).* FROM (SELECT ${values.record}::${qualifiedTable(table)} AS r) AS s ON CONFLICT DO NOTHING`;
}

/**
 * `UPDATE` to the old row, idempotent and safe: it only touches the row while the new primary still has exactly
 * the version and content the report saw, so a second run, or a row changed since, is left alone.
 */
export function updateSql(
  table: string,
  columns: readonly ColumnSpec[],
  rowHash: string,
  values: ReplayValues,
): string {
  const assignments = columns
    .filter((c) => c.name !== 'id')
    .map((c) => `${quoteIdent(c.name)} = (s.r).${quoteIdent(c.name)}`)
    .join(', ');
  return `UPDATE ${qualifiedTable(table)} AS t SET ${assignments} FROM (SELECT ${values.record}::${qualifiedTable(table)} AS r) AS s WHERE t.id = ${values.id}::uuid AND t.version = ${values.version} AND ${rowHash} = ${values.hash}::int8`;
}

/** The proposed SQL written into the report for one row, with every value inlined as a literal. */
export function proposedSql(
  kind: 'lost_insert' | 'lost_update',
  table: string,
  columns: readonly ColumnSpec[],
  rowHash: string,
  row: { id: string; oldRecord: string; newVersion: number | null; newHash: string | null },
): string {
  const record = quoteLiteral(row.oldRecord);
  if (kind === 'lost_insert') return `${insertSql(table, { record })};`;
  return `${updateSql(table, columns, rowHash, {
    record,
    id: quoteLiteral(row.id),
    version: String(row.newVersion),
    hash: quoteLiteral(row.newHash ?? ''),
  })};`;
}
