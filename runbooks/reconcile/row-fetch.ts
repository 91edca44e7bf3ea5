import type { RowVersion } from './classify';
import type { DatabaseSide } from './database-side';
import { qualifiedTable } from './sql-text';
import type { TableSpec } from './table-spec';
import { microsSql } from './timestamp';

/** A row's id with what the comparison needs of it. */
export interface RowState extends RowVersion {
  readonly id: string;
}

/** A row's full content, for the report. */
export interface RowContent {
  readonly json: Record<string, unknown>;
  /** Record literal (`t::text`): exact, re-castable with `'...'::table`. */
  readonly record: string;
}

/** How many ids one `= ANY($1)` lookup carries: large enough to amortise a round trip, small enough to plan fast. */
export const LOOKUP_BATCH = 5000;

function stateColumns(spec: TableSpec): string {
  return `t.id::text AS id, ${microsSql('t.updated_at')} AS us, t.version::int8::text AS v, (${spec.rowHash})::text AS h`;
}

function toState(row: { id: string; us: string; v: string; h: string }): RowState {
  return { id: row.id, updatedAt: BigInt(row.us), version: Number(row.v), hash: row.h };
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
): AsyncGenerator<RowState[]> {
  await side.client.query(
    `DECLARE ${cursorName} NO SCROLL CURSOR FOR SELECT ${stateColumns(spec)} FROM ${qualifiedTable(spec.name)} AS t WHERE t.updated_at >= '${sinceIso}'::timestamptz`,
  );
  try {
    for (;;) {
      const batch = await side.client.query(`FETCH ${LOOKUP_BATCH} FROM ${cursorName}`);
      if (batch.rows.length === 0) return;
      yield batch.rows.map(toState);
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
): Promise<Map<string, RowState>> {
  if (ids.length === 0) return new Map();
  const result = await side.client.query(
    `SELECT ${stateColumns(spec)} FROM ${qualifiedTable(spec.name)} AS t WHERE t.id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(result.rows.map((r) => [r.id as string, toState(r)]));
}

/** Full rows by primary key, as JSON and as an exact record literal. */
export async function contentsById(
  side: DatabaseSide,
  spec: TableSpec,
  ids: readonly string[],
): Promise<Map<string, RowContent>> {
  const contents = new Map<string, RowContent>();
  for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
    const result = await side.client.query<{ id: string; j: Record<string, unknown>; r: string }>(
      `SELECT t.id::text AS id, to_jsonb(t) AS j, t::text AS r FROM ${qualifiedTable(spec.name)} AS t WHERE t.id = ANY($1::uuid[])`,
      [ids.slice(i, i + LOOKUP_BATCH)],
    );
    for (const row of result.rows) contents.set(row.id, { json: row.j, record: row.r });
  }
  return contents;
}
