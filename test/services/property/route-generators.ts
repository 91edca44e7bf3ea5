import fc from 'fast-check';
import { included } from './known-findings';
import type { BodyKind, RouteShape } from './request-cases';
import type { RecordedRoute } from './route-recorder';
import type { Hints } from './schema-arbitrary';
import type { ServiceName } from './shop-under-test';

/** What the generators draw existing things from: seeded products, customers with carts, orders, visitors. */
export interface Fixtures {
  /** Ids of the catalog's seeded products. */
  readonly productIds: readonly string[];
  /** API customers with a cart, a checkout and orders. */
  readonly customerIds: readonly string[];
  /** Orders of those customers. */
  readonly orderIds: readonly string[];
  /** A cursor the orders API returned as `nextCursor`. */
  readonly cursors: readonly string[];
  /** ui visitors: their cookie, and the ids of their orders. */
  readonly visitors: ReadonlyArray<{ readonly cookie: string; readonly orderIds: readonly string[] }>;
  /** The ui's own origin (sent as `Origin` on form posts, as a browser does). */
  readonly uiOrigin: string;
}

/** How one route is exercised. */
export interface RouteGenerator {
  readonly body: BodyKind;
  /** Hints for the route's values, beyond the common ones (products, customers). */
  readonly hints?: (fixtures: Fixtures) => Hints;
  readonly mutableHeaders?: readonly string[];
  readonly adjustBody?: (body: unknown) => unknown;
  /** See {@link RouteShape.nullBodyIsEmpty}. */
  readonly nullBodyIsEmpty?: boolean;
  /** The request changes chaos faults: they are cleared after it. */
  readonly chaos?: boolean;
}

const TEN_BILLION_CENTS = 1_000_000_000_000;
const TWENTY_MILLION_CENTS = 2_000_000_000;

interface Line {
  quantity: number;
  unitPrice?: number;
  price?: number;
}

/** Scales prices down until lines × quantity × price stays under `limitCents`. */
function keepTotalUnder(limitCents: number, priceKey: 'unitPrice' | 'price') {
  return (body: unknown) => {
    const b = body as { items?: Line[] } | undefined;
    if (b?.items === undefined) return body;
    const total = () => b.items!.reduce((sum, i) => sum + i.quantity * Math.round((i[priceKey] ?? 0) * 100), 0);
    if (total() < limitCents) return body;
    const factor = Math.ceil(total() / (limitCents - 1)) + 1;
    return {
      ...b,
      items: b.items.map((i) => ({
        ...i,
        [priceKey]: Math.floor(Math.round((i[priceKey] ?? 0) * 100) / factor) / 100,
      })),
    };
  };
}

const ordersIds: RouteGenerator['hints'] = (f) => (path, key) =>
  key === 'id' && path === 'params.id' ? fc.oneof(fc.constantFrom(...f.orderIds), fc.uuid()) : undefined;

const platform: Record<string, RouteGenerator> = {
  'GET /health': { body: 'none' },
  'GET /health/ready': { body: 'none' },
  'GET /topology': { body: 'none' },
  'GET /chaos/status': { body: 'none' },
  'POST /chaos/status/:code': { body: 'none', chaos: true },
  'DELETE /chaos/status': { body: 'none', chaos: true },
  'DELETE /chaos/status/:code': { body: 'none', chaos: true },
  'POST /chaos/latency/:ms': { body: 'none', chaos: true },
  'DELETE /chaos/latency': { body: 'none', chaos: true },
  'DELETE /chaos/latency/:ms': { body: 'none', chaos: true },
  'POST /chaos/health': { body: 'none', chaos: true },
  'DELETE /chaos/health': { body: 'none', chaos: true },
};

/**
 * The generator of every route, by service and `METHOD url`. HEAD routes are exercised by their GET's generator.
 * A route a service serves that is missing here fails the property test: add it, with the hints its values need
 * to reach past validation.
 */
export const ROUTE_GENERATORS: Readonly<Record<ServiceName, Readonly<Record<string, RouteGenerator>>>> = {
  catalog: {
    ...platform,
    'GET /catalog/products': { body: 'none' },
    'GET /catalog/products/:id': {
      body: 'none',
      hints: (f) => (path) =>
        path === 'params.id' ? fc.oneof(fc.constantFrom(...f.productIds), fc.uuid()) : undefined,
    },
    'GET /catalog/size': { body: 'none' },
    'GET /catalog/tags': { body: 'none' },
  },
  carts: {
    ...platform,
    'GET /carts/:customerId': { body: 'none' },
    'DELETE /carts/:customerId': { body: 'none' },
    'GET /carts/:customerId/items': { body: 'none' },
    'POST /carts/:customerId/items': { body: 'json' },
    'PATCH /carts/:customerId/items': { body: 'json' },
    'GET /carts/:customerId/items/:itemId': { body: 'none' },
    'DELETE /carts/:customerId/items/:itemId': { body: 'none' },
  },
  orders: {
    ...platform,
    'POST /orders': {
      body: 'json',
      mutableHeaders: ['idempotency-key'],
      // B3: totals of $10 billion and more overflow numeric(12,2).
      ...(included('B3') ? {} : { adjustBody: keepTotalUnder(TEN_BILLION_CENTS, 'unitPrice') }),
    },
    'GET /orders': {
      body: 'none',
      hints: (f) => (path) => (path === 'query.cursor' ? fc.constantFrom(...f.cursors) : undefined),
    },
    'GET /orders/:id': { body: 'none', hints: ordersIds },
    'DELETE /orders/:id': { body: 'none', hints: ordersIds },
    'PUT /orders/:id/shipping-address': { body: 'json', hints: ordersIds },
  },
  checkout: {
    ...platform,
    'GET /checkout/:customerId': { body: 'none' },
    'POST /checkout/:customerId/update': {
      body: 'json',
      // B4: a subtotal over $20 million gives a tax over the orders limit.
      ...(included('B4') ? {} : { adjustBody: keepTotalUnder(TWENTY_MILLION_CENTS, 'price') }),
    },
    // Its body is optional: the route reads none, or a JSON null, as {} (services/checkout/routes.ts).
    'POST /checkout/:customerId/submit': { body: 'json', nullBodyIsEmpty: true },
  },
  ui: {
    ...platform,
    'GET /ready': { body: 'none' },
    'GET /assets/site.css': { body: 'none' },
    'GET /assets/local-time.js': { body: 'none' },
    'GET /assets/products/:file': { body: 'none' },
    'GET /': { body: 'none' },
    'GET /catalog': { body: 'none' },
    'GET /catalog/:productId': { body: 'none' },
    'POST /cart': { body: 'form' },
    'POST /cart/items': { body: 'form' },
    'GET /cart': { body: 'none' },
    'POST /cart/items/:productId/quantity': { body: 'form' },
    'POST /cart/items/:productId/remove': { body: 'form' },
    'GET /checkout': { body: 'none' },
    'POST /checkout': { body: 'form' },
    'GET /checkout/review': { body: 'none' },
    'POST /checkout/submit': {
      body: 'form',
      hints: () => (path) => (path === 'body.version' ? fc.constantFrom('1', '2', '3', '4') : undefined),
    },
    'GET /orders': {
      body: 'none',
      hints: (f) => (path) => (path === 'query.cursor' ? fc.constantFrom(...f.cursors) : undefined),
    },
    'GET /orders/:orderId': {
      body: 'none',
      hints: (f) => (path) =>
        path === 'params.orderId'
          ? fc.oneof(fc.constantFrom(...f.visitors.flatMap((v) => v.orderIds)), fc.uuid())
          : undefined,
    },
  },
};

/** Hints every route shares: products the catalog has, customers who have things. */
function commonHints(fixtures: Fixtures): Hints {
  const product = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fixtures.productIds) },
    { weight: 1, arbitrary: fc.uuid() },
  );
  return (path, key) => {
    if (['productId', 'itemId'].includes(key) || /^body\.items\[\d+\]\.id$/.test(path)) return product;
    if (key === 'customerId') {
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...fixtures.customerIds) },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
      );
    }
    if (key === 'idempotencyKey') return fc.stringMatching(/^[\x21-\x7e]{8,40}$/);
    if (key === 'synthetic') return fc.constant(false);
    return undefined;
  };
}

/** The generation settings of one route of one service. */
export function routeShape(
  service: ServiceName,
  route: RecordedRoute,
  generator: RouteGenerator,
  fixtures: Fixtures,
): RouteShape {
  const common = commonHints(fixtures);
  const own = generator.hints?.(fixtures);
  const hints: Hints = (path, key) => own?.(path, key) ?? common(path, key);
  const headers: fc.Arbitrary<Record<string, string>> =
    service === 'ui'
      ? fc
          .record({
            visitor: fc.constantFrom(...fixtures.visitors.map((v) => v.cookie)),
            accept: fc.constantFrom('text/html', 'text/html', 'application/json'),
          })
          .map(({ visitor, accept }) => ({
            cookie: visitor,
            accept,
            // What a browser sends with a form on the shop's own page.
            origin: fixtures.uiOrigin,
            'sec-fetch-site': 'same-origin',
          }))
      : fc.constant({ accept: 'application/json' });
  return {
    route,
    body: generator.body,
    bodyLimitBytes: service === 'ui' ? 16 * 1024 : 64 * 1024,
    hints,
    headers,
    ...(generator.mutableHeaders ? { mutableHeaders: generator.mutableHeaders } : {}),
    ...(generator.adjustBody ? { adjustBody: generator.adjustBody } : {}),
    ...(generator.nullBodyIsEmpty ? { nullBodyIsEmpty: true } : {}),
  };
}
