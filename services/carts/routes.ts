import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { HttpError } from '../platform/http-error';
import { CustomerParams } from '../platform/identifiers';
import type { ServiceApp } from '../platform/service-app';
import type { CartRepository } from './cart-repository';
import type { CatalogProducts } from './catalog-products';
import { assertOrderable, refuseLineOverLimit } from './line-limits';
import { AddItemBody, Cart, CartItem, ItemParams, MAX_LINE_QUANTITY, UpdateItemBody } from './schemas';

const ADD_KEY = /^[\x21-\x7e]{1,128}$/;

/** The `Idempotency-Key` header of an add (1-128 printable ASCII characters, like the orders API's keys). */
function addKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !ADD_KEY.test(header)) {
    throw HttpError.badRequest(
      'headers.idempotency-key',
      'accepted: one header of 1-128 printable ASCII characters without spaces',
    );
  }
  return `client-${header}`;
}

function cartOf(customerId: string, items: CartItem[]) {
  const cents = items.reduce((sum, i) => sum + Math.round(i.totalCost * 100), 0);
  return { customerId, items, total: cents / 100 };
}

/** The retail-store-sample-app carts API. */
export function registerCartRoutes(app: ServiceApp, carts: CartRepository, products: CatalogProducts): void {
  app.get('/carts/:customerId', { schema: { params: CustomerParams, response: { 200: Cart } } }, async (request) =>
    cartOf(request.params.customerId, await carts.items(request.params.customerId)),
  );

  app.delete(
    '/carts/:customerId',
    { schema: { params: CustomerParams, response: { 202: Cart } } },
    async (request, reply) => {
      await carts.clear(request.params.customerId);
      return reply.code(202).send(cartOf(request.params.customerId, []));
    },
  );

  app.get(
    '/carts/:customerId/items',
    { schema: { params: CustomerParams, response: { 200: Type.Array(CartItem) } } },
    async (request) => carts.items(request.params.customerId),
  );

  app.post(
    '/carts/:customerId/items',
    { schema: { params: CustomerParams, body: AddItemBody, response: { 200: CartItem, 201: CartItem } } },
    async (request, reply) => {
      const productId = request.body.itemId.toLowerCase();
      const product = await products.find(productId, request.id);
      if (product === undefined) {
        throw HttpError.badRequest('body.itemId', `no product ${productId} in the catalog`);
      }
      assertOrderable(product);
      // Without a client key the add is still applied at most once per request (the SDK's own retries), not per
      // client retry: see "Failures and retries" in services/README.md.
      const clientKey = addKeyOf(request.headers['idempotency-key']);
      const addKey = clientKey ?? `request-${randomUUID()}`;
      const item = await carts.add(request.params.customerId, product, request.body.quantity, addKey);
      if (item === 'over-limit') {
        throw HttpError.conflict(
          `would take the cart's line for ${productId} above ${MAX_LINE_QUANTITY} units; nothing was added`,
          'body.quantity',
        );
      }
      // A client's retry of an add that was applied earlier: 200 with the line (as the orders API answers a retry).
      // A replay of this request's own key is the SDK's retry after an attempt that landed: this request added.
      if ('replayed' in item) return reply.code(clientKey === undefined ? 201 : 200).send(item.replayed);
      await refuseLineOverLimit(carts, request.params.customerId, item, request.body.quantity);
      return reply.code(201).send(item);
    },
  );

  app.patch(
    '/carts/:customerId/items',
    { schema: { params: CustomerParams, body: UpdateItemBody, response: { 202: CartItem } } },
    async (request, reply) => {
      const productId = request.body.itemId.toLowerCase();
      const item = await carts.setQuantity(request.params.customerId, productId, request.body.quantity);
      if (item === undefined) throw HttpError.notFound(`body.itemId: ${productId} is not in the cart`, 'body.itemId');
      return reply.code(202).send(item);
    },
  );

  app.get(
    '/carts/:customerId/items/:itemId',
    { schema: { params: ItemParams, response: { 200: CartItem } } },
    async (request) => {
      const productId = request.params.itemId.toLowerCase();
      const item = await carts.item(request.params.customerId, productId);
      if (item === undefined)
        throw HttpError.notFound(`params.itemId: ${productId} is not in the cart`, 'params.itemId');
      return item;
    },
  );

  app.delete('/carts/:customerId/items/:itemId', { schema: { params: ItemParams } }, async (request, reply) => {
    await carts.remove(request.params.customerId, request.params.itemId.toLowerCase());
    return reply.code(202).send();
  });
}
