import { html, type SafeHtml } from '../html';
import { money } from '../layout';
import type { Product } from '../shop-api';

/** A product tile of the home and catalog pages. */
export function productCard(product: Product): SafeHtml {
  return html`<article class="card">
  <a href="/catalog/${product.id}"><img src="${product.imageUrl}" alt="${product.name}" width="480" height="360"></a>
  <a href="/catalog/${product.id}">${product.name}</a>
  <span class="price">${money(product.price)}</span>
</article>`;
}
