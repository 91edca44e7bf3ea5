import { html } from '../html';
import { layout, money, type PageContext } from '../layout';
import type { Cart } from '../shop-api';

/** `/cart`: the visitor's cart, with quantity changes, removal and the way to checkout. */
export function cartPage(context: PageContext, cart: Cart): string {
  if (cart.items.length === 0) {
    return layout(
      context,
      'Cart',
      html`<h1>Your cart</h1><p>Your cart is empty. <a href="/catalog">Browse the catalog</a>.</p>`,
    );
  }
  return layout(
    context,
    'Cart',
    html`<h1>Your cart</h1>
<table>
  <thead><tr><th>Product</th><th>Quantity</th><th class="num">Unit price</th><th class="num">Total</th><th></th></tr></thead>
  <tbody>
  ${cart.items.map(
    (item) => html`<tr>
    <td><a href="/catalog/${item.itemId}">${item.name}</a></td>
    <td><form method="post" action="/cart/items/${item.itemId}/quantity" class="inline">
      <input type="number" name="quantity" value="${item.quantity}" min="0" max="1000" aria-label="Quantity of ${item.name}">
      <button type="submit" class="link">Update</button></form></td>
    <td class="num">${money(item.unitPrice)}</td>
    <td class="num">${money(item.totalCost)}</td>
    <td><form method="post" action="/cart/items/${item.itemId}/remove"><button type="submit" class="link">Remove</button></form></td>
  </tr>`,
  )}
  </tbody>
  <tfoot><tr><th colspan="3">Total</th><th class="num" data-testid="cart-total">${money(cart.total)}</th><th></th></tr></tfoot>
</table>
<p><a class="button" href="/checkout">Proceed to checkout</a></p>`,
  );
}
