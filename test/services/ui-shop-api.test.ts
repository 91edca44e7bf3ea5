import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from '../../services/platform/http-error';
import { serializeError } from '../../services/platform/log-serializers';
import { loadUiConfig } from '../../services/ui/config';
import { ShopApi } from '../../services/ui/shop-api';
import { TEST_ENV } from './support/http';

// Issue 14, review m4: the ui logged customer ids in the URLs of failed backend calls
// (`GET /orders?customerId=<uuid>… answered 503`). What the error handler logs of a failed call is the HttpError's
// cause, serialized by serializeError: neither its message nor its stack may name the customer.
const CUSTOMER = '8e7d5fd6-1c2b-4a3d-9e8f-0a1b2c3d4e5f';
const PRODUCT = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';

let failing: Server;
let silent: Server;

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const start = (server: Server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

beforeAll(async () => {
  failing = createServer((_request, response) => {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: `customer ${CUSTOMER} is broken` }));
  });
  silent = createServer(() => undefined);
  await Promise.all([start(failing), start(silent)]);
});

afterAll(async () => {
  silent.closeAllConnections();
  await Promise.all([failing, silent].map((s) => new Promise((resolve) => s.close(resolve))));
});

const calls: ReadonlyArray<readonly [string, (api: ShopApi) => Promise<unknown>]> = [
  ['cart', (api) => api.cart(CUSTOMER, 'r')],
  ['addToCart', (api) => api.addToCart(CUSTOMER, PRODUCT, 1, 'r')],
  ['setQuantity', (api) => api.setQuantity(CUSTOMER, PRODUCT, 2, 'r')],
  ['removeFromCart', (api) => api.removeFromCart(CUSTOMER, PRODUCT, 'r')],
  ['checkout', (api) => api.checkout(CUSTOMER, 'r')],
  ['updateCheckout', (api) => api.updateCheckout(CUSTOMER, {}, 'r')],
  ['submitCheckout', (api) => api.submitCheckout(CUSTOMER, false, 'r')],
  ['ordersOf', (api) => api.ordersOf(CUSTOMER, undefined, 'r')],
];

describe.each([
  ['answers 500 (naming the customer in its body)', () => urlOf(failing)],
  ['does not answer in time', () => urlOf(silent)],
])('GIVEN a backend that %s', (_, backend) => {
  test.each(calls)('WHEN %s fails THEN the 503 and what is logged of it do not name the customer', async (_, run) => {
    const url = backend();
    const api = new ShopApi(
      loadUiConfig({
        ...TEST_ENV,
        CATALOG_URL: url,
        CARTS_URL: url,
        ORDERS_URL: url,
        CHECKOUT_URL: url,
        UPSTREAM_TIMEOUT_MS: '200',
      }),
    );
    const error = await run(api).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(503);
    const logged = JSON.stringify(serializeError((error as HttpError).cause ?? error));
    expect(logged).toContain('{customer}');
    expect(logged).not.toContain(CUSTOMER);
    expect(JSON.stringify(serializeError(error))).not.toContain(CUSTOMER);
  });
});
