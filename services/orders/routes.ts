import { HttpError } from '../platform/http-error';
import { toCents } from '../platform/money';
import type { ServiceApp } from '../platform/service-app';
import type { NewOrder, OrderCursor, OrderRepository } from './order-repository';
import {
  CreateOrderBody,
  CreateOrderHeaders,
  ListOrdersQuery,
  Order,
  OrderPage,
  OrderParams,
  type Order as OrderValue,
} from './schemas';

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/;

/** An opaque page token: base64url of `created_at|id`. */
export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

function decodeCursor(token: string): OrderCursor {
  const match = CURSOR.exec(Buffer.from(token, 'base64url').toString());
  if (!match) throw HttpError.badRequest('query.cursor', 'is not a cursor returned by this API as nextCursor');
  return { createdAt: match[1]!, id: match[2]! };
}

function sameOrder(existing: OrderValue, wanted: NewOrder): boolean {
  const key = (productId: string, quantity: number, cents: number) => `${productId.toLowerCase()}x${quantity}@${cents}`;
  const had = existing.items.map((i) => key(i.productId, i.quantity, Math.round(i.unitPrice * 100))).sort();
  const want = wanted.items.map((i) => key(i.productId, i.quantity, i.unitPriceCents)).sort();
  return (
    existing.customerId === wanted.customerId &&
    had.join() === want.join() &&
    Math.round(existing.shipping * 100) === wanted.shippingCents &&
    Math.round(existing.tax * 100) === wanted.taxCents &&
    existing.synthetic === wanted.synthetic
  );
}

/** `POST /orders`, `GET /orders?customerId=`, `GET /orders/{id}`, `DELETE /orders/{id}`. */
export function registerOrderRoutes(app: ServiceApp, repository: OrderRepository): void {
  app.post(
    '/orders',
    {
      schema: {
        headers: CreateOrderHeaders,
        body: CreateOrderBody,
        response: { 200: Order, 201: Order },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const header = request.headers['idempotency-key'];
      if (body.idempotencyKey !== undefined && header !== undefined && body.idempotencyKey !== header) {
        throw HttpError.badRequest(
          'body.idempotencyKey',
          'differs from the Idempotency-Key header; send one or make them equal',
        );
      }
      const idempotencyKey = body.idempotencyKey ?? header;
      if (idempotencyKey === undefined) {
        throw HttpError.badRequest('body.idempotencyKey', 'is required (in the body or as the Idempotency-Key header)');
      }
      const seen = new Set<string>();
      const items = body.items.map((item, index) => {
        const productId = item.productId.toLowerCase();
        if (seen.has(productId)) {
          throw HttpError.badRequest(
            `body.items[${index}].productId`,
            `${productId} appears twice; send one line per product`,
          );
        }
        seen.add(productId);
        return {
          productId,
          name: item.name,
          quantity: item.quantity,
          unitPriceCents: toCents(item.unitPrice, `body.items[${index}].unitPrice`),
        };
      });
      const wanted: NewOrder = {
        customerId: body.customerId,
        idempotencyKey,
        items,
        shippingCents: toCents(body.shipping ?? 0, 'body.shipping'),
        taxCents: toCents(body.tax ?? 0, 'body.tax'),
        shippingAddress: body.shippingAddress,
        synthetic: body.synthetic ?? false,
      };
      const result = await repository.place(wanted);
      if ('deleted' in result) {
        throw HttpError.conflict('belongs to an order that has been deleted; use a new key', 'body.idempotencyKey');
      }
      if (!result.created && !sameOrder(result.order, wanted)) {
        throw HttpError.conflict('was already used for a different order; use a new key', 'body.idempotencyKey');
      }
      if (result.created) {
        // The business metric OrdersPlaced counts these lines, leaving out synthetic ones (stacks/services,
        // services-stack.ts): one per order placed, none for a retry answered with an existing order.
        app.log.info(
          { event: 'order.placed', orderId: result.order.id, synthetic: wanted.synthetic, requestId: request.id },
          'order placed',
        );
      }
      reply.header('location', `/orders/${result.order.id}`);
      return reply.code(result.created ? 201 : 200).send(result.order);
    },
  );

  app.get('/orders', { schema: { querystring: ListOrdersQuery, response: { 200: OrderPage } } }, async (request) => {
    const { customerId, limit, cursor } = request.query;
    const page = await repository.list(customerId, limit, cursor === undefined ? undefined : decodeCursor(cursor));
    return { orders: page.orders, nextCursor: page.next ? encodeCursor(page.next) : null };
  });

  app.get('/orders/:id', { schema: { params: OrderParams, response: { 200: Order } } }, async (request) => {
    const order = await repository.get(request.params.id);
    if (order === undefined) throw HttpError.notFound(`params.id: no order ${request.params.id}`, 'params.id');
    return order;
  });

  app.delete('/orders/:id', { schema: { params: OrderParams } }, async (request, reply) => {
    if (!(await repository.softDelete(request.params.id))) {
      throw HttpError.notFound(`params.id: no order ${request.params.id}`, 'params.id');
    }
    return reply.code(204).send();
  });
}
