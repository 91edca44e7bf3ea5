import { Type } from '@sinclair/typebox';
import { HttpError } from '../platform/http-error';
import { CustomerParams } from '../platform/identifiers';
import type { ServiceApp } from '../platform/service-app';
import type { CartRepository } from './cart-repository';
import type { CatalogProducts } from './catalog-products';
import { assertOrderable, refuseLineOverLimit } from './line-limits';
import { AddItemBody, Cart, CartItem, ItemParams, MAX_LINE_QUANTITY, UpdateItemBody } from './schemas';

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
    { schema: { params: CustomerParams, body: AddItemBody, response: { 201: CartItem } } },
    async (request, reply) => {
      const productId = request.body.itemId.toLowerCase();
      const product = await products.find(productId, request.id);
      if (product === undefined) {
        throw HttpError.badRequest('body.itemId', `no product ${productId} in the catalog`);
      }
      assertOrderable(product);
      const item = await carts.add(request.params.customerId, product, request.body.quantity);
      if (item === 'over-limit') {
        throw HttpError.conflict(
          `would take the cart's line for ${productId} above ${MAX_LINE_QUANTITY} units; nothing was added`,
          'body.quantity',
        );
      }
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
