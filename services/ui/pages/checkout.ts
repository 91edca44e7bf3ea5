import { html } from '../html';
import { layout, money, type PageContext } from '../layout';
import type { Address, Checkout } from '../shop-api';

/** What the address form shows: the values so far and, after a rejected submit, why. */
export interface CheckoutFormView {
  readonly address: Partial<Address>;
  readonly deliveryOptionToken: string;
  readonly error?: string;
}

const FIELDS: ReadonlyArray<readonly [keyof Address, string, string]> = [
  ['firstName', 'First name', 'text'],
  ['lastName', 'Last name', 'text'],
  ['email', 'Email', 'email'],
  ['address1', 'Address', 'text'],
  ['address2', 'Address (line 2, optional)', 'text'],
  ['city', 'City', 'text'],
  ['state', 'State', 'text'],
  ['zip', 'ZIP code', 'text'],
];

/** `/checkout`: the shipping address and delivery option form. */
export function checkoutFormPage(context: PageContext, view: CheckoutFormView): string {
  return layout(
    context,
    'Checkout',
    html`<h1>Checkout</h1>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="/checkout">
  <div class="fields">
  ${FIELDS.map(
    ([name, label, type]) =>
      html`<label>${label}<input type="${type}" name="${name}" value="${view.address[name] ?? ''}" ${name === 'address2' ? '' : html`required`}></label>`,
  )}
  <label>Delivery<select name="deliveryOptionToken">
    <option value="standard" ${view.deliveryOptionToken === 'priority' ? '' : html`selected`}>Standard (5 days) · $5.00</option>
    <option value="priority" ${view.deliveryOptionToken === 'priority' ? html`selected` : ''}>Priority (2 days) · $15.00</option>
  </select></label>
  </div>
  <p><button type="submit">Review order</button></p>
</form>`,
  );
}

/** `/checkout/review`: the priced checkout and the button that places the order. */
export function checkoutReviewPage(context: PageContext, checkout: Checkout): string {
  const address = checkout.shippingAddress;
  return layout(
    context,
    'Review your order',
    html`<h1>Review your order</h1>
<table>
  <thead><tr><th>Product</th><th class="num">Quantity</th><th class="num">Price</th><th class="num">Total</th></tr></thead>
  <tbody>${checkout.items.map(
    (i) =>
      html`<tr><td>${i.name}</td><td class="num">${i.quantity}</td><td class="num">${money(i.price)}</td><td class="num">${money(i.totalCost)}</td></tr>`,
  )}</tbody>
  <tfoot>
    <tr><th colspan="3">Subtotal</th><td class="num">${money(checkout.subtotal)}</td></tr>
    <tr><th colspan="3">Shipping</th><td class="num">${money(checkout.shipping)}</td></tr>
    <tr><th colspan="3">Tax</th><td class="num">${money(checkout.tax)}</td></tr>
    <tr><th colspan="3">Total</th><td class="num" data-testid="checkout-total">${money(checkout.total)}</td></tr>
  </tfoot>
</table>
${address ? html`<p>Ship to ${address.firstName} ${address.lastName}, ${address.address1}, ${address.city}, ${address.state} ${address.zip}</p>` : ''}
<form method="post" action="/checkout/submit">
  <input type="hidden" name="version" value="${checkout.version}">
  <button type="submit">Place order</button> <a href="/checkout">Change address</a>
</form>`,
  );
}
