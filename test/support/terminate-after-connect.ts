import { Client } from 'pg';

/** What {@link terminateEachConnectionAfterConnect} returns. */
export interface ConnectionTerminator {
  /** How many connections it has ended so far. */
  readonly terminated: number;
  /** Puts `Client.prototype.connect` back. */
  restore(): void;
}

/**
 * Makes the server end every `pg` Client connection made from now on the moment it is made, while the client runs
 * no query: once `connect()` has succeeded, the connection's backend is ended with `pg_terminate_backend` from
 * another connection to the same server (the backend sends FATAL 57P01 "terminating connection due to administrator
 * command", as every backend gets when its server is stopped), and `connect()` resolves only once the client has
 * read that and its socket has closed. The code under test then runs on a client the server has already dropped.
 *
 * This is the deterministic form of "the server was stopped while a client was connected and idle", which otherwise
 * happens only when a stop falls between two queries: `pg` emits such an error as an 'error' event on the client
 * (there is no query to reject), and an 'error' event that nothing listens to is thrown as an uncaught exception
 * (jest fails the running test with "Unhandled error. (error: terminating connection ...)").
 */
export function terminateEachConnectionAfterConnect(): ConnectionTerminator {
  const connect = Client.prototype.connect as (this: Client) => Promise<Client>;
  let terminated = 0;
  const connectAndTerminate = async (client: Client): Promise<Client> => {
    await connect.call(client);
    // The backend's FATAL arrives before the server closes the socket. Heard first on the socket's own 'end' (or
    // 'close', when an 'error' listener destroys it first): pg's listeners emit the client's 'error' from there,
    // which is thrown when nothing listens to it, and then the listeners after it (the client's 'end') never run.
    const socket = (client as unknown as { connection: { stream: NodeJS.EventEmitter } }).connection.stream;
    const ended = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the terminated connection did not close within 10 s')), 10_000);
      const closed = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.prependOnceListener('end', closed);
      socket.prependOnceListener('close', closed);
    });
    // Awaited below; this only keeps a failed termination from leaving an unhandled rejection behind.
    ended.catch(() => undefined);
    const admin = new Client({
      host: client.host,
      port: client.port,
      user: client.user,
      password: typeof client.password === 'string' ? client.password : undefined,
      database: 'postgres',
    });
    admin.on('error', () => undefined);
    await connect.call(admin);
    try {
      // With a timeout, pg_terminate_backend waits until the backend has exited (PostgreSQL 14 and later).
      const pid = (client as unknown as { processID: number }).processID;
      const { rows } = await admin.query<{ done: boolean }>('SELECT pg_terminate_backend($1, 10000) AS done', [pid]);
      if (rows[0]?.done !== true) throw new Error(`backend ${pid} was not terminated`);
    } finally {
      await admin.end();
    }
    await ended;
    terminated++;
    return client;
  };
  const spy = jest.spyOn(Client.prototype, 'connect').mockImplementation(function (
    this: Client,
    callback?: (error: Error | null, client?: Client) => void,
  ) {
    // pg-pool connects its clients with a callback; everything else awaits the promise.
    const connecting = connectAndTerminate(this);
    if (!callback) return connecting;
    connecting.then(
      (client) => callback(null, client),
      (error: Error) => callback(error),
    );
    return undefined;
  } as Client['connect']);
  return {
    get terminated() {
      return terminated;
    },
    restore: () => spy.mockRestore(),
  };
}
