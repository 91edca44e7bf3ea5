import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeededRandom } from '../../drill/traffic/seeded-random';
import { newShopper, runShopperJourney } from '../../drill/traffic/shopper-journey';

const PRODUCT = '01a21b3d-b6bb-731f-ae19-5e7ab5abf765';
const ORDER = '01a21b93-8c59-73ce-8fb4-790d2333b65f';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly cookie: string | undefined;
  readonly requestId: string | undefined;
  readonly body: string;
}

/** A stand-in for the ui's pages, answering "Place order" with the given statuses in turn (then 303). */
function fakeUi(submitStatuses: number[], catalogStatus = 200, setCookie?: string) {
  const seen: Seen[] = [];
  const read = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => resolve(body));
    });
  const server: Server = createServer(async (request, response) => {
    const body = await read(request);
    seen.push({
      method: request.method!,
      url: request.url!,
      cookie: request.headers.cookie,
      requestId: request.headers['x-request-id'] as string | undefined,
      body,
    });
    const route = `${request.method} ${request.url}`;
    const send = (status: number, html = '', headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'x-served-by-region': 'us-east-1', ...headers });
      response.end(html);
    };
    if (route === 'GET /') return send(200, '<h1>home</h1>', setCookie ? { 'set-cookie': setCookie } : {});
    if (route === 'GET /catalog') return send(catalogStatus, `<a href="/catalog/${PRODUCT}">Binoculars</a>`);
    if (route === `GET /catalog/${PRODUCT}`) return send(200, '<form action="/cart"></form>');
    if (route === 'POST /cart') return send(303, '', { location: '/cart' });
    if (route === 'POST /checkout') return send(303, '', { location: '/checkout/review' });
    if (route === 'GET /checkout/review') return send(200, '<input type="hidden" name="version" value="3">');
    if (route === 'POST /checkout/submit') {
      const status = submitStatuses.shift() ?? 303;
      return send(status, '', status === 303 ? { location: `/orders/${ORDER}?placed=1` } : {});
    }
    return send(404);
  });
  return { server, seen };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('runShopperJourney', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const journey = async (submitStatuses: number[], catalogStatus?: number) => {
    const ui = fakeUi(submitStatuses, catalogStatus);
    servers.push(ui.server);
    const shopper = newShopper(new SeededRandom(1));
    const outcome = await runShopperJourney(await listen(ui.server), shopper, { timeoutMs: 5000 });
    return { outcome, seen: ui.seen, shopper };
  };

  test('posts the forms a browser posts, with the shopper cookie, and acknowledges the order of the final redirect', async () => {
    const { outcome, seen, shopper } = await journey([]);
    expect(outcome.order).toEqual({
      orderId: ORDER,
      customerId: shopper.customerId,
      ackAt: expect.any(Number),
      region: 'us-east-1',
      requestId: `${shopper.customerId}-7`,
    });
    // Issue 16: the acknowledgment's request id is the x-request-id the "Place order" was sent with (the shop takes
    // it as its own), one per request, as the ledger of acknowledged writes records it.
    expect(seen.map((s) => s.requestId)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `${shopper.customerId}-${n}`));
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /',
      'GET /catalog',
      `GET /catalog/${PRODUCT}`,
      'POST /cart',
      'POST /checkout',
      'GET /checkout/review',
      'POST /checkout/submit',
    ]);
    expect(new Set(seen.map((s) => s.cookie))).toEqual(new Set([`customer_id=${shopper.customerId}`]));
    expect(seen[3]!.body).toBe(`productId=${PRODUCT}&quantity=${shopper.quantity}`);
    expect(seen[6]!.body).toBe('version=3');
    expect(outcome.unacknowledgedSubmit).toBe(false);
  });

  // Issue 14, review m4: the ui signs its customer cookies and gives an unsigned one a new id; the shopper keeps the
  // cookie the shop sets, as a browser does, and is the customer the shop named.
  test('GIVEN the shop sets a signed customer cookie WHEN the journey runs THEN it sends that cookie from then on and reports that customer', async () => {
    const SIGNED = '3f0c8a52-1d7e-4b8f-9a61-2c4d5e6f7a80.c2lnbmF0dXJlLW9mLWZvcnR5LXRocmVlLWNoYXJhY3Rlcg';
    const ui = fakeUi([], 200, `customer_id=${SIGNED}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`);
    servers.push(ui.server);
    const shopper = newShopper(new SeededRandom(1));
    const outcome = await runShopperJourney(await listen(ui.server), shopper, { timeoutMs: 5000 });
    expect(ui.seen.map((s) => s.cookie)).toEqual([
      `customer_id=${shopper.customerId}`,
      ...Array(6).fill(`customer_id=${SIGNED}`),
    ]);
    expect(outcome.customerId).toBe('3f0c8a52-1d7e-4b8f-9a61-2c4d5e6f7a80');
    expect(outcome.order?.customerId).toBe('3f0c8a52-1d7e-4b8f-9a61-2c4d5e6f7a80');
  });

  test('"Place order" is pressed again after an error, and the order is acknowledged', async () => {
    const { outcome, seen } = await journey([503, 502]);
    expect(outcome.order?.orderId).toBe(ORDER);
    expect(outcome.requests.filter((r) => r.step === 'submit').map((r) => r.status)).toEqual([503, 502, 303]);
    expect(seen.filter((s) => s.url === '/checkout/submit')).toHaveLength(3);
  });

  test('after three errors the order is not acknowledged and the submit is reported as unacknowledged', async () => {
    const { outcome } = await journey([503, 503, 503]);
    expect(outcome).toEqual(
      expect.objectContaining({
        failedStep: 'submit',
        error: 'HTTP 503, expected 303',
        unacknowledgedSubmit: true,
      }),
    );
    expect(outcome.order).toBeUndefined();
  });

  test('a refusal (4xx) is not retried', async () => {
    const { outcome } = await journey([409]);
    expect(outcome.requests.filter((r) => r.step === 'submit').map((r) => r.status)).toEqual([409]);
    expect(outcome.failedStep).toBe('submit');
  });

  test('a failure before "Place order" ends the journey there, with no order at stake', async () => {
    const { outcome, seen } = await journey([], 503);
    expect(outcome).toEqual(
      expect.objectContaining({ failedStep: 'catalog', error: 'HTTP 503, expected 200', unacknowledgedSubmit: false }),
    );
    expect(seen.map((s) => s.url)).toEqual(['/', '/catalog']);
  });
});
