import { html } from '../html';
import { layout, type PageContext } from '../layout';
import type { Product, Tag } from '../shop-api';
import { productCard } from './product-card';

/** What the catalog page shows. */
export interface CatalogView {
  readonly products: readonly Product[];
  readonly tags: readonly Tag[];
  readonly tag: string | undefined;
  readonly page: number;
  readonly pages: number;
}

function link(tag: string | undefined, page: number): string {
  const params = new URLSearchParams();
  if (tag) params.set('tag', tag);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/catalog?${query}` : '/catalog';
}

/** `/catalog`: products, filtered by one tag, a page at a time. */
export function catalogPage(context: PageContext, view: CatalogView): string {
  return layout(
    context,
    'Catalog',
    html`<h1>Catalog</h1>
<ul class="tags">
  <li><a class="${view.tag ? '' : 'on'}" href="/catalog">All</a></li>
  ${view.tags.map((t) => html`<li><a class="${view.tag === t.name ? 'on' : ''}" href="${link(t.name, 1)}">${t.displayName}</a></li>`)}
</ul>
${view.products.length === 0 ? html`<p>No products here.</p>` : html`<div class="grid">${view.products.map(productCard)}</div>`}
<div class="pager">
  ${view.page > 1 ? html`<a href="${link(view.tag, view.page - 1)}">← Previous</a>` : ''}
  <span>Page ${view.page} of ${Math.max(view.pages, 1)}</span>
  ${view.page < view.pages ? html`<a href="${link(view.tag, view.page + 1)}">Next →</a>` : ''}
</div>`,
  );
}
