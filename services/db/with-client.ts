import { Client, type ClientConfig } from 'pg';

/** pg's rejection of a query on a client whose connection has failed (pg 8.x wording). */
const NOT_QUERYABLE = /^Client has encountered a connection error and is not queryable$/;

/**
 * Runs `work` on a new `pg` Client connected with `config` (a connection string or the client's settings) and ends
 * the client afterwards, also when `work` fails. For short-lived connections: one per call, never shared.
 *
 * The client listens to 'error' from the start. When its connection fails while no query is running (the server
 * stopped, or ended the session, between two queries: FATAL 57P01 "terminating connection due to administrator
 * command", or the socket closing), pg has no query to reject and emits the failure as an 'error' event; an 'error'
 * event nothing listens to is thrown as an uncaught exception, which ends the process. The listener hides nothing:
 * the client runs no query after that, so `work`'s next query rejects, and withClient then rejects with the
 * connection's own error (with its SQLSTATE `code`) rather than pg's "Client has encountered a connection error and
 * is not queryable". Any other error of `work` is rejected as it is. A failing `end()` (the connection is already
 * gone) never replaces `work`'s error; after a `work` that succeeded, it is rejected.
 */
export async function withClient<T>(config: string | ClientConfig, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client(typeof config === 'string' ? { connectionString: config } : config);
  let connectionError: Error | undefined;
  client.on('error', (error) => {
    connectionError ??= error;
  });
  // No end() after a failed connect: pg has closed the connection already.
  await client.connect();
  let result: T;
  try {
    result = await work(client);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectionError !== undefined && error instanceof Error && NOT_QUERYABLE.test(error.message)
      ? connectionError
      : error;
  }
  await client.end();
  return result;
}
