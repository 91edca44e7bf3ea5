import { Client } from 'pg';
import { z } from 'zod';
import { removeSyntheticOrders, type SyntheticOrderRemoval } from '../../services/orders/synthetic-order-retention';
import { AwsGlobalDatabase } from '../adapters/aws/rds-global-database';
import { AwsCredentials } from '../adapters/aws/secrets-credentials';
import { ORDER_IDS_PER_INVOCATION } from '../adapters/aws/synthetic-orders-limits';
import { connectionUrl } from '../adapters/reconcile-module';
import { messageOf } from '../core/errors';
import type { CredentialsPort, DatabaseEndpoint, GlobalDatabasePort } from '../ports';
import { readRunbookEnvironment } from './runbook-environment';

/** Format tag of what {@link createSyntheticOrdersHandler}'s handler returns. */
export const SYNTHETIC_ORDERS_REMOVAL_FORMAT = 'multi-region-shop/synthetic-orders-removal@1';

/** At most this many order ids per invocation (the game-day adapter sends batches of this size). */
export const MAX_ORDER_IDS_PER_INVOCATION = ORDER_IDS_PER_INVOCATION;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const eventSchema = z
  .object({
    orderIds: z.array(z.string().regex(UUID, 'not a uuid')).min(1).max(MAX_ORDER_IDS_PER_INVOCATION),
  })
  .strict();

/** The event: the ids of the orders a game day's shoppers were told were placed. */
export type SyntheticOrdersEvent = z.input<typeof eventSchema>;

/** What the function answers (it never throws: a refusal or failure is `error`, with the Region of the writer when known). */
export type SyntheticOrdersResult =
  | {
      readonly format: typeof SYNTHETIC_ORDERS_REMOVAL_FORMAT;
      /** The Region whose writer the orders were deleted from (the function's). */
      readonly region: string;
      /** Orders deleted by this invocation, with their rows. */
      readonly removed: number;
      /** Listed ids of orders that are not synthetic: kept. */
      readonly notSynthetic: readonly string[];
    }
  | {
      readonly format: typeof SYNTHETIC_ORDERS_REMOVAL_FORMAT;
      readonly region?: string;
      readonly error: string;
      /** Where the orders database's writer is, when it is not in this Region: invoke the function there. */
      readonly writerRegion?: string;
    };

/** One connection to the writer, enough for {@link removeSyntheticOrders}. */
export type WriterSession = Pick<Client, 'query' | 'end'>;

/** What {@link createSyntheticOrdersHandler} needs. */
export interface SyntheticOrdersHandlerDependencies {
  /** `RUNBOOK_TOPOLOGY` (JSON), `RUNBOOK_BUCKET`, `AWS_REGION`. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** @default - the RDS adapter */
  readonly globalDatabase?: Pick<GlobalDatabasePort, 'describe' | 'writerEndpoint'>;
  /** @default - the Secrets Manager adapter */
  readonly credentials?: CredentialsPort;
  /** Opens a session on the writer. @default - a pg client over TLS (as reconcile connects), lock and statement timeouts pinned */
  readonly connect?: (url: string) => Promise<WriterSession>;
  /** @default - console.log (CloudWatch Logs) */
  readonly log?: (line: string) => void;
}

/** The orders database of the topology (the shop's `orders`). */
const ORDERS = 'orders';

/** Opens the default session: a pg client with the lock and statement timeouts pinned (`-c` options). */
export async function connectWriter(url: string): Promise<WriterSession> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 10_000,
    application_name: 'multi-region-shop-gameday-clean-up',
    // A row the shop holds is waited for at most this long; the whole statement is bounded below the function's
    // timeout.
    options: '-c lock_timeout=10s -c statement_timeout=120s',
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Builds the handler of the function that deletes a game day's synthetic orders (by id, only `synthetic` ones, with
 * their items, address and outbox rows: {@link removeSyntheticOrders}, the orders service's own statement) from the
 * orders database's writer, which must be in this function's Region: it reads where the writer is (the global
 * cluster's members) and refuses, naming the writer's Region, when it is elsewhere (after a failover the writer is
 * the surviving Region's; a game day that never failed over still has it in the other one). The session checks
 * `pg_is_in_recovery()` too: a reader never gets the statement. It never throws: every outcome is a
 * {@link SyntheticOrdersResult} (Invoke: "The status code in the API response doesn't reflect function errors",
 * so the caller reads the payload either way).
 */
export function createSyntheticOrdersHandler(dependencies: SyntheticOrdersHandlerDependencies) {
  const log = dependencies.log ?? ((line: string) => console.log(line));
  const globalDatabase = dependencies.globalDatabase ?? new AwsGlobalDatabase();
  const credentials = dependencies.credentials ?? new AwsCredentials();
  const connect = dependencies.connect ?? connectWriter;
  return async (event: unknown): Promise<SyntheticOrdersResult> => {
    const format = SYNTHETIC_ORDERS_REMOVAL_FORMAT;
    const parsed = eventSchema.safeParse(event);
    if (!parsed.success) {
      const error = `invalid event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}; accepted: {"orderIds": [1 to ${MAX_ORDER_IDS_PER_INVOCATION} uuids]}`;
      log(error);
      return { format, error };
    }
    let region: string | undefined;
    try {
      const environment = readRunbookEnvironment(dependencies.environment);
      region = environment.region;
      const database = environment.topology.databases.find((d) => d.name === ORDERS);
      if (!database) {
        return { format, region, error: `topology: no database named "${ORDERS}"; accepted: the shop's topology` };
      }
      const state = await globalDatabase.describe(database.globalClusterIdentifier, region);
      const writer = state.members.find((m) => m.isWriter);
      if (!writer) {
        return { format, region, error: `global cluster ${database.globalClusterIdentifier} has no writer right now` };
      }
      if (writer.region !== region) {
        return {
          format,
          region,
          writerRegion: writer.region,
          error: `the writer of ${database.globalClusterIdentifier} is in ${writer.region}, not ${region}: invoke this function in ${writer.region}`,
        };
      }
      const endpoint: DatabaseEndpoint = await globalDatabase.writerEndpoint(database.globalClusterIdentifier, region);
      const secret = await credentials.databaseCredentials(region, database.secretId);
      const session = await connect(
        connectionUrl({ ...endpoint, database: database.databaseName, ...secret }, { mode: 'no-verify' }),
      );
      let removal: SyntheticOrderRemoval;
      try {
        const recovery = await session.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
        if (recovery.rows[0]?.r !== false) {
          return {
            format,
            region,
            error: `${endpoint.host} is in recovery (a reader), not the writer of ${database.globalClusterIdentifier}; nothing deleted`,
          };
        }
        removal = await removeSyntheticOrders(session, parsed.data.orderIds);
      } finally {
        await session.end().catch(() => undefined);
      }
      log(
        `synthetic orders: ${removal.removed} of ${parsed.data.orderIds.length} removed in ${region}${removal.notSynthetic.length > 0 ? `; kept ${removal.notSynthetic.length} not synthetic: ${removal.notSynthetic.join(', ')}` : ''}`,
      );
      return { format, region, removed: removal.removed, notSynthetic: removal.notSynthetic };
    } catch (error) {
      const message = messageOf(error);
      log(`synthetic orders: not removed: ${message}`);
      return { format, ...(region ? { region } : {}), error: message };
    }
  };
}

/** The Lambda entry point (AWS adapters). */
export const removeSyntheticOrdersHandler = createSyntheticOrdersHandler({ environment: process.env });
