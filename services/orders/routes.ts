import { HttpError } from '../platform/http-error';
import { toCents } from '../platform/money';
import type { ServiceApp } from '../platform/service-app';
import { linesInCents } from '../platform/shapes';
import type { NewOrder, OrderCursor, OrderRepository } from './order-repository';
import {
  CreateOrderBody,
  CreateOrderHeaders,
  ListOrdersQuery,
  Order,
  OrderPage,
  OrderParams,
  type Order as OrderValue,
  type ShippingAddress,
  ShippingAddress as ShippingAddressBody,
} from './schemas';

const CURSOR =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** An opaque page token: base64url of `created_at|id`. */
export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

/**
 * The page boundary inside a token. Only what {@link encodeCursor} can produce passes: a real calendar date and
 * time (no 30 February, no hour 24) and a uuid, so Postgres never sees a value it cannot parse.
 */
export function decodeCursor(token: string): OrderCursor {
  const text = Buffer.from(token, 'base64url').toString();
  const match = CURSOR.exec(text);
  const [year, month, day, hour, minute, second] = (match?.slice(1, 7) ?? []).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  const real =
    match !== null &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  if (!real) throw HttpError.badRequest('query.cursor', 'is not a cursor returned by this API as nextCursor');
  return { createdAt: text.slice(0, text.indexOf('|')), id: match[7]! };
}

/** An address as compared for an idempotency key: an empty second line is no second line. */
function addressKey(address: ShippingAddress): string {
  const { address2, ...rest } = address;
  return JSON.stringify(Object.entries({ ...rest, address2: address2 || null }).sort(([a], [b]) => a.localeCompare(b)));
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
    existing.synthetic === wanted.synthetic &&
    addressKey(existing.shippingAddress) === addressKey(wanted.shippingAddress)
  );
}

/**
 * `POST /orders`, `GET /orders?customerId=`, `GET /orders/{id}`, `PUT /orders/{id}/shipping-address`,
 * `DELETE /orders/{id}`.
 */
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
      const items = linesInCents(body.items, 'body.items', 'productId', 'unitPrice');
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

  // Issue 16: a shopper changes the order's shipping address (the game day's and the drill's lost updates). The body
  // is the address `POST /orders` takes (platform/shapes, one definition), validated by the same schema.
  app.put(
    '/orders/:id/shipping-address',
    { schema: { params: OrderParams, body: ShippingAddressBody, response: { 200: Order } } },
    async (request) => {
      const order = await repository.changeShippingAddress(request.params.id, request.body);
      if (order === undefined) throw HttpError.notFound(`params.id: no order ${request.params.id}`, 'params.id');
      return order;
    },
  );

  app.delete('/orders/:id', { schema: { params: OrderParams } }, async (request, reply) => {
    if (!(await repository.softDelete(request.params.id))) {
      throw HttpError.notFound(`params.id: no order ${request.params.id}`, 'params.id');
    }
    return reply.code(204).send();
  });
}
