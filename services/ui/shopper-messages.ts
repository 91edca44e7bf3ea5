import type { ErrorBody } from '../platform/http-error';
import { CROSS_SITE_MESSAGE } from './cross-site-requests';

/** What the shopper reads when part of the shop (a backend) is unavailable. */
export const UNAVAILABLE_MESSAGE = 'Part of the shop is not available right now. Please try again in a minute.';

/** Shopper-facing messages by the input at fault (`field` of the error), for any status. */
const BY_FIELD: ReadonlyArray<readonly [RegExp, string]> = [
  [/^params\.productId$/, 'This product link is not valid. The catalog lists everything for sale.'],
  [/^body\.(productId|itemId)$/, 'This product is not in the catalog, so it cannot be added to your cart.'],
  [/^params\.orderId$/, 'There is no such order among yours. Your orders are listed under My orders.'],
  [/^query\.(page|tag)$/, 'This catalog page does not exist. Start again from the first page of the catalog.'],
  [/^query\.cursor$/, 'This list of orders cannot be continued. Start again from My orders.'],
  [/^body\.version$/, 'Please review your order again before placing it.'],
  [/^body$/, 'What you sent was too large or not in a form the shop accepts. Please go back and try again.'],
  [/^headers\.origin$/, CROSS_SITE_MESSAGE],
];

const ADDRESS_LABELS: Readonly<Record<string, string>> = {
  firstName: 'first name',
  lastName: 'last name',
  email: 'email address',
  address1: 'address',
  address2: 'second address line',
  city: 'city',
  state: 'state',
  zip: 'ZIP code',
  zipCode: 'ZIP code',
};

/**
 * What a shopper should fix in the address form, from a rejection of the checkout service or of the form itself
 * (`body.shippingAddress.email`, `body.zip` and the like): the field in the shopper's words and what is wrong,
 * never the schema's wording. Undefined when the field is not an address field.
 */
export function addressProblem(field: string | undefined, message: string): string | undefined {
  const name = field?.replace(/^body\.(shippingAddress\.)?/, '');
  const label = name === undefined ? undefined : ADDRESS_LABELS[name];
  if (label === undefined) return undefined;
  if (name === 'email' && !/length|characters|empty|required/i.test(message)) {
    return 'Please check the email address: it is not one we can send to.';
  }
  if (/less or equal|maxLength|at most|too long/i.test(message)) return `Please shorten the ${label}: it is too long.`;
  if (/greater or equal|minLength|at least|empty|required|missing/i.test(message)) {
    return `Please fill in the ${label}.`;
  }
  return `Please check the ${label}: it contains something the shop cannot accept.`;
}

/**
 * The message of an error page, for a shopper: what happened and what they can do. The API's message (a field path
 * and the schema's words, `params.productId: expected string to match 'uuid' format`) stays in the JSON answer for
 * API clients; here it is replaced by the field's shopper message. Messages the ui writes for shoppers (a 404 of a
 * product or order, a changed checkout, a refused cross-site form) are kept.
 */
export function shopperMessage(error: ErrorBody): string {
  const { statusCode: status, field, message } = error;
  if (status >= 500) return UNAVAILABLE_MESSAGE;
  if (field === 'headers.x-synthetic-shopper') return message; // only the canary sends it; it must see why
  if (status === 409 && field === 'body.quantity') return 'Your cart can hold at most 1000 of one product.';
  if (field === 'body.quantity') return 'Please choose a quantity from 1 to 1000.';
  if (status === 413) return 'What you sent was too large. Please shorten what you entered and send it again.';
  if (status === 404 && field === 'params.productId') {
    return 'This product is not in the catalog. It may have been removed; the catalog lists everything for sale.';
  }
  const address = addressProblem(field, message);
  if (address !== undefined) return address;
  for (const [pattern, text] of BY_FIELD) if (field !== undefined && pattern.test(field)) return text;
  if (status === 404) return 'There is no page at this address. The catalog lists everything for sale.';
  if (status === 409 && field === undefined) return message; // the ui's own conflicts, written for shoppers
  return 'That did not work. Please go back and try again.';
}
