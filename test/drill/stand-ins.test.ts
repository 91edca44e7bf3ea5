import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbServer } from '../../drill/stand-ins/dynamodb-server';
import { ReplicatedPostgres } from '../../drill/stand-ins/replicated-postgres';
import { TableReplicator } from '../../drill/stand-ins/table-replicator';
import { withClient } from '../../services/db/with-client';

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(url, async (client) => (await client.query(sql, params)).rows as T[]);
}

describe('ReplicatedPostgres', () => {
  let dir: string;
  let pair: ReplicatedPostgres;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'replicated-'));
    pair = await ReplicatedPostgres.start({
      baseDir: dir,
      databases: ['shop'],
      prepare: async (url) => void (await query(url, 'CREATE TABLE writes (n int PRIMARY KEY)')),
    });
  });

  afterAll(async () => {
    await pair?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('streams writes to the hot standby until the stream is cut; then writes stay on the primary', async () => {
    // GIVEN a write that replicated
    await query(pair.primary.url('shop'), 'INSERT INTO writes VALUES (1)');
    await pair.waitForCatchUp();
    expect(await query(pair.standby.url('shop'), 'SELECT n FROM writes')).toEqual([{ n: 1 }]);

    // WHEN the stream is cut and more writes land on the primary
    await pair.cutReplication();
    await query(pair.primary.url('shop'), 'INSERT INTO writes VALUES (2), (3)');
    await new Promise((r) => setTimeout(r, 200));

    // THEN the standby never sees them and the lag says so
    expect(await query(pair.standby.url('shop'), 'SELECT n FROM writes ORDER BY n')).toEqual([{ n: 1 }]);
    expect(await pair.lagBytes()).toBeGreaterThan(0);
  });

  test('a promoted standby accepts writes, and the crashed primary comes back as a snapshot holding the stranded writes', async () => {
    await pair.primary.crash();
    expect(await pair.standbyInRecovery()).toBe(true);

    await pair.promoteStandby();
    await pair.promoteStandby(); // idempotent

    expect(await pair.standbyInRecovery()).toBe(false);
    await query(pair.standby.url('shop'), 'INSERT INTO writes VALUES (4)');
    const snapshot = await pair.restoreOldPrimarySnapshot();
    try {
      expect(await query(snapshot.url('shop'), 'SELECT n FROM writes ORDER BY n')).toEqual([
        { n: 1 },
        { n: 2 },
        { n: 3 },
      ]);
      expect(await query(pair.standby.url('shop'), 'SELECT n FROM writes ORDER BY n')).toEqual([{ n: 1 }, { n: 4 }]);
    } finally {
      await snapshot.stop();
    }
  });
});

describe('TableReplicator', () => {
  let east: DynamoDbServer;
  let west: DynamoDbServer;

  beforeAll(async () => {
    [east, west] = await Promise.all([DynamoDbServer.start(), DynamoDbServer.start()]);
  });
  afterAll(async () => {
    await Promise.all([east?.stop(), west?.stop()]);
  });

  const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'item' } });
  const put = (server: DynamoDbServer, pk: string, updatedAt: number, value: string) =>
    server.client().send(
      new PutItemCommand({
        TableName: 'carts',
        Item: { ...key(pk), updatedAt: { N: String(updatedAt) }, value: { S: value } },
      }),
    );
  const get = async (server: DynamoDbServer, pk: string) =>
    (await server.client().send(new GetItemCommand({ TableName: 'carts', Key: key(pk) }))).Item?.value?.S;

  test('mirrors puts and deletes from the active side, keeping a newer target item (last writer wins)', async () => {
    const replicator = new TableReplicator(east.client(), west.client(), { tables: ['carts'] });
    await put(east, 'a', 1, 'east-a');
    await put(east, 'b', 1, 'east-b');
    await put(west, 'b', 2, 'west-b-newer');
    await put(west, 'c', 1, 'west-only');

    expect(await replicator.copyOnce()).toBe(2); // put a, delete c
    expect(await get(west, 'a')).toBe('east-a');
    expect(await get(west, 'b')).toBe('west-b-newer');
    expect(await get(west, 'c')).toBeUndefined();

    await east.client().send(new DeleteItemCommand({ TableName: 'carts', Key: key('a') }));
    expect(await replicator.copyOnce()).toBe(1);
    expect(await get(west, 'a')).toBeUndefined();
  });

  test('after stop, later writes stay behind in the failed Region; reverse() makes the survivor the source', async () => {
    const replicator = new TableReplicator(east.client(), west.client(), { tables: ['carts'], intervalMs: 10 });
    replicator.start();
    await put(east, 'd', 5, 'copied');
    while ((await get(west, 'd')) === undefined) await new Promise((r) => setTimeout(r, 10));
    await replicator.stop();

    await put(east, 'e', 6, 'stranded');
    await new Promise((r) => setTimeout(r, 50));
    expect(await get(west, 'e')).toBeUndefined();

    replicator.reverse();
    await put(west, 'f', 7, 'from-west');
    await replicator.copyOnce();
    expect(await get(east, 'f')).toBe('from-west');
  });
});
