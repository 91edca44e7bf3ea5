import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { envOptionalServiceUrl, envString } from './env';

/** Where a service's DynamoDB table is. */
export interface DynamoDbConfig {
  /** The SDK's Region (where the table replica is). */
  readonly awsRegion: string;
  /** A local endpoint (dynalite); unset on AWS. */
  readonly endpoint: string | undefined;
}

/** The variables of a DynamoDB-backed service besides its table names; the SDK Region is `AWS_REGION`. */
export const dynamoDbEnv = {
  DYNAMODB_ENDPOINT: envOptionalServiceUrl(),
} as const;

/** A table name variable (`CARTS_TABLE`, `CHECKOUT_TABLE`). */
export function envTableName(defaultName: string) {
  return envString({
    pattern: /^[A-Za-z0-9_.-]{3,255}$/,
    accepted: 'a DynamoDB table name (3-255 letters, digits, _ . -)',
    default: defaultName,
  });
}

/** A DynamoDB document client; requests time out after 5 s and are retried by the SDK (3 attempts in all). */
export function createDocumentClient(config: DynamoDbConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.awsRegion,
    maxAttempts: 3,
    // The connection timeout also covers waiting for a free socket (50 per host), which bursts of requests do.
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 },
    ...(config.endpoint
      ? { endpoint: config.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** A readiness probe: one consistent read of a key that never exists (data plane, not DescribeTable's quota). */
export async function probeTable(client: DynamoDBDocumentClient, table: string): Promise<void> {
  await client.send(new GetCommand({ TableName: table, Key: { pk: 'health#probe', sk: 'health#probe' } }));
}
