import { linesInCents, MAX_SHIPPING_CENTS, MAX_TAX_RATE } from '../platform/shapes';
import { type CheckoutRequest, type DeliveryOptionToken, SHIPPING_OPTIONS, type ShippingAddress } from './schemas';

/** A checkout line; money in integer cents. */
export interface PricedItem {
  readonly id: string;
  readonly name: string;
  readonly quantity: number;
  readonly priceCents: number;
}

/** What an update stores: the lines and the totals derived from them, in cents. */
export interface PricedCheckout {
  readonly items: readonly PricedItem[];
  readonly shippingAddress: ShippingAddress | undefined;
  readonly deliveryOptionToken: DeliveryOptionToken;
  readonly subtotalCents: number;
  readonly shippingCents: number;
  readonly taxCents: number;
  readonly totalCents: number;
}

/** Sales tax applied once an address is known (the original's flat 5 %), rounded down to the cent. */
export const TAX_RATE = 0.05;

// The orders service takes tax up to MAX_TAX_RATE of the largest subtotal, and shipping up to MAX_SHIPPING_CENTS
// (platform/shapes/limits.ts): a checkout charging more could never be placed.
if (TAX_RATE > MAX_TAX_RATE || SHIPPING_OPTIONS.some((o) => o.amountCents > MAX_SHIPPING_CENTS)) {
  throw new Error(
    `the checkout charges more than the orders service takes: tax ${TAX_RATE} (at most ${MAX_TAX_RATE}), ` +
      `shipping ${SHIPPING_OPTIONS.map((o) => o.amountCents).join(', ')} cents (at most ${MAX_SHIPPING_CENTS})`,
  );
}

/**
 * Validates and prices a checkout request: one line per product, prices with at most two decimals, shipping
 * from the chosen option, tax once there is an address. Errors name the field. The schema's per-line limits
 * (platform/shapes/limits.ts) bound the subtotal, so every priced checkout is an order the orders service takes.
 */
export function priceCheckout(request: CheckoutRequest): PricedCheckout {
  const items = linesInCents(request.items, 'body.items', 'id', 'price').map(
    (line): PricedItem => ({
      id: line.productId,
      name: line.name,
      quantity: line.quantity,
      priceCents: line.unitPriceCents,
    }),
  );
  const deliveryOptionToken: DeliveryOptionToken = request.deliveryOptionToken ?? 'standard';
  const option = SHIPPING_OPTIONS.find((o) => o.token === deliveryOptionToken)!;
  const subtotalCents = items.reduce((sum, i) => sum + i.priceCents * i.quantity, 0);
  const taxCents = request.shippingAddress ? Math.floor(subtotalCents * TAX_RATE) : 0;
  return {
    items,
    shippingAddress: request.shippingAddress,
    deliveryOptionToken,
    subtotalCents,
    shippingCents: option.amountCents,
    taxCents,
    totalCents: subtotalCents + option.amountCents + taxCents,
  };
}
