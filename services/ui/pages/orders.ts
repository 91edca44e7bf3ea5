import { html } from '../html';
import { layout, localTime, money, type PageContext } from '../layout';
import { orderNumber } from '../order-number';
import type { Order } from '../shop-api';

/** `/orders/{id}`: the order confirmation. */
export function orderPage(context: PageContext, order: Order, justPlaced: boolean): string {
  const a = order.shippingAddress;
  return layout(
    context,
    'Your order',
    html`${justPlaced ? html`<p class="notice" role="status">Thank you! Your order has been placed.</p>` : ''}
<h1>Order <span class="order-number" data-testid="order-number">${orderNumber(order.id)}</span></h1>
${order.synthetic ? html`<p class="notice" data-testid="synthetic-order">Synthetic order: placed by the canary's synthetic shopper, left out of business metrics.</p>` : ''}
<p>Status: <strong data-testid="order-status">${order.status}</strong> · placed ${localTime(order.createdAt)}</p>
<div class="table-scroll"><table>
  <thead><tr><th>Product</th><th class="num">Quantity</th><th class="num">Price</th><th class="num">Total</th></tr></thead>
  <tbody>${order.items.map(
    (i) =>
      html`<tr><td>${i.name}</td><td class="num">${i.quantity}</td><td class="num">${money(i.unitPrice)}</td><td class="num">${money(i.totalCost)}</td></tr>`,
  )}</tbody>
  <tfoot>
    <tr><th colspan="3">Subtotal</th><td class="num">${money(order.subtotal)}</td></tr>
    <tr><th colspan="3">Shipping</th><td class="num">${money(order.shipping)}</td></tr>
    <tr><th colspan="3">Tax</th><td class="num">${money(order.tax)}</td></tr>
    <tr><th colspan="3">Total</th><td class="num" data-testid="order-total">${money(order.total)}</td></tr>
  </tfoot>
</table></div>
<p>Shipping to ${a.firstName} ${a.lastName}, ${a.address1}, ${a.city}, ${a.state} ${a.zipCode}</p>
<p><a href="/orders">All my orders</a></p>
<p class="muted"><small>Full order reference, if support asks for it: <span data-testid="order-id">${order.id}</span></small></p>`,
  );
}

/** `/orders`: the visitor's orders, newest first. */
export function ordersPage(context: PageContext, orders: readonly Order[], nextCursor: string | null): string {
  return layout(
    context,
    'My orders',
    html`<h1>My orders</h1>
${
  orders.length === 0
    ? html`<p>No orders yet.</p>`
    : html`<div class="table-scroll"><table class="orders">
  <thead><tr><th>Order</th><th>Placed</th><th class="items">Items</th><th class="num">Total</th></tr></thead>
  <tbody>${orders.map(
    (o) =>
      html`<tr><td><a href="/orders/${o.id}" class="order-number" data-testid="order-number">${orderNumber(o.id)}</a></td><td>${localTime(o.createdAt)}</td><td class="items">${o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')}</td><td class="num">${money(o.total)}</td></tr>`,
  )}</tbody>
</table></div>`
}
${nextCursor ? html`<p class="pager"><a href="/orders?cursor=${nextCursor}">Older orders →</a></p>` : ''}`,
  );
}
