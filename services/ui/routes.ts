import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from '../platform/error-handler';
import { HttpError } from '../platform/http-error';
import { Uuid } from '../platform/identifiers';
import type { ServiceApp } from '../platform/service-app';
import { LOCAL_TIME_JS, type PageContext, SITE_CSS } from './layout';
import { cartPage } from './pages/cart';
import { catalogPage } from './pages/catalog';
import { checkoutFormPage, checkoutReviewPage } from './pages/checkout';
import { homePage } from './pages/home';
import { orderPage, ordersPage } from './pages/orders';
import { productPage } from './pages/product';
import { PRODUCT_IMAGE_FILE, productImageSvg } from './product-image';
import type { Address, ShopApi, SubmittedCheckout } from './shop-api';
import { addressProblem, shopperMessage } from './shopper-messages';

const PAGE_SIZE = 12;

/** Sends a rendered page (its security headers are added to every HTML answer: see `registerPageHeaders`). */
export function sendPage(reply: FastifyReply, page: string, statusCode = 200): FastifyReply {
  return reply.code(statusCode).type('text/html; charset=utf-8').send(page);
}

function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

const Quantity = Type.String({ pattern: '^[0-9]{1,4}$' });
/**
 * `addId`: the id the product page gives each of its add-to-cart forms, sent to carts as the add's
 * `Idempotency-Key`: a form posted twice (a double click, a reload after a 503 whose add landed late) adds once.
 * Optional for clients that post without the page (the canary's journey, curl).
 */
const AddToCartForm = Type.Object(
  { productId: Uuid, quantity: Quantity, addId: Type.Optional(Uuid) },
  { additionalProperties: false },
);
const QuantityForm = Type.Object({ quantity: Quantity }, { additionalProperties: false });
const EmptyForm = Type.Object({}, { additionalProperties: Type.String({ maxLength: 100 }) });
const field = Type.String({ maxLength: 254 });
const CheckoutForm = Type.Object(
  {
    firstName: field,
    lastName: field,
    email: field,
    address1: field,
    address2: Type.Optional(field),
    city: field,
    state: field,
    zip: field,
    deliveryOptionToken: Type.Optional(field),
  },
  { additionalProperties: false },
);
const ReviewForm = Type.Object({ version: Type.String({ pattern: '^[0-9]{1,9}$' }) }, { additionalProperties: false });
const ProductParams = Type.Object({ productId: Uuid });

function quantity(value: string, minimum: number, name: string): number {
  const n = Number(value);
  if (n < minimum || n > 1_000) throw HttpError.badRequest(name, `must be from ${minimum} to 1000 (received ${value})`);
  return n;
}

/**
 * Takes the lines of a placed order out of the customer's cart: each ordered quantity is subtracted from its line,
 * and a line with nothing left is removed. What was added after the checkout was reviewed (another line, a raised
 * quantity) stays in the cart. The carts API sets quantities rather than subtracting them, so an add to the same
 * line between the read and the write here is lost (a window of a few milliseconds, on the shopper's own cart).
 */
async function takeOrderedLinesOut(
  api: ShopApi,
  customerId: string,
  ordered: SubmittedCheckout['items'],
  requestId: string,
): Promise<void> {
  const cart = await api.cart(customerId, requestId);
  for (const item of ordered) {
    const line = cart.items.find((l) => l.itemId === item.id);
    if (line === undefined) continue;
    const remaining = line.quantity - item.quantity;
    if (remaining > 0) await api.setQuantity(customerId, item.id, remaining, requestId);
    else await api.removeFromCart(customerId, item.id, requestId);
  }
}

/** The shop's pages. Every handler answers with HTML; form posts redirect (303) to the page that shows the result. */
export function registerPages(app: ServiceApp, api: ShopApi, region: string): void {
  const context: PageContext = { region };
  const id = (request: FastifyRequest) => request.id;

  app.get('/assets/site.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(SITE_CSS),
  );

  app.get('/assets/local-time.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(LOCAL_TIME_JS),
  );

  app.get(
    '/assets/products/:file',
    { schema: { params: Type.Object({ file: Type.String({ maxLength: 80 }) }) } },
    async (request, reply) => {
      const match = PRODUCT_IMAGE_FILE.exec(request.params.file);
      if (!match) throw HttpError.notFound(`no image ${request.params.file}`, 'params.file');
      return reply
        .type('image/svg+xml')
        .header('cache-control', 'public, max-age=86400')
        .header('x-content-type-options', 'nosniff')
        .send(productImageSvg(match[1]!));
    },
  );

  app.get('/', async (request, reply) => {
    const featured = await api.products({ tag: 'featured', page: 1, size: 8 }, id(request));
    return sendPage(reply, homePage(context, featured));
  });

  app.get(
    '/catalog',
    {
      schema: {
        querystring: Type.Object(
          {
            tag: Type.Optional(Type.String({ pattern: '^[a-z0-9-]{1,40}$' })),
            page: Type.Integer({ minimum: 1, maximum: 1_000, default: 1 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { tag, page } = request.query;
      const [products, count, tags] = await Promise.all([
        api.products({ ...(tag ? { tag } : {}), page, size: PAGE_SIZE }, id(request)),
        api.productCount(tag, id(request)),
        api.tags(id(request)),
      ]);
      return sendPage(reply, catalogPage(context, { products, tags, tag, page, pages: Math.ceil(count / PAGE_SIZE) }));
    },
  );

  app.get('/catalog/:productId', { schema: { params: ProductParams } }, async (request, reply) => {
    const product = await api.product(request.params.productId, id(request));
    if (product === undefined) throw HttpError.notFound('This product is not in the catalog.', 'params.productId');
    return sendPage(reply, productPage(context, product));
  });

  // `POST /cart` is the add-to-cart form of the retail store sample app v1, which the Synthetics journey canary
  // submits (`form[action$="/cart"]`); `POST /cart/items` is kept for clients of the earlier form.
  for (const url of ['/cart', '/cart/items']) {
    app.post(url, { schema: { body: AddToCartForm } }, async (request, reply) => {
      const count = quantity(request.body.quantity, 1, 'body.quantity');
      const { productId, addId } = request.body;
      await api.addToCart(request.customerId, productId.toLowerCase(), count, id(request), addId?.toLowerCase());
      return seeOther(reply, '/cart');
    });
  }

  app.get('/cart', async (request, reply) =>
    sendPage(reply, cartPage(context, await api.cart(request.customerId, id(request)))),
  );

  app.post(
    '/cart/items/:productId/quantity',
    { schema: { params: ProductParams, body: QuantityForm } },
    async (request, reply) => {
      const count = quantity(request.body.quantity, 0, 'body.quantity');
      const productId = request.params.productId.toLowerCase();
      if (count === 0) await api.removeFromCart(request.customerId, productId, id(request));
      else await api.setQuantity(request.customerId, productId, count, id(request));
      return seeOther(reply, '/cart');
    },
  );

  app.post(
    '/cart/items/:productId/remove',
    { schema: { params: ProductParams, body: Type.Optional(EmptyForm) } },
    async (request, reply) => {
      await api.removeFromCart(request.customerId, request.params.productId.toLowerCase(), id(request));
      return seeOther(reply, '/cart');
    },
  );

  app.get('/checkout', async (request, reply) => {
    const [cart, checkout] = await Promise.all([
      api.cart(request.customerId, id(request)),
      api.checkout(request.customerId, id(request)),
    ]);
    if (cart.items.length === 0) return seeOther(reply, '/cart');
    return sendPage(
      reply,
      checkoutFormPage(context, {
        address: checkout?.shippingAddress ?? {},
        deliveryOptionToken: checkout?.deliveryOptionToken ?? 'standard',
      }),
    );
  });

  app.post('/checkout', { schema: { body: CheckoutForm } }, async (request, reply) => {
    const form = request.body;
    const cart = await api.cart(request.customerId, id(request));
    if (cart.items.length === 0) return seeOther(reply, '/cart');
    const address: Address = {
      firstName: form.firstName.trim(),
      lastName: form.lastName.trim(),
      email: form.email.trim(),
      address1: form.address1.trim(),
      ...(form.address2?.trim() ? { address2: form.address2.trim() } : {}),
      city: form.city.trim(),
      state: form.state.trim(),
      zip: form.zip.trim(),
    };
    const deliveryOptionToken = form.deliveryOptionToken === 'priority' ? 'priority' : 'standard';
    try {
      await api.updateCheckout(
        request.customerId,
        {
          items: cart.items.map((i) => ({ id: i.itemId, name: i.name, quantity: i.quantity, price: i.unitPrice })),
          shippingAddress: address,
          deliveryOptionToken,
        },
        id(request),
      );
    } catch (error) {
      if (!(error instanceof HttpError) || error.statusCode >= 500) throw error;
      // Show the checkout service's reason on the form, in the shopper's words (`email address`, not a JSON path).
      const reason = addressProblem(error.field, error.message) ?? shopperMessage(toErrorBody(error, request.id, 0));
      return sendPage(reply, checkoutFormPage(context, { address, deliveryOptionToken, error: reason }), 400);
    }
    return seeOther(reply, '/checkout/review');
  });

  app.get('/checkout/review', async (request, reply) => {
    const checkout = await api.checkout(request.customerId, id(request));
    if (checkout === undefined || checkout.shippingAddress === undefined) return seeOther(reply, '/checkout');
    if (checkout.status === 'submitted' && checkout.orderId) return seeOther(reply, `/orders/${checkout.orderId}`);
    return sendPage(reply, checkoutReviewPage(context, checkout));
  });

  app.post('/checkout/submit', { schema: { body: ReviewForm } }, async (request, reply) => {
    const checkout = await api.checkout(request.customerId, id(request));
    if (checkout === undefined) return seeOther(reply, '/checkout');
    if (checkout.version !== Number(request.body.version)) {
      throw HttpError.conflict(
        'Your checkout changed after you reviewed it. Please review it again before placing the order.',
      );
    }
    const submitted = await api.submitCheckout(request.customerId, request.synthetic, id(request));
    // Only the submit that placed the order takes its lines out of the cart: a repeat (a double click, a retry, the
    // back button) returns the same order with 200 and leaves the cart alone, so no line is taken out twice. The
    // order exists now; the cart is a convenience, so a failure here must not hide the order.
    if (submitted.created) {
      await takeOrderedLinesOut(api, request.customerId, submitted.items, id(request)).catch((error: unknown) => {
        request.log.warn({ err: error }, 'ordered lines not taken out of the cart after the order was placed');
      });
    }
    return seeOther(reply, `/orders/${submitted.orderId}?placed=1`);
  });

  app.get(
    '/orders',
    {
      schema: {
        querystring: Type.Object(
          { cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const page = await api.ordersOf(request.customerId, request.query.cursor, id(request));
      return sendPage(reply, ordersPage(context, page.orders, page.nextCursor));
    },
  );

  app.get(
    '/orders/:orderId',
    {
      schema: {
        params: Type.Object({ orderId: Uuid }),
        querystring: Type.Object({ placed: Type.Optional(Type.Literal('1')) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const order = await api.order(request.params.orderId, id(request));
      // Another visitor's order is as invisible as one that does not exist.
      if (order === undefined || order.customerId !== request.customerId) {
        throw HttpError.notFound('There is no such order among yours.', 'params.orderId');
      }
      return sendPage(reply, orderPage(context, order, request.query.placed === '1'));
    },
  );
}
