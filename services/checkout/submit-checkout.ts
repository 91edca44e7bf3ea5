import { HttpError } from '../platform/http-error';
import { fromCents } from '../platform/money';
import type { CheckoutRepository, StoredCheckout } from './checkout-repository';
import { toSubmitted } from './checkout-view';
import type { OrdersClient } from './orders-client';
import type { CheckoutSubmitted } from './schemas';

/** The idempotency key of one version of one checkout: the same for every retry, different after any edit. */
export function submissionKey(checkout: Pick<StoredCheckout, 'checkoutId' | 'version'>): string {
  return `checkout-${checkout.checkoutId}-v${checkout.version}`;
}

/**
 * Submits a customer's checkout as an order, exactly once per checkout version, however often and however
 * concurrently it is called:
 * 1. the checkout version's idempotency key (`checkout-<checkoutId>-v<version>`) is recorded on the item with a
 *    condition on the version (an edit in between makes this a 409, and nothing is placed);
 * 2. the orders service places the order with that key: its UNIQUE key turns concurrent and repeated calls
 *    into one order, and answers each with that order;
 * 3. the order id is recorded on the checkout (conditional on the key, so a later version is never marked).
 * A failure after step 1 leaves a retryable state: the next submit repeats steps 2-3 with the same key.
 */
export async function submitCheckout(
  checkouts: CheckoutRepository,
  orders: OrdersClient,
  customerId: string,
  requestId: string,
): Promise<{ readonly created: boolean; readonly body: CheckoutSubmitted }> {
  const checkout = await checkouts.get(customerId);
  if (checkout === undefined) {
    throw HttpError.notFound(
      `params.customerId: no checkout for ${customerId}; POST /checkout/${customerId}/update first`,
      'params.customerId',
    );
  }
  if (checkout.orderId !== undefined && checkout.submittedVersion === checkout.version) {
    return { created: false, body: toSubmitted(checkout, checkout.orderId) };
  }
  const address = checkout.shippingAddress;
  if (address === undefined) {
    throw HttpError.conflict(
      'is required before submitting; add it with POST /checkout/{customerId}/update',
      'shippingAddress',
    );
  }
  const idempotencyKey = submissionKey(checkout);
  if (
    checkout.idempotencyKey !== idempotencyKey &&
    !(await checkouts.claimSubmission(customerId, checkout.version, idempotencyKey))
  ) {
    throw HttpError.conflict('the checkout changed while it was being submitted; review it and submit again');
  }
  const placed = await orders.place(
    {
      idempotencyKey,
      customerId,
      items: checkout.items.map((i) => ({
        productId: i.id,
        name: i.name,
        quantity: i.quantity,
        unitPrice: fromCents(i.priceCents),
      })),
      shipping: fromCents(checkout.shippingCents),
      tax: fromCents(checkout.taxCents),
      shippingAddress: {
        firstName: address.firstName,
        lastName: address.lastName,
        email: address.email,
        address1: address.address1,
        ...(address.address2 ? { address2: address.address2 } : {}),
        city: address.city,
        state: address.state,
        zipCode: address.zip,
      },
    },
    requestId,
  );
  await checkouts.recordOrder(customerId, idempotencyKey, placed.id);
  return { created: placed.created, body: toSubmitted(checkout, placed.id) };
}
