import { html } from '../html';
import { layout, type PageContext } from '../layout';
import type { Product } from '../shop-api';
import { productCard } from './product-card';

/** `/`: a welcome and the featured products. */
export function homePage(context: PageContext, featured: readonly Product[]): string {
  return layout(
    context,
    'Home',
    html`<section class="hero">
  <h1>Everyday gear, served from two Regions</h1>
  <p>Browse the catalog, fill a cart and check out. This page came from <strong>${context.region}</strong>;
  if that Region fails, the other one serves your cart and your orders.</p>
  <a class="button" href="/catalog">Browse the catalog</a>
</section>
<h2>Featured</h2>
<div class="grid">${featured.map(productCard)}</div>`,
  );
}
