import { InputError } from '../core/input-error';
import { ISO_INSTANT_ACCEPTED, parseIsoInstant } from '../core/iso-instant';
import { regionsOf, type Topology } from '../topology';

/** Throws an {@link InputError} for every key of `raw` that is not in `accepted`. */
export function rejectUnknownFields(raw: Readonly<Record<string, unknown>>, accepted: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!accepted.includes(key)) {
      throw new InputError(key, `is not an input of this orchestration; accepted: ${accepted.join(', ')}`);
    }
  }
}

/** A Region of the topology, read from `raw[field]`; `fallback` is used when the field is absent. */
export function regionField(
  raw: Readonly<Record<string, unknown>>,
  field: string,
  topology: Topology,
  fallback?: string,
): string {
  const value = raw[field] ?? fallback;
  const accepted = regionsOf(topology).join(' or ');
  if (value === undefined || value === '') throw new InputError(field, `required; accepted: ${accepted}`);
  if (typeof value !== 'string' || !regionsOf(topology).includes(value)) {
    throw new InputError(field, `${JSON.stringify(value)} is not a Region of this topology; accepted: ${accepted}`);
  }
  return value;
}

/** A number from `raw[field]` (a number or a numeric string) within `[min, max]`, or `fallback` when absent. */
export function numberField(
  raw: Readonly<Record<string, unknown>>,
  field: string,
  range: { readonly min: number; readonly max: number; readonly fallback: number },
): number {
  const value = raw[field];
  if (value === undefined || value === '') return range.fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed) || parsed < range.min || parsed > range.max) {
    throw new InputError(
      field,
      `${JSON.stringify(value)} is out of range; accepted: a number from ${range.min} to ${range.max}`,
    );
  }
  return parsed;
}

/** An ISO-8601 timestamp with a time zone from `raw[field]`, or undefined when absent. */
export function timestampField(raw: Readonly<Record<string, unknown>>, field: string): string | undefined {
  const value = raw[field];
  if (value === undefined || value === '') return undefined;
  // Strict: Date.parse rolls an impossible date over (2026-02-30 is 2026-03-02); parseIsoInstant refuses it.
  const instant = typeof value === 'string' ? parseIsoInstant(value) : undefined;
  if (!instant) {
    throw new InputError(field, `${JSON.stringify(value)} is not a timestamp; accepted: ${ISO_INSTANT_ACCEPTED}`);
  }
  return instant.toISOString();
}

/** A subset of `allowed` from a list or a comma-separated string; `fallback` (`allowed` itself) when absent. */
export function listField(
  raw: Readonly<Record<string, unknown>>,
  field: string,
  allowed: readonly string[],
  fallback: readonly string[] = allowed,
): readonly string[] {
  const value = raw[field];
  if (value === undefined || value === '') return fallback;
  const items = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').map((v) => v.trim())
      : [value];
  for (const item of items) {
    if (typeof item !== 'string' || !allowed.includes(item)) {
      throw new InputError(
        field,
        `${JSON.stringify(item)} is not one of them; accepted: ${allowed.join(', ')} (comma-separated)`,
      );
    }
  }
  return allowed.filter((a) => items.includes(a));
}

/** Throws when `a` equals `b`. */
export function requireDifferentRegions(field: string, value: string, otherField: string, other: string): void {
  if (value === other)
    throw new InputError(field, `${JSON.stringify(value)} equals ${otherField}; accepted: the other Region`);
}
