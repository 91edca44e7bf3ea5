import { randomUUID } from 'node:crypto';
import { html } from '../html';
import { layout, money, type PageContext } from '../layout';
import type { Product } from '../shop-api';

/** `/catalog/{id}`: one product and the add-to-cart form. */
export function productPage(context: PageContext, product: Product): string {
  return layout(
    context,
    product.name,
    html`<div class="product">
  <img src="${product.imageUrl}" alt="${product.name}" width="480" height="360">
  <div>
    <h1>${product.name}</h1>
    <p class="price">${money(product.price)}</p>
    <p>${product.description}</p>
    <ul class="tags">${product.tags.map((t) => html`<li><a href="/catalog?tag=${t.name}">${t.displayName}</a></li>`)}</ul>
    <form method="post" action="/cart" class="inline">
      <input type="hidden" name="productId" value="${product.id}">
      <input type="hidden" name="addId" value="${randomUUID()}">
      <label>Quantity <input type="number" name="quantity" value="1" min="1" max="1000" required></label>
      <button type="submit">Add to cart</button>
    </form>
  </div>
</div>`,
  );
}
