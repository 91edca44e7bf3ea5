import { HttpError } from '../platform/http-error';
import { fromCents } from '../platform/money';
import { compileCheck } from '../platform/schema-validation';
import { toOrderAddress } from '../platform/shapes';
import type { CheckoutRepository, StoredCheckout } from './checkout-repository';
import { toSubmitted } from './checkout-view';
import type { OrdersClient } from './orders-client';
import { CheckoutRequest, type CheckoutSubmitted } from './schemas';

const checkRequest = compileCheck(CheckoutRequest, '');

/**
 * What is wrong with a stored checkout that an update would refuse today: one stored before a check existed (a
 * NUL in a name, a price past the limits) can never become an order, so the submit names the field to change
 * (409) rather than failing at the orders service for ever.
 */
function storedProblem(checkout: StoredCheckout, customerId: string): HttpError | undefined {
  const error = checkRequest({
    items: checkout.items.map((i) => ({
      id: i.id,
      name: i.name,
      quantity: i.quantity,
      price: fromCents(i.priceCents),
    })),
    ...(checkout.shippingAddress ? { shippingAddress: checkout.shippingAddress } : {}),
    deliveryOptionToken: checkout.deliveryOptionToken,
  });
  if (error === undefined) return undefined;
  const field = error.field || 'items';
  const reason = error.message.startsWith(`${field}: `) ? error.message.slice(field.length + 2) : error.message;
  return HttpError.conflict(
    `the checkout holds a value that cannot be ordered (${reason}); change it with POST /checkout/${customerId}/update`,
    field,
  );
}

/** The idempotency key of one version of one checkout: the same for every retry, different after any edit. */
export function submissionKey(checkout: Pick<StoredCheckout, 'checkoutId' | 'version'>): string {
  return `checkout-${checkout.checkoutId}-v${checkout.version}`;
}

/**
 * Submits a customer's checkout as an order, exactly once per checkout version, however often and however
 * concurrently it is called:
 * 1. one consistent read of the checkout: a version already recorded as submitted answers its order at once;
 * 2. the orders service places the order with the version's idempotency key `checkout-<checkoutId>-v<version>`:
 *    its UNIQUE key turns concurrent and repeated calls into one order, and answers each with that order;
 * 3. the key and the order id are recorded on the checkout, conditional on the version (an edit made meanwhile
 *    is a new version, which stays open).
 * The key is a function of two attributes that never change within a version (`checkoutId` is fixed for the
 * item's life, `version` only grows), so every retry - after a timeout, a crash, or a failover to the other
 * Region's replica of the table - derives the same key without writing it first; that saves a DynamoDB write
 * per submit. A failure between steps 2 and 3 is safe: the next submit finds the order through the key.
 * `synthetic` marks the order as the canary's synthetic shopper's (the orders service stores the mark).
 */
export async function submitCheckout(
  checkouts: CheckoutRepository,
  orders: OrdersClient,
  customerId: string,
  requestId: string,
  options: { readonly synthetic: boolean } = { synthetic: false },
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
  const problem = storedProblem(checkout, customerId);
  if (problem !== undefined) throw problem;
  const idempotencyKey = submissionKey(checkout);
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
      ...(options.synthetic ? { synthetic: true } : {}),
      shippingAddress: toOrderAddress(address),
    },
    requestId,
  );
  await checkouts.recordOrder(customerId, checkout.version, idempotencyKey, placed.id);
  return { created: placed.created, body: toSubmitted(checkout, placed.id) };
}
