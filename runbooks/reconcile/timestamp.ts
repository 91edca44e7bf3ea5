/**
 * Postgres timestamps have microsecond precision and JavaScript `Date` only milliseconds: a row written 400 µs
 * after the cut must not compare as "at the cut". Timestamps are therefore moved around as microseconds since
 * the Unix epoch in a `bigint`, read from SQL with {@link MICROS_SQL}.
 */
export type Micros = bigint;

/**
 * SQL that turns a `timestamptz` expression into microseconds since the epoch as text (exact: extract returns
 * numeric). `infinity` and `-infinity` (which no bigint holds) come back as those words, so that
 * {@link parseMicros} names the row instead of Postgres failing the whole query with "cannot convert infinity to
 * bigint".
 */
export function microsSql(expression: string): string {
  return `(CASE WHEN isfinite(${expression}) THEN (extract(epoch from ${expression}) * 1000000)::int8::text ELSE (${expression})::text END)`;
}

/** A timestamp that is not a point in time (`infinity`): its message names the side, table, row and column. */
export class NonFiniteTimestampError extends Error {
  override readonly name = 'NonFiniteTimestampError';
}

/** Where a timestamp was read, for {@link parseMicros}'s message. */
export interface TimestampPlace {
  readonly side: 'old' | 'new';
  readonly table: string;
  readonly column: string;
  /** The row's id, when the table has one. */
  readonly id?: string;
}

/**
 * Microseconds from {@link microsSql}'s text; null stays null. An infinite timestamp is refused with a message
 * naming the side, the table, the row and the column: every rule of reconcile places a row before or after the
 * cut by its exact time, and `infinity` or `-infinity` has no such place (no write through the services stamps
 * one), so comparing it "exactly" would be a guess.
 */
export function parseMicros(text: string | null, place: TimestampPlace): Micros | null {
  if (text === null) return null;
  if (/^-?\d+$/.test(text)) return BigInt(text);
  const row = place.id ? `, row id ${place.id}` : '';
  throw new NonFiniteTimestampError(
    `${place.side} side, table ${place.table}${row}: column ${place.column} is ${JSON.stringify(text)}, not a point in time. Reconcile places every row before or after the cut by its exact time and cannot place this one. Set the real time on that row (${place.id ? `UPDATE … SET ${place.column} = <when it was written> WHERE id = '${place.id}', under SET LOCAL shop.replay = 'on'` : `the ${place.column} of that row`}), or leave the table out with --tables (the report is then incomplete), and run reconcile again`,
  );
}

/** Microseconds since the epoch for a `Date`. */
export function dateToMicros(date: Date): Micros {
  return BigInt(date.getTime()) * 1000n;
}

/** `2026-01-10T12:00:00.123456Z`: ISO 8601 in UTC, always with six fraction digits. */
export function microsToIso(micros: Micros): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = micros - ms * 1000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, 23)}${rest.toString().padStart(3, '0')}Z`;
}

/**
 * Microseconds since the epoch of an ISO 8601 timestamp with a zone as Postgres' JSON output writes it
 * (`2026-01-10T12:00:05.123456+00:00`, `…Z`); undefined when `text` is not one.
 */
export function isoToMicros(text: string): Micros | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(text);
  if (!match) return undefined;
  const zone =
    match[3] === 'Z'
      ? 'Z'
      : match[3]!.length === 3
        ? `${match[3]}:00`
        : match[3]!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${match[1]}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1000n + BigInt((match[2] ?? '').padEnd(6, '0'));
}
