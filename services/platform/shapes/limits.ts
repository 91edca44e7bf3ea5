/**
 * The one set of limits on what a shopper can buy, shared by carts, checkout and orders, so that whatever one
 * service accepts the next one (and the orders database, whose amounts are `numeric(12, 2)`) accepts too.
 * The per-line limits bound every sum: a full cart at the highest price, with the highest tax and shipping, is
 * still an order Postgres can store ({@link assertLimitsAgree} checks it when this module loads).
 */

/** Most lines (distinct products) in a cart, a checkout or an order. */
export const MAX_LINES = 100;

/** Most units of one product in one line. */
export const MAX_LINE_QUANTITY = 1_000;

/** Highest price of one unit, in cents: $50,000.00. */
export const MAX_UNIT_PRICE_CENTS = 5_000_000;

/** Highest sum of the lines, in cents ($5,000,000,000.00): every line full at the highest price. */
export const MAX_SUBTOTAL_CENTS = MAX_LINES * MAX_LINE_QUANTITY * MAX_UNIT_PRICE_CENTS;

/** Highest shipping charge of an order, in cents: $1,000,000.00. */
export const MAX_SHIPPING_CENTS = 100_000_000;

/** Highest tax rate a checkout may charge on a subtotal. */
export const MAX_TAX_RATE = 0.1;

/** Highest tax of an order, in cents ($500,000,000.00): {@link MAX_TAX_RATE} of the highest subtotal. */
export const MAX_TAX_CENTS = Math.round(MAX_SUBTOTAL_CENTS * MAX_TAX_RATE);

/** The largest amount `numeric(12, 2)` holds, in cents: $9,999,999,999.99. */
export const MAX_STORED_AMOUNT_CENTS = 999_999_999_999;

/** Highest order total, in cents: subtotal, shipping and tax all at their limits. */
export const MAX_ORDER_TOTAL_CENTS = MAX_SUBTOTAL_CENTS + MAX_SHIPPING_CENTS + MAX_TAX_CENTS;

/**
 * Throws when the limits above no longer agree: an order total Postgres cannot store, or a sum past what a
 * JavaScript number holds exactly. Runs when this module loads, so a service with disagreeing limits never starts.
 */
export function assertLimitsAgree(
  limits: { readonly orderTotalCents: number; readonly storedAmountCents: number } = {
    orderTotalCents: MAX_ORDER_TOTAL_CENTS,
    storedAmountCents: MAX_STORED_AMOUNT_CENTS,
  },
): void {
  if (!Number.isSafeInteger(limits.orderTotalCents) || limits.orderTotalCents > limits.storedAmountCents) {
    throw new Error(
      `the shop's limits disagree: the largest order total is ${limits.orderTotalCents} cents, and the orders ` +
        `database stores at most ${limits.storedAmountCents}; lower MAX_LINES, MAX_LINE_QUANTITY, ` +
        'MAX_UNIT_PRICE_CENTS, MAX_SHIPPING_CENTS or MAX_TAX_RATE',
    );
  }
}

assertLimitsAgree();
