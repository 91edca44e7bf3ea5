// A dynalite server in a process of its own, so a fault test can freeze it (SIGSTOP), kill it and restart it on
// the same port and directory while the services under test keep running in the jest process. The drill's
// DynamoDbServer, persisting to the directory; prints "listening <port>" once the shop's tables exist.
// Usage: node --import tsx dynalite-child.ts <data directory> <port>
import { DynamoDbServer } from '../../../../drill/stand-ins/dynamodb-server';

const [dir, port] = process.argv.slice(2);
DynamoDbServer.start({ path: dir!, port: Number(port) }).then(
  (server) => process.stdout.write(`listening ${server.port}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
