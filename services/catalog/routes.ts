import { Type } from '@sinclair/typebox';
import { HttpError } from '../platform/http-error';
import type { ServiceApp } from '../platform/service-app';
import { TtlCache } from '../platform/ttl-cache';
import type { ProductRepository } from './product-repository';
import {
  Product,
  ProductListQuery,
  type ProductOrder,
  ProductParams,
  type Product as ProductValue,
  SizeQuery,
  SizeResponse,
  Tag,
  type Tag as TagValue,
} from './schemas';

function splitTags(tags: string | undefined): string[] | undefined {
  return tags === undefined ? undefined : [...new Set(tags.split(','))].sort();
}

/** The retail-store-sample-app catalog API: products (filtered, ordered, paged), one product, size, tags. */
export function registerCatalogRoutes(app: ServiceApp, repository: ProductRepository, cacheTtlMs: number): void {
  const lists = new TtlCache<ProductValue[]>(cacheTtlMs);
  const products = new TtlCache<ProductValue | undefined>(cacheTtlMs);
  const sizes = new TtlCache<number>(cacheTtlMs);
  const tags = new TtlCache<TagValue[]>(cacheTtlMs);

  app.get(
    '/catalog/products',
    { schema: { querystring: ProductListQuery, response: { 200: Type.Array(Product) } } },
    async (request) => {
      const { page, size } = request.query;
      const order: ProductOrder = request.query.order ?? 'name';
      const tagList = splitTags(request.query.tags);
      const key = `${tagList?.join(',') ?? ''}|${order}|${page}|${size}`;
      return lists.get(key, () => repository.list(tagList, order, page, size));
    },
  );

  app.get(
    '/catalog/products/:id',
    { schema: { params: ProductParams, response: { 200: Product } } },
    async (request) => {
      const id = request.params.id.toLowerCase();
      const product = await products.get(id, () => repository.get(id));
      if (product === undefined) throw HttpError.notFound(`params.id: no product ${id} in the catalog`, 'params.id');
      return product;
    },
  );

  app.get('/catalog/size', { schema: { querystring: SizeQuery, response: { 200: SizeResponse } } }, async (request) => {
    const tagList = splitTags(request.query.tags);
    return { size: await sizes.get(tagList?.join(',') ?? '', () => repository.size(tagList)) };
  });

  app.get('/catalog/tags', { schema: { response: { 200: Type.Array(Tag) } } }, async () =>
    tags.get('all', () => repository.tags()),
  );
}
