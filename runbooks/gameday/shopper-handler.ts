import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GAMEDAY_ID_PATTERN, GAMEDAY_MAX_HOURS, gameDayStartedAt } from './gameday-phases';
import { type RememberedOrder, runShopperInvocation, type ShopperMemory } from './synthetic-shopper';

/**
 * The environment the stacks give the shopper function (stacks/gameday/synthetic-shopper-fleet.ts,
 * SHOPPER_ENVIRONMENT): the contract between the two.
 */
export const SHOPPER_VARIABLES = {
  publicUrl: 'SHOP_PUBLIC_URL',
  regionalUrl: 'SHOP_REGIONAL_URL',
  ackBucket: 'ACK_BUCKET',
  ackBucketRegion: 'ACK_BUCKET_REGION',
  ownBucket: 'OWN_REPORT_BUCKET',
  shopperSecretId: 'SYNTHETIC_SHOPPER_SECRET_ID',
  ratePerMinute: 'SHOPPER_RATE_PER_MINUTE',
} as const;

/** What the schedule sends: the game day's id (start-traffic writes it into the schedule's input). */
export interface ShopperEvent {
  readonly gameDayId?: string;
}

/** The part of the Lambda context the handler reads. */
export interface ShopperContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis?(): number;
}

/** What the handler answers (in the function's log and to a test invoke). */
export interface ShopperHandlerResult {
  readonly gameDayId: string;
  readonly acknowledged: number;
  /** Of {@link acknowledged}: orders placed again because the shop no longer had them. */
  readonly replaced: number;
  readonly failed: number;
  readonly ledgers: readonly string[];
}

/** The validated environment of the shopper function. */
export interface ShopperSettings {
  readonly publicUrl: string;
  readonly regionalUrl: string;
  readonly ackBucket: string;
  readonly ackBucketRegion: string;
  /**
   * This Region's own report bucket (`OWN_REPORT_BUCKET`, optional): where an acknowledgment the OTHER Region gave
   * (through the public name) goes, so every acknowledgment is kept by the Region that did not give it.
   * @default - every acknowledgment goes to {@link ackBucket}
   */
  readonly ownBucket?: string;
  readonly shopperSecretId: string;
  readonly ordersPerInvocation: number;
}

/**
 * Reads and validates the shopper's environment.
 *
 * @throws Error naming the variable, its value and what is accepted.
 */
export function readShopperSettings(env: Readonly<Record<string, string | undefined>>): ShopperSettings {
  const problems: string[] = [];
  const text = (name: string, accepted: string, test: (v: string) => boolean): string => {
    const value = env[name];
    if (value === undefined || !test(value)) {
      problems.push(`environment variable ${name}: ${JSON.stringify(value ?? null)}; accepted: ${accepted}`);
      return '';
    }
    return value;
  };
  const url = (v: string) => /^https?:\/\/[^\s/]+$/.test(v.replace(/\/$/, ''));
  const settings: ShopperSettings = {
    publicUrl: text(SHOPPER_VARIABLES.publicUrl, 'an http(s) URL without a path', url).replace(/\/$/, ''),
    regionalUrl: text(SHOPPER_VARIABLES.regionalUrl, 'an http(s) URL without a path', url).replace(/\/$/, ''),
    ackBucket: text(SHOPPER_VARIABLES.ackBucket, 'an S3 bucket name', (v) =>
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v),
    ),
    ackBucketRegion: text(SHOPPER_VARIABLES.ackBucketRegion, 'a Region such as "us-west-2"', (v) =>
      /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v),
    ),
    shopperSecretId: text(SHOPPER_VARIABLES.shopperSecretId, 'a secret name or ARN', (v) => v.length > 0),
    ordersPerInvocation: Number(
      text(
        SHOPPER_VARIABLES.ratePerMinute,
        'a whole number from 1 to 60',
        (v) => /^\d+$/.test(v) && +v >= 1 && +v <= 60,
      ),
    ),
  };
  const own = env[SHOPPER_VARIABLES.ownBucket];
  if (own !== undefined && own !== '') {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(own)) {
      problems.push(
        `environment variable ${SHOPPER_VARIABLES.ownBucket}: ${JSON.stringify(own)}; accepted: an S3 bucket name, or unset`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`the synthetic shopper is misconfigured: ${problems.join('; ')}`);
  return own ? { ...settings, ownBucket: own } : settings;
}

/** The token read last, per Secrets Manager client (one client per Lambda container). */
const secretCache = new WeakMap<SecretsManagerClient, { id: string; value: string; at: number }>();
/** The token is read again after this long, so a rotated token is picked up within minutes. */
const SECRET_MAX_AGE_MS = 5 * 60_000;

async function shopperToken(client: SecretsManagerClient, secretId: string): Promise<string> {
  const cached = secretCache.get(client);
  if (cached && cached.id === secretId && Date.now() - cached.at < SECRET_MAX_AGE_MS) return cached.value;
  const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!answer.SecretString)
    throw new Error(`secret ${secretId} has no SecretString; accepted: the synthetic shopper token`);
  secretCache.set(client, { id: secretId, value: answer.SecretString, at: Date.now() });
  return answer.SecretString;
}

/** The clients the handler uses; tests pass their own (served by the AWS model). */
export interface ShopperClients {
  /** S3 of the other Region (where {@link ShopperSettings.ackBucket} is). */
  readonly s3: S3Client;
  /** S3 of this Region (where {@link ShopperSettings.ownBucket} is). @default - {@link s3} */
  readonly ownS3?: S3Client;
  readonly secrets: SecretsManagerClient;
}

let defaultClients: ShopperClients | undefined;

/**
 * The shopper's recent orders of one game day in a file of `dir` (in Lambda, /tmp: "The /tmp directory [...] remains
 * as long as the execution environment", so what is remembered lasts only while the environment is reused;
 * UNVERIFIED how long that is). A file that cannot be read is an empty memory.
 */
export function fileMemory(dir: string, gameDayId: string): ShopperMemory {
  const file = path.join(dir, `gameday-shopper-${gameDayId}.json`);
  return {
    load: async () => {
      try {
        const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
        return Array.isArray(parsed) ? (parsed as RememberedOrder[]) : [];
      } catch {
        return [];
      }
    },
    save: (orders) => writeFile(file, JSON.stringify(orders)),
  };
}

/**
 * PutObject that never replaces an object: "The If-None-Match header prevents overwrites of existing data by
 * validating that there's not an object with the same key name already in your bucket" (S3 User Guide, "How to
 * prevent object overwrites with conditional writes"). S3 refuses an upload without an integrity header into a
 * bucket with a default retention (object lock).
 */
async function putOnce(client: S3Client, bucket: string, key: string, body: string, contentType: string) {
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ChecksumAlgorithm: 'SHA256',
      IfNoneMatch: '*',
    }),
  );
}

/**
 * Runs one invocation with the given environment and clients: places the configured number of orders and writes
 * every acknowledgment to the other Region's report bucket (see runShopperInvocation). An event without a valid
 * game-day id places nothing: a schedule enabled by hand outside a game day writes no ledger.
 */
export async function shop(
  event: ShopperEvent,
  context: ShopperContext,
  env: Readonly<Record<string, string | undefined>>,
  clients: ShopperClients,
  memoryDir: string = tmpdir(),
): Promise<ShopperHandlerResult> {
  const gameDayId = event?.gameDayId ?? '';
  if (!GAMEDAY_ID_PATTERN.test(gameDayId)) {
    throw new Error(
      `event.gameDayId: ${JSON.stringify(gameDayId)}; accepted: the id of a running game day such as "gd-20261207T043000Z-a1b2" (the start-traffic phase writes it into the schedule)`,
    );
  }
  const started = gameDayStartedAt(gameDayId);
  const ageHours = started ? (Date.now() - started.getTime()) / 3_600_000 : Number.POSITIVE_INFINITY;
  if (ageHours > GAMEDAY_MAX_HOURS) {
    throw new Error(
      `event.gameDayId: ${JSON.stringify(gameDayId)} started ${ageHours.toFixed(1)} hours ago; accepted: a game day started less than ${GAMEDAY_MAX_HOURS} hours ago (a schedule left enabled places nothing)`,
    );
  }
  const settings = readShopperSettings(env);
  const token = await shopperToken(clients.secrets, settings.shopperSecretId);
  const remaining = context.getRemainingTimeInMillis?.();
  const result = await runShopperInvocation({
    publicUrl: settings.publicUrl,
    regionalUrl: settings.regionalUrl,
    gameDayId,
    invocationId: context.awsRequestId,
    token,
    orders: settings.ordersPerInvocation,
    memory: fileMemory(memoryDir, gameDayId),
    // Keep 10 s for writing the ledger.
    ...(remaining !== undefined ? { stopAt: Date.now() + remaining - 10_000 } : {}),
    putLedger: async (key, body, acknowledgingRegion) => {
      // The Region that did not acknowledge keeps the acknowledgment: the other Region's bucket, unless the other
      // Region gave it (through the public name) and this Region's bucket is known.
      const own = acknowledgingRegion === settings.ackBucketRegion && settings.ownBucket !== undefined;
      const bucket = own ? (settings.ownBucket as string) : settings.ackBucket;
      await putOnce(own ? (clients.ownS3 ?? clients.s3) : clients.s3, bucket, key, body, 'application/x-ndjson');
      return `s3://${bucket}/${key}`;
    },
    // The invocation's start and end markers go where this function surely reaches: this Region's bucket when it
    // is known (a cross-Region isolation cuts the other Region's bucket off), else the acknowledgment bucket.
    putMarker: async (key, body) => {
      const bucket = settings.ownBucket ?? settings.ackBucket;
      const client = settings.ownBucket !== undefined ? (clients.ownS3 ?? clients.s3) : clients.s3;
      await putOnce(client, bucket, key, body, 'application/json');
      return `s3://${bucket}/${key}`;
    },
  });
  for (const failed of result.failedPuts)
    console.log(
      JSON.stringify({ level: 'error', msg: 'acknowledgment not written (recorded in the end marker)', ...failed }),
    );
  for (const failure of result.failures)
    console.log(JSON.stringify({ level: 'warn', msg: 'order not acknowledged', ...failure }));
  return {
    gameDayId,
    acknowledged: result.acks.length,
    replaced: result.acks.filter((a) => a.kind === 'order_replaced').length,
    failed: result.failures.length,
    ledgers: result.ledgers,
  };
}

/**
 * The game day's synthetic shopper (a Lambda function on an EventBridge Scheduler schedule in each Region, enabled
 * only during a game day): one invocation a minute places `SHOPPER_RATE_PER_MINUTE` orders as synthetic customers
 * through the public name and this Region's load balancer, and writes their acknowledgments to the other Region's
 * report bucket.
 */
export async function handler(event: ShopperEvent, context: ShopperContext): Promise<ShopperHandlerResult> {
  const region = process.env['ACK_BUCKET_REGION'];
  defaultClients ??= {
    s3: new S3Client(region ? { region } : {}),
    // The function's own Region (AWS_REGION in Lambda).
    ownS3: new S3Client({}),
    secrets: new SecretsManagerClient({}),
  };
  return shop(event, context, process.env, defaultClients);
}
