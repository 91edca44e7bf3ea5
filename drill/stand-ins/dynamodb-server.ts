import type { Server } from 'node:http';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freePort } from './postgres-server';

// dynalite has no type declarations; this is the part of its API we use.
const dynalite: (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server = require('dynalite');

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

  /**
   * Starts the server and creates `tables` (default: the shop's tables), each ready when this resolves. With `path`
   * the data persists in that folder (a restart on it finds its tables and items); without, it lives in memory.
   */
  static async start(
    options: { port?: number; tables?: readonly string[]; path?: string } = {},
  ): Promise<DynamoDbServer> {
    const port = options.port ?? (await freePort());
    const server = dynalite({
      ...(options.path ? { path: options.path } : {}),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const instance = new DynamoDbServer(server, port);
    const client = instance.client();
    try {
      for (const table of options.tables ?? SHOP_TABLES) await createTable(client, table, options.path !== undefined);
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

/**
 * Creates table `name` and waits until it is active; when `mayExist` (a server restarted on its data folder), a table
 * already there is kept.
 */
async function createTable(client: DynamoDBClient, name: string, mayExist: boolean): Promise<void> {
  const exists =
    mayExist &&
    (await client.send(new DescribeTableCommand({ TableName: name })).then(
      () => true,
      (error: Error) => {
        if (error.name === 'ResourceNotFoundException') return false;
        throw error;
      },
    ));
  if (!exists)
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
