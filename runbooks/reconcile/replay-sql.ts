import { PINNED_SETTINGS } from './database-side';
import type { ColumnSpec } from './report';
import { qualifiedTable, quoteIdent, quoteLiteral, tableRows } from './sql-text';

/**
 * The statements every replay runs first, in the same transaction: keep the rows' own updated_at/version, and the
 * session settings apply pins ({@link PINNED_SETTINGS}), so a person running a `proposedSql` by hand in a session
 * with other defaults replays the same values.
 */
export const APPLY_PREAMBLE = `BEGIN; SET LOCAL shop.replay = 'on'; ${Object.entries(PINNED_SETTINGS)
  .map(([name, value]) => `SET LOCAL ${name} = ${quoteLiteral(value)};`)
  .join(' ')}  -- then the statements; COMMIT;`;

/** Values the replay statements take, either as SQL literals (for the report) or `$n` parameters (for apply). */
export interface ReplayValues {
  /** The old row as a record literal or parameter. */
  readonly record: string;
  readonly id: string;
  readonly version: string;
  readonly hash: string;
}

/** Columns a replay writes: never a generated column, which Postgres computes from the others. */
function writtenColumns(columns: readonly ColumnSpec[]): readonly ColumnSpec[] {
  return columns.filter((c) => !c.generated);
}

/** The parts of the replay statements that depend on the columns only. */
interface ColumnParts {
  readonly names: string;
  readonly selected: string;
  readonly overriding: string;
  readonly assignments: string;
}

// Built once per column list, not once per row: a report can hold many thousand rows of one table.
const columnPartsCache = new WeakMap<readonly ColumnSpec[], ColumnParts>();

function columnParts(columns: readonly ColumnSpec[]): ColumnParts {
  const cached = columnPartsCache.get(columns);
  if (cached) return cached;
  const written = writtenColumns(columns);
  const parts: ColumnParts = {
    names: written.map((c) => quoteIdent(c.name)).join(', '),
    selected: written.map((c) => `(s.r).${quoteIdent(c.name)}`).join(', '),
    overriding: columns.some((c) => c.identity === 'always') ? ' OVERRIDING SYSTEM VALUE' : '',
    assignments: written
      .filter((c) => c.name !== 'id' && c.identity !== 'always')
      .map((c) => `${quoteIdent(c.name)} = (s.r).${quoteIdent(c.name)}`)
      .join(', '),
  };
  columnPartsCache.set(columns, parts);
  return parts;
}

/**
 * `INSERT` of the old row, idempotent: a row that is already there (same id, or the same value of another
 * unique key) is left alone. Generated columns are left out (Postgres computes them: "cannot insert a non-DEFAULT
 * value into column"); identity columns keep old's value, with `OVERRIDING SYSTEM VALUE` for `GENERATED ALWAYS`
 * ones (Postgres: "If this clause is specified, then any values supplied for identity columns will override the
 * default sequence-generated values"); columns with defaults get old's value, not the default.
 */
export function insertSql(
  table: string,
  columns: readonly ColumnSpec[],
  values: Pick<ReplayValues, 'record'>,
  ignoreConflicts = true,
): string {
  const { names, selected, overriding } = columnParts(columns);
  return `INSERT INTO ${qualifiedTable(table)} (${names})${overriding} SELECT ${selected} FROM (SELECT ${values.record}::${qualifiedTable(table)} AS r) AS s${ignoreConflicts ? ' ON CONFLICT DO NOTHING' : ''}`;
}

/**
 * `UPDATE` to the old row, idempotent and safe: it only touches the row while the new primary still has exactly
 * the version and content the report saw, so a second run, or a row changed since, is left alone. Neither the id,
 * generated columns nor `GENERATED ALWAYS` identity columns are assigned (Postgres allows them only `DEFAULT`).
 * `plain`: a plain table is updated `ONLY` (a row of the same id in an inheritance child is the child's own).
 */
export function updateSql(
  table: string,
  columns: readonly ColumnSpec[],
  rowHash: string,
  values: ReplayValues,
  plain: boolean,
): string {
  const { assignments } = columnParts(columns);
  return `UPDATE ${tableRows(table, plain)} AS t SET ${assignments} FROM (SELECT ${values.record}::${qualifiedTable(table)} AS r) AS s WHERE t.id = ${values.id}::uuid AND t.version = ${values.version} AND ${rowHash} = ${values.hash}::int8`;
}

/** The proposed SQL written into the report for one row, with every value inlined as a literal. */
export function proposedSql(
  kind: 'lost_insert' | 'lost_update',
  table: string,
  columns: readonly ColumnSpec[],
  rowHash: string,
  row: { id: string; oldRecord: string; newVersion: number | null; newHash: string | null },
  plain: boolean,
): string {
  const record = quoteLiteral(row.oldRecord);
  if (kind === 'lost_insert') return `${insertSql(table, columns, { record })};`;
  return `${updateSql(
    table,
    columns,
    rowHash,
    {
      record,
      id: quoteLiteral(row.id),
      version: String(row.newVersion),
      hash: quoteLiteral(row.newHash ?? ''),
    },
    plain,
  )};`;
}
