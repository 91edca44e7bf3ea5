import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDbServer } from '../../../drill/stand-ins/dynamodb-server';
import { buildCartsApp } from '../../../services/carts/app';
import { loadCartsConfig } from '../../../services/carts/config';
import type { ServiceApp } from '../../../services/platform/service-app';
import { call, listen, TEST_ENV } from '../support/http';
import { startDynamo } from '../support/stores';

// The SDK retries an attempt that timed out. When that attempt did reach the table, the retry must not add again:
// a proxy in front of dynalite forwards the first UpdateItem and holds dynalite's answer past the attempt's
// deadline, so the add is applied while the SDK sees a timeout and tries again.

const PACK = '01a21b3d-b6ba-707b-9b8d-f04f1e70f8ed';
const REQUEST_TIMEOUT_MS = 300;

let dynamo: DynamoDbServer;
let proxy: Server;
let catalog: Server;
let carts: ServiceApp;
let base: string;
let delayNextUpdate = false;
let updates = 0;

const listenOn = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  dynamo = await startDynamo();
  proxy = createServer((incoming, outgoing) => {
    const target = incoming.headers['x-amz-target'];
    const isUpdate = target === 'DynamoDB_20120810.UpdateItem';
    if (isUpdate) updates++;
    const hold = isUpdate && delayNextUpdate;
    if (hold) delayNextUpdate = false;
    const forward = httpRequest(
      { host: '127.0.0.1', port: dynamo.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const send = () => {
            if (outgoing.destroyed) return; // the SDK gave up on this attempt
            outgoing.writeHead(answer.statusCode ?? 500, answer.headers).end(Buffer.concat(chunks));
          };
          if (hold) setTimeout(send, REQUEST_TIMEOUT_MS * 3);
          else send();
        });
      },
    );
    incoming.pipe(forward);
  });
  catalog = createServer((incoming, outgoing) => {
    outgoing.writeHead(200, { 'content-type': 'application/json' });
    outgoing.end(
      JSON.stringify({ id: PACK, name: 'Trail Runner Backpack', price: 89, imageUrl: '/assets/products/pack.svg' }),
    );
    incoming.resume();
  });
  const [proxyUrl, catalogUrl] = await Promise.all([listenOn(proxy), listenOn(catalog)]);
  carts = await buildCartsApp(
    loadCartsConfig({
      ...TEST_ENV,
      DYNAMODB_ENDPOINT: proxyUrl,
      DYNAMODB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      DYNAMODB_MAX_ATTEMPTS: '3',
      CATALOG_URL: catalogUrl,
    }),
  );
  base = await listen(carts);
});

afterAll(async () => {
  await carts?.close();
  for (const server of [proxy, catalog]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  await dynamo?.stop();
});

// With a client key the answer is 200: the key was found applied, and the service cannot tell its own first attempt
// from an earlier request of the client's.
test.each([
  ['without a key', {}, 201],
  ['with an Idempotency-Key', { 'idempotency-key': 'sdk-retry-1' }, 200],
])(
  'GIVEN the first attempt of an add lands but answers too late WHEN the SDK retries (%s) THEN the line is added once (201, or 200 for a key found applied)',
  async (_what, headers, status) => {
    const customer = `sdk-retry-${Object.keys(headers).length}`;
    updates = 0;
    delayNextUpdate = true;
    const added = await call(base, 'POST', `/carts/${customer}/items`, {
      json: { itemId: PACK, quantity: 1 },
      headers,
    });
    expect(updates).toBe(2); // the late attempt, and the SDK's retry
    expect({ status: added.status, quantity: added.json().quantity }).toEqual({ status, quantity: 1 });
    expect((await call(base, 'GET', `/carts/${customer}`)).json().items[0].quantity).toBe(1);
  },
);
