import type { DatabaseSide } from './database-side';
import type { OtherTableReport, ReportGap } from './report';
import type { OtherTable } from './table-spec';

/** What {@link compareOtherTables} found. */
export interface OtherTablesResult {
  readonly tables: Record<string, OtherTableReport>;
  /** One per table that is neither identical nor empty on both sides. */
  readonly gaps: ReportGap[];
}

interface WholeTable {
  readonly rows: number;
  readonly sum: string;
}

/**
 * `(count, sum of hashes of the exact text of every row)` of a whole table. The text (`t::text`) keeps every
 * difference, whatever the column types: equal-but-not-same values (jsonb `10` and `10.0`) hash differently.
 */
async function wholeTable(side: DatabaseSide, sql: string): Promise<WholeTable> {
  const result = await side.client.query<{ n: string; s: string }>(
    `SELECT count(*)::text AS n, coalesce(sum(hashtextextended((t.*)::text, 0)::numeric), 0)::text AS s FROM ${sql} AS t`,
  );
  return { rows: Number(result.rows[0]!.n), sum: result.rows[0]!.s };
}

/**
 * Compares each table that cannot be reconciled row by row (no uuid key `id`, no `updated_at` or `version`, another
 * schema, present on one side only) as a whole, on both sides, in the snapshot: identical or empty tables leave
 * nothing out; any other table is named as a gap, because which side's rows are lost writes and which are new
 * writes cannot be told without those columns. Tables `--tables` left out are named without being read.
 */
export async function compareOtherTables(
  old: DatabaseSide,
  current: DatabaseSide,
  others: readonly OtherTable[],
): Promise<OtherTablesResult> {
  const tables: Record<string, OtherTableReport> = {};
  const gaps: ReportGap[] = [];
  for (const table of others) {
    const label = `table ${JSON.stringify(table.name)}`;
    if (!table.compare) {
      tables[table.name] = { why: table.why, result: 'not compared', oldRows: null, newRows: null };
      gaps.push({ table: table.name, reason: `${label} was left out by --tables: not compared` });
      continue;
    }
    const [a, b] = await Promise.all([
      table.onOld ? wholeTable(old, table.sql) : undefined,
      table.onNew ? wholeTable(current, table.sql) : undefined,
    ]).catch((error: unknown) => {
      // The step's message names the table (explainStepError): a lock wait or a missing GRANT says which one.
      if (error && typeof error === 'object') Object.assign(error, { reconcileTable: table.name });
      throw error;
    });
    const oldRows = a?.rows ?? null;
    const newRows = b?.rows ?? null;
    let result: OtherTableReport['result'];
    if ((oldRows ?? 0) === 0 && (newRows ?? 0) === 0) result = 'empty';
    else if (!b) result = 'old only';
    else if (!a) result = 'new only';
    else result = a.rows === b.rows && a.sum === b.sum ? 'identical' : 'differs';
    tables[table.name] = { why: table.why, result, oldRows, newRows };
    if (result === 'differs') {
      gaps.push({
        table: table.name,
        reason: `${label} cannot be reconciled row by row (${table.why}) and its contents differ between old (${oldRows} rows) and new (${newRows} rows): compare it by hand`,
      });
    } else if (result === 'old only' || result === 'new only') {
      const side = result === 'old only' ? 'old' : 'new';
      gaps.push({
        table: table.name,
        reason: `${label} exists on ${side} only (${table.why}) and has ${side === 'old' ? oldRows : newRows} rows there: not compared; bring both sides to the same migration or compare it by hand`,
      });
    }
  }
  return { tables, gaps };
}
