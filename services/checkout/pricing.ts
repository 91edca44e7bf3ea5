import { HttpError } from '../platform/http-error';
import { toCents } from '../platform/money';
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

/**
 * Validates and prices a checkout request: one line per product, prices with at most two decimals, shipping
 * from the chosen option, tax once there is an address. Errors name the field.
 */
export function priceCheckout(request: CheckoutRequest): PricedCheckout {
  const seen = new Set<string>();
  const items = request.items.map((item, index): PricedItem => {
    const id = item.id.toLowerCase();
    if (seen.has(id))
      throw HttpError.badRequest(`body.items[${index}].id`, `${id} appears twice; send one line per product`);
    seen.add(id);
    return {
      id,
      name: item.name,
      quantity: item.quantity,
      priceCents: toCents(item.price, `body.items[${index}].price`),
    };
  });
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
