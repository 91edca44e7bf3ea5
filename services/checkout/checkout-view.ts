import { fromCents } from '../platform/money';
import type { StoredCheckout } from './checkout-repository';
import { type Checkout, type CheckoutSubmitted, SHIPPING_OPTIONS } from './schemas';

function items(stored: StoredCheckout) {
  return stored.items.map((i) => ({
    id: i.id,
    name: i.name,
    quantity: i.quantity,
    price: fromCents(i.priceCents),
    totalCost: fromCents(i.priceCents * i.quantity),
  }));
}

/** The API view of a stored checkout. */
export function toCheckout(stored: StoredCheckout): Checkout {
  const submitted = stored.orderId !== undefined && stored.submittedVersion === stored.version;
  return {
    customerId: stored.customerId,
    checkoutId: stored.checkoutId,
    version: stored.version,
    status: submitted ? 'submitted' : 'open',
    items: items(stored),
    ...(stored.shippingAddress ? { shippingAddress: stored.shippingAddress } : {}),
    deliveryOptionToken: stored.deliveryOptionToken,
    shippingRates: {
      shipmentId: stored.checkoutId,
      rates: SHIPPING_OPTIONS.map((o) => ({
        name: o.name,
        amount: fromCents(o.amountCents),
        token: o.token,
        estimatedDays: o.estimatedDays,
      })),
    },
    subtotal: fromCents(stored.subtotalCents),
    shipping: fromCents(stored.shippingCents),
    tax: fromCents(stored.taxCents),
    total: fromCents(stored.totalCents),
    orderId: submitted ? stored.orderId! : null,
    updatedAt: stored.updatedAt,
  };
}

/** The answer to a submit of `stored` that placed (or found) order `orderId`. */
export function toSubmitted(stored: StoredCheckout, orderId: string): CheckoutSubmitted {
  return {
    orderId,
    email: stored.shippingAddress?.email ?? '',
    items: items(stored),
    subtotal: fromCents(stored.subtotalCents),
    shipping: fromCents(stored.shippingCents),
    tax: fromCents(stored.taxCents),
    total: fromCents(stored.totalCents),
  };
}
