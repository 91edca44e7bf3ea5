import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DatabaseError } from 'pg';
import { loadCartsConfig } from '../../../services/carts/config';
import { loadOrdersConfig } from '../../../services/orders/config';
import { createDocumentClient } from '../../../services/platform/dynamodb';
import { HttpError } from '../../../services/platform/http-error';
import { classifyStoreError } from '../../../services/platform/store-failure';

const pgError = (code: string) =>
  Object.assign(new DatabaseError('from the server', 0, 'error'), { code, severity: 'FATAL' });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
const metadata = { $metadata: { httpStatusCode: 400 } };

describe('classifyStoreError: the one place that knows the drivers’ errors', () => {
  test.each([
    ['connection refused', socketError('ECONNREFUSED'), 'unreachable'],
    ['connection reset', socketError('ECONNRESET'), 'unreachable'],
    ['host unknown', socketError('ENOTFOUND'), 'unreachable'],
    ['socket timeout', socketError('ETIMEDOUT'), 'timeout'],
    ['pg query_timeout', new Error('Query read timeout'), 'timeout'],
    ['pg-pool waiting for a client', new Error('timeout exceeded when trying to connect'), 'timeout'],
    ['pg connect timeout', new Error('Connection terminated due to connection timeout'), 'timeout'],
    ['pg connection lost', new Error('Connection terminated unexpectedly'), 'unreachable'],
    ['SQLSTATE 08006 connection_failure', pgError('08006'), 'unreachable'],
    ['SQLSTATE 57P01 admin_shutdown', pgError('57P01'), 'unavailable'],
    ['SQLSTATE 57P02 crash_shutdown', pgError('57P02'), 'unavailable'],
    ['SQLSTATE 57P03 cannot_connect_now', pgError('57P03'), 'unavailable'],
    ['SQLSTATE 53300 too_many_connections', pgError('53300'), 'overloaded'],
    ['SQLSTATE 57014 statement_timeout', pgError('57014'), 'timeout'],
    ['the SDK’s request timeout', Object.assign(new Error('exceeded'), { name: 'TimeoutError' }), 'timeout'],
    [
      'DynamoDB throttling',
      new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata }),
      'overloaded',
    ],
    ['DynamoDB 500', new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }), 'unavailable'],
    [
      'a socket error the SDK wrapped (thrown from another realm)',
      new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:8000'),
      'unreachable',
    ],
  ])('GIVEN %s THEN it is the store failure of its row', (_what, error, expected) => {
    expect(classifyStoreError(error)).toBe(expected);
  });

  test.each([
    ['a unique violation (23505)', pgError('23505')],
    ['NUL in text (22021)', pgError('22021')],
    ['a failed condition', new ConditionalCheckFailedException({ message: 'no', ...metadata })],
    ['a missing table', new ResourceNotFoundException({ message: 'no table', ...metadata })],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('GIVEN %s THEN it is not a store failure (stays a 500 or its own answer)', (_what, error) => {
    expect(classifyStoreError(error)).toBeUndefined();
  });
});

describe('the DynamoDB client names the table in a 503 after its retries', () => {
  let server: Server;
  let endpoint: string;
  let answer: { status: number; type: string };
  let requests = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests++;
      request.resume();
      request.on('end', () => {
        response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${answer.type}`, message: 'stub' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = async () => {
    const client = createDocumentClient({
      awsRegion: 'local',
      endpoint,
      requestTimeoutMs: 1_000,
      connectTimeoutMs: 500,
      maxAttempts: 2,
    });
    try {
      return await client.send(new GetCommand({ TableName: 'carts', Key: { pk: 'a', sk: 'b' } })).catch((e) => e);
    } finally {
      client.destroy();
    }
  };

  test.each([
    [400, 'ProvisionedThroughputExceededException', 'DynamoDB table carts is overloaded; retry later'],
    [500, 'InternalServerError', 'DynamoDB table carts is unavailable; retry later'],
  ])('GIVEN every attempt answers %i %s THEN the call fails with a 503 saying so', async (status, type, message) => {
    answer = { status, type };
    requests = 0;
    const error = await get();
    expect(error).toBeInstanceOf(HttpError);
    expect({ status: error.statusCode, message: error.message, retryAfter: error.retryAfterSeconds }).toEqual({
      status: 503,
      message,
      retryAfter: 2,
    });
    expect(requests).toBe(2); // the SDK retried once (maxAttempts 2) before giving up
  });

  test('GIVEN a failed condition THEN the SDK’s own error passes unchanged (the repository turns it into a 409)', async () => {
    answer = { status: 400, type: 'ConditionalCheckFailedException' };
    expect(await get()).toBeInstanceOf(ConditionalCheckFailedException);
  });
});

describe('the store budgets are configuration, validated at boot', () => {
  const orders = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/orders' };

  test('GIVEN no timeout variables THEN the defaults; the client-side query timeout is statement_timeout + 1 s', () => {
    expect(loadOrdersConfig(orders).database).toMatchObject({
      statementTimeoutMs: 5_000,
      queryTimeoutMs: 6_000,
      connectTimeoutMs: 3_000,
    });
    expect(loadOrdersConfig({ ...orders, DB_STATEMENT_TIMEOUT_MS: '2000' }).database.queryTimeoutMs).toBe(3_000);
    expect(loadCartsConfig({ CATALOG_URL: 'http://catalog' }).dynamodb).toMatchObject({
      requestTimeoutMs: 1_500,
      connectTimeoutMs: 1_000,
      maxAttempts: 3,
    });
  });

  test('GIVEN a query timeout below statement_timeout THEN boot stops naming both variables', () => {
    expect(() => loadOrdersConfig({ ...orders, DB_STATEMENT_TIMEOUT_MS: '2000', DB_QUERY_TIMEOUT_MS: '1000' })).toThrow(
      'invalid configuration: DB_QUERY_TIMEOUT_MS="1000": accepted: 0 or unset (DB_STATEMENT_TIMEOUT_MS + 1000) or at least DB_STATEMENT_TIMEOUT_MS (2000), so the server cancels a slow statement before the client gives up on it',
    );
  });

  test('GIVEN DynamoDB timeouts out of range THEN boot stops naming each variable', () => {
    expect(() =>
      loadCartsConfig({ CATALOG_URL: 'http://catalog', DYNAMODB_REQUEST_TIMEOUT_MS: '50', DYNAMODB_MAX_ATTEMPTS: '0' }),
    ).toThrow(
      'invalid configuration: DYNAMODB_REQUEST_TIMEOUT_MS="50": accepted: an integer from 100 to 60000; DYNAMODB_MAX_ATTEMPTS="0": accepted: an integer from 1 to 10',
    );
  });
});
