import { type RowVersion, uuidV7Micros } from './classify';
import type { DatabaseSide } from './database-side';
import { quoteIdent, tableRows } from './sql-text';
import type { TableSpec } from './table-spec';
import { microsSql, parseMicros } from './timestamp';

/** A row's id with what the comparison needs of it. */
export interface RowState extends RowVersion {
  readonly id: string;
}

/**
 * What is read of each row besides its id, version and hash. `commitTimestamps`: read the commit time of the
 * transaction that wrote each row (`pg_xact_commit_timestamp(xmin)`), only where `track_commit_timestamp` is on.
 */
export interface StateOptions {
  readonly commitTimestamps?: boolean;
}

/** A row's full content, for the report. */
export interface RowContent {
  readonly json: Record<string, unknown>;
  /**
   * Record literal (`(t.*)::text`): exact, re-castable with `'...'::table`. Always `t.*`, never the bare alias: in a
   * table with a column named `t`, a bare `t` is that column, not the row.
   */
  readonly record: string;
  /**
   * Each column's text output, in column order: exact where JSON is not (jsonb `10.0` and `10` parse to the same
   * JavaScript number), so the report names every column that differs.
   */
  readonly texts: readonly (string | null)[];
}

/** How many ids one `= ANY($1)` lookup carries: large enough to amortise a round trip, small enough to plan fast. */
export const LOOKUP_BATCH = 5000;

function stateColumns(spec: TableSpec, options: StateOptions): string {
  const created = spec.createdAt ? microsSql('t.created_at') : 'NULL::text';
  const committed = options.commitTimestamps ? microsSql('pg_xact_commit_timestamp(t.xmin)') : 'NULL::text';
  return `t.id::text AS id, ${microsSql('t.updated_at')} AS us, t.version::int8::text AS v, (${spec.rowHash})::text AS h, ${created} AS ca, ${committed} AS ct`;
}

function toState(
  side: DatabaseSide,
  spec: TableSpec,
  row: { id: string; us: string | null; v: string; h: string; ca: string | null; ct: string | null },
): RowState {
  const at = (column: string) => ({ side: side.name, table: spec.name, column, id: row.id });
  return {
    id: row.id,
    updatedAt: parseMicros(row.us, at('updated_at')),
    version: Number(row.v),
    hash: row.h,
    ...(spec.versionFromOne ? { versionFromOne: true } : {}),
    ...(uuidV7Micros(row.id) !== undefined ? { idTime: uuidV7Micros(row.id) } : {}),
    ...(spec.createdAt ? { createdAt: parseMicros(row.ca, at('created_at')) } : {}),
    ...(row.ct !== null ? { committedAt: BigInt(row.ct) } : {}),
  };
}

/**
 * Whether `pg_xact_commit_timestamp` can be read on `side` (`track_commit_timestamp = on`). Postgres keeps the
 * commit time of every transaction committed while the setting was on ("Record commit time of transactions",
 * PostgreSQL docs, track_commit_timestamp); off by default, and off in the stacks' Aurora clusters (default
 * parameter group).
 */
export async function commitTimestampsOn(side: DatabaseSide): Promise<boolean> {
  const result = await side.client.query<{ on: string }>(`SELECT current_setting('track_commit_timestamp') AS on`);
  return result.rows[0]?.on === 'on';
}

/**
 * Streams `(id, updated_at, version, hash)` of the rows changed at or after `since` (an index range scan on
 * `updated_at`), one batch at a time through a cursor: memory stays bounded whatever the window holds.
 */
export async function* windowStates(
  side: DatabaseSide,
  spec: TableSpec,
  sinceIso: string,
  cursorName: string,
  options: StateOptions = {},
): AsyncGenerator<RowState[]> {
  await side.client.query(
    `DECLARE ${cursorName} NO SCROLL CURSOR FOR SELECT ${stateColumns(spec, options)} FROM ${tableRows(spec.name, spec.plain)} AS t WHERE t.updated_at >= '${sinceIso}'::timestamptz`,
  );
  try {
    for (;;) {
      const batch = await side.client.query(`FETCH ${LOOKUP_BATCH} FROM ${cursorName}`);
      if (batch.rows.length === 0) return;
      yield batch.rows.map((row) => toState(side, spec, row));
    }
  } finally {
    await side.client.query(`CLOSE ${cursorName}`).catch(() => undefined);
  }
}

/** Looks rows up by primary key (one round trip per call; callers pass at most {@link LOOKUP_BATCH} ids). */
export async function statesById(
  side: DatabaseSide,
  spec: TableSpec,
  ids: readonly string[],
  options: StateOptions = {},
): Promise<Map<string, RowState>> {
  if (ids.length === 0) return new Map();
  const result = await side.client.query(
    `SELECT ${stateColumns(spec, options)} FROM ${tableRows(spec.name, spec.plain)} AS t WHERE t.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(result.rows.map((r) => [r.id as string, toState(side, spec, r)]));
}

/** Full rows by primary key, as JSON and as an exact record literal. */
export async function contentsById(
  side: DatabaseSide,
  spec: TableSpec,
  ids: readonly string[],
): Promise<Map<string, RowContent>> {
  const contents = new Map<string, RowContent>();
  for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
    // An array, not json_build_object: a function takes at most 100 arguments, a table may have more than 50 columns.
    const texts = spec.columns.map((c) => `t.${quoteIdent(c.name)}::text`).join(', ');
    const result = await side.client.query<{ id: string; j: Record<string, unknown>; r: string; x: (string | null)[] }>(
      `SELECT t.id::text AS id, to_jsonb(t.*) AS j, (t.*)::text AS r, ARRAY[${texts}]::text[] AS x FROM ${tableRows(spec.name, spec.plain)} AS t WHERE t.id = ANY($1::uuid[])`,
      [ids.slice(i, i + LOOKUP_BATCH)],
    );
    for (const row of result.rows) contents.set(row.id, { json: row.j, record: row.r, texts: row.x });
  }
  return contents;
}
