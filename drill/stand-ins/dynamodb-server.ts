import type { Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from './postgres-server';

// dynalite has no type declarations; this is the part of its API we use.
const dynalite: (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server =
  require('dynalite');

/** The DynamoDB tables of the shop, with the key schema the CDK stacks give them (`pk`, `sk`, both strings). */
export const SHOP_TABLES = ['carts', 'checkout'] as const;

/**
 * A local DynamoDB API (dynalite: in-memory, real HTTP, real `UpdateItem ADD` and condition expressions; no
 * streams, transactions or replicas) standing in for one Region's copy of the global tables.
 */
export class DynamoDbServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Starts the server and creates `tables` (default: the shop's tables), each ready when this resolves. */
  static async start(options: { port?: number; tables?: readonly string[] } = {}): Promise<DynamoDbServer> {
    const port = options.port ?? (await freePort());
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const instance = new DynamoDbServer(server, port);
    const client = instance.client();
    try {
      for (const table of options.tables ?? SHOP_TABLES) await createTable(client, table);
    } finally {
      client.destroy();
    }
    return instance;
  }

  /** The endpoint URL to give an AWS SDK client. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A DynamoDB client for this server (dummy credentials; dynalite does not check them). */
  client(region = 'local'): DynamoDBClient {
    return new DynamoDBClient({
      endpoint: this.endpoint,
      region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** Stops accepting requests and closes open connections. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections?.();
    });
  }
}

async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
