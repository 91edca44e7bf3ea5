// A dynalite server in a process of its own, so a fault test can freeze it (SIGSTOP), kill it and restart it on
// the same port and directory while the services under test keep running in the jest process.
// Usage: node dynalite-child.js <data directory> <port>; prints "listening <port>" once the shop's tables exist.
const { CreateTableCommand, DescribeTableCommand, DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const dynalite = require('dynalite');

const [dir, portArg] = process.argv.slice(2);
const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

async function ensureTable(client, name) {
  try {
    await client.send(new DescribeTableCommand({ TableName: name }));
    return;
  } catch (error) {
    if (error.name !== 'ResourceNotFoundException') throw error;
  }
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
}

server.listen(Number(portArg), '127.0.0.1', async () => {
  const port = server.address().port;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  for (const table of ['carts', 'checkout']) await ensureTable(client, table);
  client.destroy();
  process.stdout.write(`listening ${port}\n`);
});
