import { type RowVersion, uuidV7Micros } from './classify';
import type { DatabaseSide } from './database-side';
import { recordFields } from './record-literal';
import { tableRows } from './sql-text';
import type { TableSpec } from './table-spec';
import { type Micros, microsSql, parseMicros } from './timestamp';

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

/** What is read of each row besides its id: `[expression, alias]`. */
function stateFields(spec: TableSpec, options: StateOptions): [string, string][] {
  const created = spec.createdAt ? microsSql('t.created_at') : 'NULL::text';
  const committed = options.commitTimestamps ? microsSql('pg_xact_commit_timestamp(t.xmin)') : 'NULL::text';
  return [
    [microsSql('t.updated_at'), 'us'],
    ['t.version::int8::text', 'v'],
    [`(${spec.rowHash})::text`, 'h'],
    [created, 'ca'],
    [committed, 'ct'],
  ];
}

function stateColumns(spec: TableSpec, options: StateOptions): string {
  return ['t.id::text AS id', ...stateFields(spec, options).map(([e, alias]) => `${e} AS ${alias}`)].join(', ');
}

function toState(
  side: DatabaseSide,
  spec: TableSpec,
  row: { id: string; us: string | null; v: string; h: string; ca: string | null; ct: string | null },
): RowState {
  // Runs for every row of both windows: fields are set one by one (no spreads), and the place of a timestamp is
  // only built for the message of one that is not a point in time.
  const state: { -readonly [K in keyof RowState]: RowState[K] } = {
    id: row.id,
    updatedAt: micros(side, spec, row, 'updated_at', row.us),
    version: Number(row.v),
    hash: row.h,
  };
  if (spec.versionFromOne) state.versionFromOne = true;
  const idTime = uuidV7Micros(row.id);
  if (idTime !== undefined) state.idTime = idTime;
  if (spec.createdAt) state.createdAt = micros(side, spec, row, 'created_at', row.ca);
  if (row.ct !== null) state.committedAt = BigInt(row.ct);
  return state;
}

/** {@link parseMicros} of one timestamp of a row. */
function micros(
  side: DatabaseSide,
  spec: TableSpec,
  row: { id: string },
  column: string,
  text: string | null,
): Micros | null {
  if (text === null) return null;
  if (WHOLE_NUMBER.test(text)) return BigInt(text);
  return parseMicros(text, { side: side.name, table: spec.name, column, id: row.id });
}

const WHOLE_NUMBER = /^-?\d+$/;

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

/**
 * Looks rows up by primary key like {@link statesById}, but a row changed at or after `sinceIso` (inside the
 * window, so already a candidate of the window pass) comes back as its id only, in `inWindow`: neither hashed nor
 * parsed, since the caller skips it. One round trip per call.
 */
export async function statesOutsideWindow(
  side: DatabaseSide,
  spec: TableSpec,
  ids: readonly string[],
  sinceIso: string,
  options: StateOptions = {},
): Promise<{ states: Map<string, RowState>; inWindow: Set<string> }> {
  const states = new Map<string, RowState>();
  const inWindow = new Set<string>();
  if (ids.length === 0) return { states, inWindow };
  // NULL updated_at is outside the window (verify compares it), as `updated_at >= since` is not true for it.
  const within = `(t.updated_at >= '${sinceIso}'::timestamptz) IS TRUE`;
  const columns = [
    't.id::text AS id',
    ...stateFields(spec, options).map(([e, alias]) => `CASE WHEN ${within} THEN NULL ELSE ${e} END AS ${alias}`),
  ].join(', ');
  const result = await side.client.query(
    `SELECT ${columns}, ${within} AS w FROM ${tableRows(spec.name, spec.plain)} AS t WHERE t.id = ANY($1::uuid[])`,
    [ids],
  );
  for (const row of result.rows) {
    if (row.w) inWindow.add(row.id);
    else states.set(row.id, toState(side, spec, row));
  }
  return { states, inWindow };
}

/** Full rows by primary key, as JSON and as an exact record literal. */
export async function contentsById(
  side: DatabaseSide,
  spec: TableSpec,
  ids: readonly string[],
): Promise<Map<string, RowContent>> {
  const contents = new Map<string, RowContent>();
  for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
    // Each column's text is read back from the record literal (recordFields): printing every column a second time
    // (ARRAY[t.a::text, …]) doubled the cost of this query.
    const result = await side.client.query<{ id: string; j: Record<string, unknown>; r: string }>(
      `SELECT t.id::text AS id, to_jsonb(t.*) AS j, (t.*)::text AS r FROM ${tableRows(spec.name, spec.plain)} AS t WHERE t.id = ANY($1::uuid[])`,
      [ids.slice(i, i + LOOKUP_BATCH)],
    );
    for (const row of result.rows) contents.set(row.id, { json: row.j, record: row.r, texts: recordFields(row.r) });
  }
  return contents;
}
