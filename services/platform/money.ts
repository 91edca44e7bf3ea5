import { HttpError } from './http-error';

// The amounts an API accepts (unit price, shipping, tax) and their limits are in ./shapes (amounts.ts, limits.ts).

/**
 * Converts a dollar amount to integer cents, so sums are exact. Rejects a third decimal with a 400 naming
 * `field` rather than rounding somebody's price silently.
 */
export function toCents(amount: number, field: string): number {
  const cents = Math.round(amount * 100);
  if (Math.abs(cents - amount * 100) > 1e-6) {
    throw HttpError.badRequest(field, `must have at most two decimals (received ${amount})`);
  }
  return cents;
}

/** Integer cents back to a dollar amount. */
export function fromCents(cents: number): number {
  return cents / 100;
}
