import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { HttpError } from '../platform/http-error';
import type { ServiceApp } from '../platform/service-app';
import { TtlCache } from '../platform/ttl-cache';
import type { ProductRepository } from './product-repository';
import { Product, ProductListQuery, type ProductOrder, ProductParams, SizeQuery, SizeResponse, Tag } from './schemas';

function splitTags(tags: string | undefined): string[] | undefined {
  return tags === undefined ? undefined : [...new Set(tags.split(','))].sort();
}

const JSON_TYPE = 'application/json; charset=utf-8';

function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type(JSON_TYPE).send(json);
}

/**
 * The retail-store-sample-app catalog API: products (filtered, ordered, paged), one product, size, tags.
 * Answers are cached as serialized JSON for `cacheTtlMs` (catalog data changes rarely and a second of staleness
 * is harmless), so a hot query costs neither a Postgres round trip nor a serialization; concurrent misses share
 * one query. The response schemas document the shapes (a JSON string is sent as is).
 */
export function registerCatalogRoutes(app: ServiceApp, repository: ProductRepository, cacheTtlMs: number): void {
  const cache = new TtlCache<string | undefined>(cacheTtlMs);

  app.get(
    '/catalog/products',
    { schema: { querystring: ProductListQuery, response: { 200: Type.Array(Product) } } },
    async (request, reply) => {
      const { page, size } = request.query;
      const order: ProductOrder = request.query.order ?? 'name';
      const tagList = splitTags(request.query.tags);
      const key = `list|${tagList?.join(',') ?? ''}|${order}|${page}|${size}`;
      const json = await cache.get(key, async () => JSON.stringify(await repository.list(tagList, order, page, size)));
      return sendJson(reply, json!);
    },
  );

  app.get(
    '/catalog/products/:id',
    { schema: { params: ProductParams, response: { 200: Product } } },
    async (request, reply) => {
      const id = request.params.id.toLowerCase();
      const json = await cache.get(`product|${id}`, async () => {
        const product = await repository.get(id);
        return product === undefined ? undefined : JSON.stringify(product);
      });
      if (json === undefined) throw HttpError.notFound(`params.id: no product ${id} in the catalog`, 'params.id');
      return sendJson(reply, json);
    },
  );

  app.get(
    '/catalog/size',
    { schema: { querystring: SizeQuery, response: { 200: SizeResponse } } },
    async (request, reply) => {
      const tagList = splitTags(request.query.tags);
      const json = await cache.get(`size|${tagList?.join(',') ?? ''}`, async () =>
        JSON.stringify({ size: await repository.size(tagList) }),
      );
      return sendJson(reply, json!);
    },
  );

  app.get('/catalog/tags', { schema: { response: { 200: Type.Array(Tag) } } }, async (_request, reply) =>
    sendJson(reply, (await cache.get('tags', async () => JSON.stringify(await repository.tags())))!),
  );
}
