import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { envInteger, envOptionalServiceUrl, envString } from './env';
import { asStoreError } from './store-failure';

/** Where a service's DynamoDB table is, and how long a call may take. */
export interface DynamoDbConfig {
  /** The SDK's Region (where the table replica is). */
  readonly awsRegion: string;
  /** A local endpoint (dynalite); unset on AWS. */
  readonly endpoint: string | undefined;
  /** Deadline of one attempt, from asking for a socket to the last byte of the answer; the attempt then fails. */
  readonly requestTimeoutMs: number;
  /** Deadline for opening a connection (part of {@link requestTimeoutMs}). */
  readonly connectTimeoutMs: number;
  /** Attempts per call (the SDK retries timeouts, network errors, throttling and 5xx). */
  readonly maxAttempts: number;
}

/**
 * The variables of a DynamoDB-backed service besides its table names; the SDK Region is `AWS_REGION`. A call
 * takes at most about `DYNAMODB_MAX_ATTEMPTS` x `DYNAMODB_REQUEST_TIMEOUT_MS` plus the SDK's backoff between attempts.
 */
export const dynamoDbEnv = {
  DYNAMODB_ENDPOINT: envOptionalServiceUrl(),
  DYNAMODB_REQUEST_TIMEOUT_MS: envInteger({ min: 100, max: 60_000, default: 1_500 }),
  DYNAMODB_CONNECT_TIMEOUT_MS: envInteger({ min: 100, max: 60_000, default: 1_000 }),
  DYNAMODB_MAX_ATTEMPTS: envInteger({ min: 1, max: 10, default: 3 }),
} as const;

/** The {@link DynamoDbConfig} of the parsed {@link dynamoDbEnv} variables, in `awsRegion`. */
export function toDynamoDbConfig(env: z.output<z.ZodObject<typeof dynamoDbEnv>>, awsRegion: string): DynamoDbConfig {
  return {
    awsRegion,
    endpoint: env.DYNAMODB_ENDPOINT,
    requestTimeoutMs: env.DYNAMODB_REQUEST_TIMEOUT_MS,
    // The connect deadline runs inside the request deadline; a longer one would never fire.
    connectTimeoutMs: Math.min(env.DYNAMODB_CONNECT_TIMEOUT_MS, env.DYNAMODB_REQUEST_TIMEOUT_MS),
    maxAttempts: env.DYNAMODB_MAX_ATTEMPTS,
  };
}

/** A table name variable (`CARTS_TABLE`, `CHECKOUT_TABLE`). */
export function envTableName(defaultName: string) {
  return envString({
    pattern: /^[A-Za-z0-9_.-]{3,255}$/,
    accepted: 'a DynamoDB table name (3-255 letters, digits, _ . -)',
    default: defaultName,
  });
}

/** The table (or tables) a DynamoDB call names, for the 503 a client gets when it fails. */
function tablesOf(input: unknown): string {
  const i = (input ?? {}) as { TableName?: unknown; RequestItems?: unknown; TransactItems?: unknown };
  if (typeof i.TableName === 'string') return i.TableName;
  if (typeof i.RequestItems === 'object' && i.RequestItems !== null) return Object.keys(i.RequestItems).join(', ');
  return '(unknown)';
}

/**
 * A DynamoDB document client whose every call ends within about `maxAttempts` x `requestTimeoutMs`: each attempt
 * is aborted at `requestTimeoutMs` (`throwOnRequestTimeout`; without it @smithy/node-http-handler only logs a
 * warning and waits on), and the SDK retries timeouts, network errors, throttling and 5xx. A call that still
 * fails for one of those reasons (see `classifyStoreError`) rejects with a 503 naming the table; other errors
 * (a failed condition, validation) pass unchanged.
 */
export function createDocumentClient(config: DynamoDbConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.awsRegion,
    maxAttempts: config.maxAttempts,
    requestHandler: {
      // The connection timeout also covers waiting for a free socket (50 per host), which bursts of requests do.
      connectionTimeout: config.connectTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // @smithy/node-http-handler 4.x: "Init client requestHandler with throwOnRequestTimeout=true to turn this
      // into an error" (its warning when requestTimeout passes); the request is destroyed and the attempt fails.
      throwOnRequestTimeout: true,
    },
    ...(config.endpoint
      ? { endpoint: config.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  // Outermost (initialize step): sees the call's final error, after the SDK's retries.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw asStoreError(`DynamoDB table ${tablesOf(args.input)}`, error);
      }
    },
    { step: 'initialize', name: 'shopStoreErrors', priority: 'high' },
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** A readiness probe: one consistent read of a key that never exists (data plane, not DescribeTable's quota). */
export async function probeTable(client: DynamoDBDocumentClient, table: string): Promise<void> {
  await client.send(new GetCommand({ TableName: table, Key: { pk: 'health#probe', sk: 'health#probe' } }));
}
