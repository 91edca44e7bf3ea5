import net from 'node:net';
import { Type } from '@sinclair/typebox';
import { z } from 'zod';
import { loadCartsConfig } from '../../services/carts/config';
import { loadCatalogConfig } from '../../services/catalog/config';
import { loadCheckoutConfig } from '../../services/checkout/config';
import { ConfigError, parseEnv } from '../../services/platform/env';
import { HttpError } from '../../services/platform/http-error';
import { createServiceApp, type ServiceApp } from '../../services/platform/service-app';
import { type ServiceBaseConfig, serviceBaseEnv, toServiceBaseConfig } from '../../services/platform/service-config';
import { TtlCache } from '../../services/platform/ttl-cache';
import { loadUiConfig } from '../../services/ui/config';
import { call, listen } from './support/http';

const baseConfig = (env: Record<string, string> = {}): ServiceBaseConfig =>
  toServiceBaseConfig(parseEnv(z.object(serviceBaseEnv), { LOG_LEVEL: 'silent', REGION: 'test-1', ...env }));

describe('configuration from the environment', () => {
  test('defaults: port 8080, Region from AWS_REGION when REGION is unset, chaos on, info logs', () => {
    const config = toServiceBaseConfig(parseEnv(z.object(serviceBaseEnv), { AWS_REGION: 'eu-west-1' }));
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      region: 'eu-west-1',
      logLevel: 'info',
      requestLogging: false,
      chaosEnabled: true,
      shutdownDelayMs: 0,
      shutdownTimeoutMs: 25_000,
      version: 'dev',
    });
  });

  test('a bad value stops boot with the variable, the value and what is accepted', () => {
    expect(() =>
      loadUiConfig({
        PORT: '80a',
        CATALOG_URL: 'x',
        CARTS_URL: 'http://c',
        ORDERS_URL: 'http://o',
        CHECKOUT_URL: 'http://k',
      }),
    ).toThrow(
      new ConfigError(
        'invalid configuration: PORT="80a": accepted: an integer from 0 to 65535; CATALOG_URL="x": accepted: an http:// or https:// base URL without query or fragment',
      ),
    );
  });

  test('a missing required variable is named as unset', () => {
    expect(() => loadCartsConfig({})).toThrow(
      'invalid configuration: CATALOG_URL=(unset): required; accepted: an http:// or https:// base URL without query or fragment',
    );
  });

  test('table names and the local DynamoDB endpoint are checked too', () => {
    expect(() =>
      loadCheckoutConfig({
        ORDERS_URL: 'http://orders:8080/',
        DYNAMODB_ENDPOINT: 'ftp://dynamo',
        CHECKOUT_TABLE: 'a b',
      }),
    ).toThrow(
      'invalid configuration: DYNAMODB_ENDPOINT="ftp://dynamo": accepted: an http:// or https:// base URL without query or fragment; CHECKOUT_TABLE="a b": accepted: a DynamoDB table name (3-255 letters, digits, _ . -)',
    );
    const config = loadCheckoutConfig({ ORDERS_URL: 'http://orders:8080/', AWS_REGION: 'us-west-2' });
    expect(config).toMatchObject({
      ordersUrl: 'http://orders:8080',
      table: 'checkout',
      region: 'us-west-2',
      dynamodb: { awsRegion: 'us-west-2', endpoint: undefined },
    });
  });

  test('secrets are never printed', () => {
    expect(() => loadCatalogConfig({ DATABASE_URL: 'mysql://user:hunter2@db/catalog' })).toThrow(
      'invalid configuration: DATABASE_URL=(hidden, secret): accepted: postgres://user:password@host:port/database',
    );
    expect(() => loadCatalogConfig({ DB_SECRET: '{"password":"hunter2"}' })).not.toThrow(/hunter2/);
  });

  test('LOG_LEVEL and booleans list their accepted values', () => {
    expect(() =>
      loadCatalogConfig({ DATABASE_URL: 'postgres://h/db', LOG_LEVEL: 'loud', CHAOS_ENABLED: 'yes' }),
    ).toThrow(
      'invalid configuration: LOG_LEVEL="loud": accepted: fatal, error, warn, info, debug, trace, silent; CHAOS_ENABLED="yes": accepted: true, false, 1 or 0',
    );
  });

  test.each([
    [
      'DATABASE_URL',
      { DATABASE_URL: 'postgres://app:p%40ss@db.example:6543/shop' },
      { host: 'db.example', port: 6543, user: 'app', password: 'p@ss', database: 'shop', ssl: 'require' },
    ],
    [
      'DB_SECRET (a Secrets Manager database secret)',
      { DB_SECRET: JSON.stringify({ username: 'app', password: 's', host: '127.0.0.1', port: 5433, dbname: 'cat' }) },
      { host: '127.0.0.1', port: 5433, user: 'app', password: 's', database: 'cat', ssl: 'disable' },
    ],
    [
      'separate variables (what ECS injects)',
      {
        DB_HOST: 'writer.cluster',
        DB_PORT: '5432',
        DB_USER: 'app',
        DB_PASSWORD: 'x',
        DB_NAME: 'catalog',
        DB_SSL: 'verify-full',
      },
      { host: 'writer.cluster', port: 5432, user: 'app', password: 'x', database: 'catalog', ssl: 'verify-full' },
    ],
  ])('the database location can come from %s', (_name, env, expected) => {
    expect(loadCatalogConfig(env).database).toMatchObject(expected);
  });

  test('the writer and reader endpoints of a Regional cluster come together, as host or host:port', () => {
    const ecs = { DB_HOST: 'reader.cluster', DB_PORT: '5432', DB_USER: 'app', DB_NAME: 'catalog' };
    expect(
      loadCatalogConfig({ ...ecs, DB_WRITER_HOST: 'writer.cluster', DB_READER_HOST: 'reader.cluster:6432' }).database,
    ).toMatchObject({
      endpoints: { writer: { host: 'writer.cluster', port: 5432 }, reader: { host: 'reader.cluster', port: 6432 } },
      endpointCheckMs: 5000,
    });
    expect(loadCatalogConfig(ecs).database.endpoints).toBeUndefined();
    expect(() => loadCatalogConfig({ ...ecs, DB_WRITER_HOST: 'writer.cluster' })).toThrow(
      "invalid configuration: DB_READER_HOST is unset while DB_WRITER_HOST is set: accepted: both (the cluster and reader endpoints of the Region's cluster) or neither",
    );
    expect(() =>
      loadCatalogConfig({ ...ecs, DB_WRITER_HOST: 'writer.cluster:99999', DB_READER_HOST: 'reader.cluster' }),
    ).toThrow(
      'invalid configuration: DB_WRITER_HOST="writer.cluster:99999": accepted: a host name, or host:port with a port from 1 to 65535',
    );
    expect(() =>
      loadCatalogConfig({ ...ecs, DB_WRITER_HOST: 'w', DB_READER_HOST: 'r', DB_ENDPOINT_CHECK_MS: '10' }),
    ).toThrow(/DB_ENDPOINT_CHECK_MS="10": accepted: /);
  });

  test('without any database variable the message says which ones are accepted', () => {
    expect(() => loadCatalogConfig({})).toThrow(
      'invalid configuration: DATABASE_URL, DB_SECRET and DB_HOST are all unset: accepted: one of them (see services/README.md)',
    );
  });
});

describe('request validation and errors', () => {
  let app: ServiceApp;
  let base: string;
  const seen: unknown[] = [];

  beforeAll(async () => {
    app = createServiceApp({ service: 'test', config: baseConfig() });
    app.post(
      '/things',
      {
        schema: {
          body: Type.Object(
            {
              name: Type.String({ minLength: 1 }),
              count: Type.Integer({ minimum: 1 }),
              kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        seen.push(request.body);
        return { ok: true };
      },
    );
    app.get('/boom', async () => {
      throw new Error('connection to 10.0.0.5:5432 refused for user admin');
    });
    app.get('/pg-data/:code', async (request) => {
      // What node-postgres throws for a value the server cannot take (DatabaseError: message, code, detail...).
      const code = (request.params as { code: string }).code;
      throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
        code,
        severity: 'ERROR',
        routine: 'report_invalid_encoding',
      });
    });
    app.get('/teapot', async () => {
      throw new HttpError(418, 'query.x: is a teapot', 'query.x');
    });
    app.get('/slow', async () => ({ slow: true }));
    base = await listen(app);
  });
  afterAll(() => app.close());

  test.each([
    [
      'a wrong type (a string for an integer)',
      { name: 'n', count: '5' },
      'body.count',
      'body.count: expected integer (received "5")',
    ],
    ['a missing field', { name: 'n' }, 'body.count', 'body.count: is required'],
    [
      'a negative number',
      { name: 'n', count: -1 },
      'body.count',
      'body.count: expected integer to be greater or equal to 1 (received -1)',
    ],
    ['an unknown field', { name: 'n', count: 1, extra: true }, 'body.extra', 'body.extra: is not an accepted property'],
    [
      'a value outside an enumeration',
      { name: 'n', count: 1, kind: 'c' },
      'body.kind',
      'body.kind: expected one of a, b (received "c")',
    ],
  ])('%s is a 400 naming the field, and the handler never runs', async (_case, payload, field, message) => {
    const before = seen.length;
    const response = await call(base, 'POST', '/things', { json: payload });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', field, message });
    expect(seen.length).toBe(before);
  });

  test.each([5_000, 20_000])(
    'GIVEN a JSON body of %i nested arrays (JSON.stringify of it overflows the stack) WHEN posted THEN it is a 400 naming body, not a 500',
    async (depth) => {
      const response = await call(base, 'POST', '/things', {
        body: '['.repeat(depth) + ']'.repeat(depth),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ field: 'body', message: 'body: expected object (received an array)' });
    },
  );

  test('malformed JSON, an oversized body and a wrong content type are 4xx naming the body', async () => {
    const malformed = await call(base, 'POST', '/things', {
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ field: 'body', message: 'body is not valid JSON' });
    const big = await call(base, 'POST', '/things', { json: { name: 'x'.repeat(70_000), count: 1 } });
    expect(big.status).toBe(413);
    expect(big.json()).toMatchObject({ field: 'body', message: 'body is larger than the accepted 65536 bytes' });
    const form = await call(base, 'POST', '/things', { body: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(form.status).toBe(415);
    expect(form.json()).toMatchObject({ field: 'headers.content-type' });
  });

  test('GIVEN a JSON body with bytes that are not UTF-8 THEN it is a 400 naming body, never stored as U+FFFD (issue 14, property finding N3)', async () => {
    const before = seen.length;
    const bytes = Buffer.concat([
      Buffer.from('{"name":"a'),
      Buffer.from([0xff, 0xfe, 0xc0]),
      Buffer.from('b","count":1}'),
    ]);
    const answer = await fetch(`${base}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      field: 'body',
      message: expect.stringMatching(/^body: the JSON body is not UTF-8/),
    });
    expect(seen.length).toBe(before);
    // Valid UTF-8 beyond ASCII is kept as sent.
    const ok = await call(base, 'POST', '/things', { json: { name: 'été 🧭', count: 1 } });
    expect(ok.status).toBe(200);
    expect(seen.at(-1)).toEqual({ name: 'été 🧭', count: 1 });
  });

  test('GIVEN a request line over the header limit THEN GET gets a 431 with its JSON body and HEAD the same answer without content (RFC 9110 §9.3.2; property finding N2)', async () => {
    const { port } = new URL(base);
    const raw = (method: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(`${method} /things/${'%C3%A9'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
        });
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString('latin1');
        });
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
    const get = await raw('GET');
    expect(get).toMatch(/^HTTP\/1\.1 431 /);
    expect(get.split('\r\n\r\n')[1]).toMatch(/^\{"error":"Request Header Fields Too Large"/);
    const head = await raw('HEAD');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.endsWith('\r\n\r\n')).toBe(true);
  });

  test('an unexpected error is a 500 that says nothing about its cause', async () => {
    const response = await call(base, 'GET', '/boom', { headers: { 'x-request-id': 'req-42' } });
    expect(response.status).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal error; the request id identifies it in the logs',
      requestId: 'req-42',
    });
    expect(response.text).not.toContain('10.0.0.5');
  });

  test.each(['22021', '22003', '22008', '22P02', '22001'])(
    'GIVEN a Postgres data error (SQLSTATE %s, class 22) that got past validation WHEN it reaches the error handler THEN it is a 400 without the driver text',
    async (code) => {
      const response = await call(base, 'GET', `/pg-data/${code}`);
      expect(response.status).toBe(400);
      expect(response.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message:
          'the request holds a value the database cannot store or compare; check its text, number and date values',
        requestId: expect.any(String),
      });
      expect(response.text).not.toContain('UTF8');
    },
  );

  test('GIVEN another Postgres error (SQLSTATE 23505, not class 22) WHEN it reaches the error handler THEN it stays a 500', async () => {
    expect((await call(base, 'GET', '/pg-data/23505')).status).toBe(500);
  });

  test('an HttpError keeps its status, message and field', async () => {
    const response = await call(base, 'GET', '/teapot');
    expect(response.status).toBe(418);
    expect(response.json()).toMatchObject({ message: 'query.x: is a teapot', field: 'query.x' });
  });

  test('an unknown route is a JSON 404', async () => {
    const response = await call(base, 'GET', '/nowhere?x=1');
    expect(response.status).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, message: 'no route for GET /nowhere' });
  });

  test('every answer says which Region served it', async () => {
    expect((await call(base, 'GET', '/slow')).headers.get('x-served-by-region')).toBe('test-1');
  });
});

describe('chaos endpoints', () => {
  let app: ServiceApp;
  let base: string;
  beforeEach(async () => {
    app = createServiceApp({ service: 'test', config: baseConfig() });
    app.get('/work', async () => ({ done: true }));
    base = await listen(app);
  });
  afterEach(() => app.close());

  test('POST /chaos/status/{code} makes every request answer that code until DELETE, health excepted', async () => {
    expect((await call(base, 'POST', '/chaos/status/503')).json()).toMatchObject({ status: 503 });
    const faulty = await call(base, 'GET', '/work');
    expect(faulty.status).toBe(503);
    expect(faulty.json()).toMatchObject({ error: 'Injected fault' });
    expect((await call(base, 'GET', '/health')).status).toBe(200);
    expect((await call(base, 'DELETE', '/chaos/status/503')).json()).toMatchObject({ status: 0 });
    expect((await call(base, 'GET', '/work')).status).toBe(200);
  });

  test('POST /chaos/latency/{ms} delays requests until DELETE', async () => {
    await call(base, 'POST', '/chaos/latency/300');
    const started = Date.now();
    expect((await call(base, 'GET', '/work')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await call(base, 'DELETE', '/chaos/latency');
    const again = Date.now();
    await call(base, 'GET', '/work');
    expect(Date.now() - again).toBeLessThan(250);
  });

  test.each([
    ['/chaos/latency/1.5', 'params.ms', 'params.ms: expected integer (received "1.5")'],
    ['/chaos/latency/1e3', 'params.ms', 'params.ms: expected integer (received "1e3")'],
    ['/chaos/latency/0x10', 'params.ms', 'params.ms: expected integer (received "0x10")'],
    ['/chaos/status/503.5', 'params.code', 'params.code: expected integer (received "503.5")'],
  ])(
    'GIVEN a fractional or non-decimal number WHEN POST %s THEN a 400 names the field and nothing changes',
    async (path, field, message) => {
      const response = await call(base, 'POST', path);
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ field, message });
      expect((await call(base, 'GET', '/chaos/status')).json()).toMatchObject({ latencyMs: 0, status: 0 });
    },
  );

  test('POST /chaos/health fails /health and /health/ready until DELETE', async () => {
    await call(base, 'POST', '/chaos/health');
    expect((await call(base, 'GET', '/health')).status).toBe(503);
    expect((await call(base, 'GET', '/health/ready')).status).toBe(503);
    await call(base, 'DELETE', '/chaos/health');
    expect((await call(base, 'GET', '/health')).status).toBe(200);
  });

  test.each([
    ['/chaos/status/99', 'params.code: expected integer to be greater or equal to 100 (received 99)'],
    ['/chaos/status/abc', 'params.code: expected integer (received "abc")'],
    ['/chaos/latency/-5', 'params.ms: expected integer to be greater or equal to 0 (received -5)'],
  ])('POST %s is rejected with a 400 naming the parameter', async (url, message) => {
    const response = await call(base, 'POST', url);
    expect(response.status).toBe(400);
    expect(response.json().message).toBe(message);
  });

  test('CHAOS_ENABLED=false removes the endpoints', async () => {
    const off = createServiceApp({ service: 'test', config: baseConfig({ CHAOS_ENABLED: 'false' }) });
    expect((await call(await listen(off), 'POST', '/chaos/status/500')).status).toBe(404);
    await off.close();
  });
});

describe('TtlCache', () => {
  test('concurrent misses share one load, and the answer is reused until it expires', async () => {
    const cache = new TtlCache<number>(60_000);
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)])).toEqual([1, 1, 1]);
    expect(await cache.get('k', load)).toBe(1);
    expect(loads).toBe(1);
  });

  test('a failed load is not kept', async () => {
    const cache = new TtlCache<number>(60_000);
    await expect(cache.get('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', async () => 7)).toBe(7);
  });

  test('a TTL of 0 loads every time', async () => {
    const cache = new TtlCache<number>(0);
    let loads = 0;
    await cache.get('k', async () => ++loads);
    await cache.get('k', async () => ++loads);
    expect(loads).toBe(2);
  });
});
