/** What {@link parseIsoInstant} accepts, for messages. */
export const ISO_INSTANT_ACCEPTED =
  'an ISO 8601 time with a time zone and a real calendar date and time of day, e.g. 2026-01-10T12:01:00Z or 2026-01-10T14:01:00.250+02:00 (hours 00-23, at most millisecond precision)';

const FORM = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an ISO 8601 instant with an explicit zone, strictly: the date and time must exist as written. JavaScript's
 * `Date` rolls impossible values over (2026-02-30 becomes 2026-03-02, T24:00 the next day); here every field is
 * range-checked and the calendar date is checked by a round trip through `Date.UTC`. A fraction finer than a
 * millisecond is accepted only when those digits are zeros (a `Date` cannot hold them; silently dropping them
 * would move the instant). Returns undefined when `value` is not such an instant.
 */
export function parseIsoInstant(value: string): Date | undefined {
  const match = FORM.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(match[i]));
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const fraction = match[7] ?? '';
  if (/[1-9]/.test(fraction.slice(3))) return undefined;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (month! < 1 || month! > 12 || day! < 1 || hour! > 23 || minute! > 59 || second > 59) return undefined;
  const local = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second, ms));
  if (year! < 100) local.setUTCFullYear(year!); // Date.UTC maps years 0-99 to 1900-1999
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month! - 1 || local.getUTCDate() !== day) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (match[8] !== 'Z') {
    const [offsetHours, offsetMins] = [Number(match[10]), Number(match[11])];
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return new Date(local.getTime() - offsetMinutes * 60_000);
}
