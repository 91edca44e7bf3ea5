/**
 * Postgres timestamps have microsecond precision and JavaScript `Date` only milliseconds: a row written 400 µs
 * after the cut must not compare as "at the cut". Timestamps are therefore moved around as microseconds since
 * the Unix epoch in a `bigint`, read from SQL with {@link MICROS_SQL}.
 */
export type Micros = bigint;

/** SQL that turns a `timestamptz` expression into microseconds since the epoch (exact: extract returns numeric). */
export function microsSql(expression: string): string {
  return `(extract(epoch from ${expression}) * 1000000)::int8::text`;
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
