jest.mock('fastify', () => jest.requireActual('./route-recorder').recordingFastify());

import fc from 'fast-check';
import { call } from '../support/http';
import { FUZZ, routeSeed } from './fuzz-settings';
import { answerViolations } from './invariants';
import { EXCLUDED, generated, included } from './known-findings';
import { sendRaw } from './raw-request';
import { type RequestCase, requestCases } from './request-cases';
import { type Fixtures, ROUTE_GENERATORS, type RouteGenerator, routeShape } from './route-generators';
import { type RecordedRoute, routesOf } from './route-recorder';
import { SERVICE_NAMES, type ServiceName, type ShopUnderTest, startShopUnderTest } from './shop-under-test';

const ANSWER_DEADLINE_MS = 10_000;
const CUSTOMERS = ['prop-customer-a', 'prop-customer-b', 'prop-customer-c'];
const ADDRESS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  address1: '1 Test Street',
  city: 'Testville',
  state: 'TS',
};

let shop: ShopUnderTest;
let fixtures: Fixtures;

async function ok<A extends { status: number; text: string }>(
  what: string,
  answer: Promise<A>,
  ...statuses: number[]
): Promise<A> {
  const a = await answer;
  if (!statuses.includes(a.status)) throw new Error(`fixture: ${what} answered ${a.status}: ${a.text.slice(0, 200)}`);
  return a;
}

/** Gives the API customers a cart and an open checkout again (routes under test clear and submit them). */
async function refill(productIds: readonly string[]): Promise<void> {
  await Promise.all(
    CUSTOMERS.map(async (customer, i) => {
      const items = [productIds[i]!, productIds[i + 1]!];
      await call(shop.urls.carts, 'PATCH', `/carts/${customer}/items`, {
        json: { itemId: items[0], quantity: 1 },
      }).then((a) =>
        a.status === 404
          ? call(shop.urls.carts, 'POST', `/carts/${customer}/items`, { json: { itemId: items[0], quantity: 1 } })
          : a,
      );
      await ok(
        'checkout update',
        call(shop.urls.checkout, 'POST', `/checkout/${customer}/update`, {
          json: {
            items: items.map((id) => ({ id, name: 'Fixture product', quantity: 1, price: 10 })),
            shippingAddress: { ...ADDRESS, zip: '12345' },
          },
        }),
        200,
      );
    }),
  );
}

async function visitor(productId: string): Promise<Fixtures['visitors'][number]> {
  const ui = shop.urls.ui;
  const headers = (cookie: string) => ({ accept: 'text/html', cookie, origin: ui, 'sec-fetch-site': 'same-origin' });
  const home = await ok('ui home', call(ui, 'GET', '/', { headers: { accept: 'text/html' } }), 200);
  const cookie = (home.headers.get('set-cookie') ?? '').split(';')[0]!;
  const form = (path: string, fields: Record<string, string>) =>
    call(ui, 'POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: { ...headers(cookie), 'content-type': 'application/x-www-form-urlencoded' },
    });
  await ok('ui add to cart', form('/cart', { productId, quantity: '1' }), 303);
  await ok('ui checkout form', form('/checkout', { ...ADDRESS, zip: '12345' }), 303);
  const review = await ok('ui review', call(ui, 'GET', '/checkout/review', { headers: headers(cookie) }), 200);
  const version = /name="version" value="([0-9]+)"/.exec(review.text)?.[1] ?? '1';
  const placed = await ok('ui place order', form('/checkout/submit', { version }), 303);
  const orderId = /\/orders\/([0-9a-f-]{36})/.exec(placed.headers.get('location') ?? '')![1]!;
  // Something in the cart and an address again, so the checkout pages have something to show.
  await ok('ui add to cart', form('/cart', { productId, quantity: '2' }), 303);
  await ok('ui checkout form', form('/checkout', { ...ADDRESS, zip: '12345' }), 303);
  return { cookie, orderIds: [orderId] };
}

beforeAll(async () => {
  shop = await startShopUnderTest();
  const products = (await ok('catalog list', call(shop.urls.catalog, 'GET', '/catalog/products?size=100'), 200)).text;
  const productIds = (JSON.parse(products) as Array<{ id: string }>).map((p) => p.id);
  await refill(productIds);
  const orderIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const placed = await ok(
      'orders place',
      call(shop.urls.orders, 'POST', '/orders', {
        json: {
          idempotencyKey: `prop-fixture-${i}`,
          customerId: CUSTOMERS[0],
          items: [{ productId: productIds[i], name: 'Fixture product', quantity: 1, unitPrice: 10 }],
          shippingAddress: { ...ADDRESS, zipCode: '12345' },
        },
      }),
      201,
    );
    orderIds.push(JSON.parse(placed.text).id);
  }
  const page = await ok(
    'orders list',
    call(shop.urls.orders, 'GET', `/orders?customerId=${CUSTOMERS[0]}&limit=1`),
    200,
  );
  const cursor = JSON.parse(page.text).nextCursor as string;
  const visitors = [await visitor(productIds[0]!), await visitor(productIds[1]!)];
  fixtures = { productIds, customerIds: CUSTOMERS, orderIds, cursors: [cursor], visitors, uiOrigin: shop.urls.ui };
  process.stdout.write(
    `property test: FUZZ_SEED=${FUZZ.seed} FUZZ_RUNS=${FUZZ.runs} (per route); known findings left out: ${
      EXCLUDED.filter((f) => !included(f)).join(', ') || 'none'
    }\n`,
  );
}, 180_000);

afterAll(async () => {
  await shop?.stop();
});

/** The routes of a service with their generators; HEAD routes go with their GET. */
function routesWithGenerators(service: ServiceName): {
  covered: Array<[RecordedRoute, RouteGenerator]>;
  missing: string[];
} {
  const generators = ROUTE_GENERATORS[service];
  const routes = routesOf(shop.apps[service]);
  const covered: Array<[RecordedRoute, RouteGenerator]> = [];
  const missing: string[] = [];
  for (const route of routes) {
    const key = `${route.method} ${route.url}`;
    if (route.method === 'HEAD' && routes.some((r) => r.method === 'GET' && r.url === route.url)) continue;
    const generator = generators[key];
    if (generator === undefined) missing.push(`${service} ${key}`);
    else covered.push([route, generator]);
  }
  return { covered, missing };
}

const SHOW = 400;
function describeCase(c: RequestCase): string {
  const body =
    c.request.body === undefined
      ? ''
      : ` body ${JSON.stringify(c.request.body.toString('utf8').slice(0, SHOW))}${c.request.body.length > SHOW ? `… (${c.request.body.length} bytes)` : ''}`;
  const path =
    c.request.path.length > SHOW
      ? `${c.request.path.slice(0, SHOW)}… (${c.request.path.length} characters)`
      : c.request.path;
  return `${c.request.method} ${path} headers ${JSON.stringify(c.request.headers)}${body} [${c.mutation.cls} at ${c.mutation.at || '-'}${c.mustReject ? ', breaks the schema' : ''}]`;
}

async function clearChaos(base: string): Promise<void> {
  await Promise.all(['/chaos/status', '/chaos/latency', '/chaos/health'].map((p) => call(base, 'DELETE', p)));
}

/** Reads back what a successful write stored and compares its text with what was sent. */
async function readBackViolations(c: RequestCase, text: string): Promise<string[]> {
  const sent = c.sentBody as Record<string, unknown> | undefined;
  if (sent === undefined) return [];
  const problems: string[] = [];
  const compare = (label: string, wanted: unknown, got: unknown) => {
    if (typeof wanted === 'string' && wanted !== got)
      problems.push(`${label}: sent ${JSON.stringify(wanted)}, stored ${JSON.stringify(got)}`);
  };
  if (c.route === 'POST /orders') {
    const id = JSON.parse(text).id as string;
    const stored = JSON.parse((await call(shop.urls.orders, 'GET', `/orders/${id}`)).text);
    const items = sent['items'] as Array<Record<string, unknown>>;
    items.forEach((item, i) => {
      const match = stored.items.find(
        (s: { productId: string }) => s.productId === String(item['productId']).toLowerCase(),
      );
      compare(`body.items[${i}].name`, item['name'], match?.name);
    });
    for (const [k, v] of Object.entries((sent['shippingAddress'] ?? {}) as Record<string, unknown>)) {
      compare(`body.shippingAddress.${k}`, v, stored.shippingAddress[k]);
    }
  }
  if (c.route === 'POST /checkout/:customerId/update') {
    const stored = JSON.parse((await call(shop.urls.checkout, 'GET', `/checkout/${c.params['customerId']}`)).text);
    for (const [i, item] of (sent['items'] as Array<Record<string, unknown>>).entries()) {
      compare(`body.items[${i}].name`, item['name'], stored.items[i]?.name);
    }
    for (const [k, v] of Object.entries((sent['shippingAddress'] ?? {}) as Record<string, unknown>)) {
      compare(`body.shippingAddress.${k}`, v, stored.shippingAddress?.[k]);
    }
  }
  return problems;
}

/**
 * What the checkout accepts, the orders service must take: a checkout an update (API or ui form) was accepted for
 * is submitted, and the submit must not fail on the server's side (a 409 for a missing address is fine).
 */
async function submitViolations(
  c: RequestCase,
  answer: { status: number; headers: Record<string, unknown> },
): Promise<string[]> {
  let customerId: string | undefined;
  if (c.route === 'POST /checkout/:customerId/update' && answer.status === 200) customerId = c.params['customerId'];
  if (c.route === 'POST /checkout' && answer.status === 303 && answer.headers['location'] === '/checkout/review') {
    customerId = /customer_id=([0-9a-f-]{36})/.exec(c.request.headers['cookie'] ?? '')?.[1];
  }
  if (customerId === undefined) return [];
  const submitted = await call(shop.urls.checkout, 'POST', `/checkout/${customerId}/submit`);
  return submitted.status >= 500
    ? [`the accepted checkout cannot be placed: submit answered ${submitted.status}: ${submitted.text.slice(0, 300)}`]
    : [];
}

/** Sends one case and checks every invariant; returns what was broken. */
async function violations(service: ServiceName, generator: RouteGenerator, c: RequestCase): Promise<string[]> {
  const base = shop.urls[service];
  const writes = !['GET', 'HEAD'].includes(c.request.method);
  const chaosBefore = generator.chaos ? (await call(base, 'GET', '/chaos/status')).text : undefined;
  const before = writes ? await shop.storeDigest() : undefined;
  const answer = await sendRaw(base, c.request, ANSWER_DEADLINE_MS);
  const problems = answerViolations(c, answer, { namesField: service !== 'ui' });
  if (answer.kind === 'answer' && answer.status >= 400 && answer.status < 500) {
    if (writes && (await shop.storeDigest()) !== before)
      problems.push(`the stores changed although the answer was ${answer.status}`);
    if (chaosBefore !== undefined && (await call(base, 'GET', '/chaos/status')).text !== chaosBefore) {
      problems.push(`the chaos faults changed although the answer was ${answer.status}`);
    }
  }
  if (answer.kind === 'answer' && answer.status >= 200 && answer.status < 300 && !c.mustReject) {
    problems.push(...(await readBackViolations(c, answer.text)));
  }
  if (answer.kind === 'answer' && !c.mustReject) problems.push(...(await submitViolations(c, answer)));
  if (generator.chaos) await clearChaos(base);
  return problems;
}

test('every route every service serves has a request generator', () => {
  const missing = SERVICE_NAMES.flatMap((service) => routesWithGenerators(service).missing);
  // A new route needs a generator in route-generators.ts before it can be served untested.
  expect(missing).toEqual([]);
});

describe.each(SERVICE_NAMES)('every route of %s, under generated and hostile requests', (service) => {
  test(
    'never answers 5xx or hangs; refuses what breaks the schema with a 4xx naming the field; a 4xx changes no stored state',
    async () => {
      const failures: string[] = [];
      for (const [route, generator] of routesWithGenerators(service).covered) {
        const name = `${service} ${route.method} ${route.url}`;
        if (FUZZ.route !== '' && !name.includes(FUZZ.route)) continue;
        if (['carts', 'checkout', 'ui'].includes(service)) await refill(fixtures.productIds);
        const shape = routeShape(service, route, generator, fixtures);
        const methods = route.method === 'GET' ? fc.constantFrom('GET', 'GET', 'HEAD') : fc.constant(route.method);
        const cases = methods.chain((method) => requestCases(shape, method)).filter(generated);
        const seed = routeSeed(FUZZ.seed, name);
        const result = await fc.check(
          fc.asyncProperty(cases, async (c) => {
            const problems = await violations(service, generator, c);
            if (problems.length > 0) throw new Error(`${problems.join('; ')}\n    case: ${describeCase(c)}`);
          }),
          { numRuns: FUZZ.runs, seed, ...(FUZZ.path ? { path: FUZZ.path } : {}), endOnFailure: !FUZZ.fuzzing },
        );
        if (result.failed) {
          const error =
            result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
          failures.push(
            `${name} (replay: FUZZ_SEED=${FUZZ.seed} FUZZ_ROUTE='${name}' FUZZ_PATH=${result.counterexamplePath}; fast-check seed ${seed}, ${result.numRuns} runs, ${result.numShrinks} shrinks)\n    ${error}`,
          );
        }
      }
      expect(failures).toEqual([]);
    },
    FUZZ.fuzzing ? 3_600_000 : 120_000,
  );
});
