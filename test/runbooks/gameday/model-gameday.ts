import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AwsFaultInjection } from '../../../runbooks/adapters/aws/fis';
import { AwsReportBuckets } from '../../../runbooks/adapters/aws/gameday-buckets';
import { AwsRegionFacts } from '../../../runbooks/adapters/aws/gameday-region-facts';
import { AwsSyntheticOrdersRemoval } from '../../../runbooks/adapters/aws/gameday-synthetic-orders';
import { AwsShopperSchedules } from '../../../runbooks/adapters/aws/scheduler';
import type { AnyOrchestration } from '../../../runbooks/core/step';
import type { GameDayPorts, HeldOrder, RunbookExecution } from '../../../runbooks/gameday/gameday-ports';
import { ackPrefix } from '../../../runbooks/gameday/gameday-record';
import { createSyntheticOrdersHandler, type WriterSession } from '../../../runbooks/lambda/synthetic-orders-handler';
import { failover } from '../../../runbooks/orchestrations/failover';
import { readiness } from '../../../runbooks/orchestrations/readiness';
import { recover } from '../../../runbooks/orchestrations/recover';
import type { ReconcileRequest } from '../../../runbooks/ports';
import { ACK_FORMAT, type AcknowledgedWrite, formatLedger } from '../../../runbooks/scoring/acknowledged-write';
import { SHOP_DATABASES } from '../../../stacks/naming/database-names';
import { type AwsWorld, awsWorld, EAST, WEST } from '../aws-scenarios/aws-world';

/** The game day's id in these tests. */
export const GAMEDAY_ID = 'gd-20260127T100000Z-ab12';

/**
 * Seconds an order acknowledged in the writer Region takes to reach the other Region (model choice, long enough that
 * the orders of the last minute before the fault are lost).
 */
const REPLICATION_SECONDS = 90;

/** Options of {@link modelGameDay}. */
export interface ModelGameDayOptions {
  /** What the FIS experiment does. @default 'runs' */
  readonly experiment?: 'runs' | 'fails-to-start' | 'stays-pending';
  /** Seconds the experiment's actions run. @default 1800 */
  readonly faultSeconds?: number;
  /** Whether the shoppers' acknowledgments reach S3. @default true */
  readonly shoppersWork?: boolean;
  /** Orders the reconciler leaves out of its report (a report that misses a loss). @default 0 */
  readonly reportMisses?: number;
  /** Whether Aurora never takes the old primary's snapshot. @default false */
  readonly noFailoverSnapshot?: boolean;
  /**
   * Acknowledged orders the shop holds as real (not synthetic) orders: the removal function must keep them.
   * @default 0
   */
  readonly realOrders?: number;
  /** Whether the synthetic orders removal function is deployed (a runbook stack older than it has none). @default true */
  readonly removalFunction?: boolean;
}

/** The synthetic orders removal function's name in these tests (syntheticOrdersFunctionName('shop', 'dev')). */
export const REMOVAL_FUNCTION = 'shop-dev-remove-synthetic-orders';

/**
 * A game day on the AWS model: the shop of aws-world (writer and traffic in us-east-1), its game-day resources (an
 * FIS template tagged as the stack tags it, the shopper schedules, disabled), the real AWS adapters of FIS,
 * Scheduler, S3 and the Region facts served by the model, the real failover, readiness and recover orchestrations
 * run against the model as their SSM automations would run them, and a simulated shop: each minute a shopper
 * schedule is enabled, one order is placed in the Region the routing sends shoppers to (none while that Region is
 * isolated), its acknowledgment written as a ledger object to the other Region's bucket; orders reach the other
 * Region {@link REPLICATION_SECONDS} later, unless the fault cut their Region off first: those are the lost ones.
 */
export function modelGameDay(options: ModelGameDayOptions = {}) {
  const world: AwsWorld = awsWorld(
    options.noFailoverSnapshot ? { timings: { failoverSnapshotSeconds: 365 * 86_400 } } : {},
  );
  const { model, clock, shop } = world;
  const other = (region: string) => (region === EAST ? WEST : EAST);
  for (const service of ['fis', 's3', 'scheduler'] as const) model.apisDuringOutage.add(service);
  model.fis.script = options.experiment ?? 'runs';
  model.fis.onFault = (region, active) => {
    if (!active) return model.regionUp(region);
    // The surviving Region's canary against the public name fails a minute after the fault (model choice). Dated
    // before regionDown runs the timeline.
    const at = new Date(model.timeline.now() + 60_000);
    model.alarmHistory.push({
      region: other(region),
      alarmName: `shop-dev-${other(region)}-canary-global`,
      at,
      to: 'ALARM',
    });
    model.regionDown(region);
  };
  model.fis.addTemplate({
    id: 'EXT00000000000001',
    region: EAST,
    description: `Game day: isolate ${EAST} from ${WEST}`,
    tags: { gameday: 'shop-dev', 'gameday-experiment': 'region-isolation' },
    stopConditions: [`arn:aws:cloudwatch:${WEST}:111122223333:alarm:shop-dev-${WEST}-canary-local`],
    actions: ['disrupt-connectivity', 'pause-global-tables', 'cut-database-writers'],
    durationSeconds: options.faultSeconds ?? 1800,
  });
  for (const region of [EAST, WEST]) {
    model.scheduler.addSchedule(region, {
      name: 'shop-dev-synthetic-shopper',
      state: 'DISABLED',
      scheduleExpression: 'rate(1 minute)',
      flexibleTimeWindow: { Mode: 'OFF' },
      target: {
        Arn: `arn:aws:lambda:${region}:111122223333:function:shop-dev-synthetic-shopper`,
        RoleArn: `arn:aws:iam::111122223333:role/shop-dev-${region}-gameday-schedule`,
        Input: JSON.stringify({ gameDayId: '' }),
      },
    });
    for (const db of SHOP_DATABASES) {
      model.rds.addSnapshot({
        identifier: `rds:shop-dev-${db}-2026-01-27-08-00`,
        region,
        clusterIdentifier: `shop-dev-${db}`,
        status: 'available',
        type: 'automated',
        createdAt: new Date('2026-01-27T08:00:00Z'),
        engine: 'aurora-postgresql',
        engineVersion: '16.4',
      });
    }
  }

  // The simulated shop: orders by Region database, and the ledger.
  const databases: Record<string, Set<string>> = { [EAST]: new Set(), [WEST]: new Set() };
  /** Orders the shop holds as real orders (not synthetic), by id. */
  const real = new Set<string>();
  const acks: AcknowledgedWrite[] = [];
  /** What the last lookup of the score found, by order id. */
  const looked: Record<string, HeldOrder> = {};
  let orderCount = 0;
  const s3 = (region: string) => new S3Client({ region, maxAttempts: 1 });
  const shopTick = async () => {
    if (options.shoppersWork === false) return;
    for (const region of [EAST, WEST]) {
      if (!model.scheduler.fires(region, 'shop-dev-synthetic-shopper')) continue;
      const serving = Object.entries(shop.routing()).find(([, state]) => state === 'On')?.[0];
      if (!serving || !model.isReachable(serving)) continue;
      const n = ++orderCount;
      const orderId = `0b7e8f43-2f0c-4c36-9a41-${String(n).padStart(12, '0')}`;
      databases[serving]!.add(orderId);
      if (n <= (options.realOrders ?? 0)) real.add(orderId);
      const placedAt = clock.now().getTime();
      const source = serving;
      const target = other(source);
      model.timeline.after(REPLICATION_SECONDS, () => {
        // Replication needs both Regions: an order still in flight when its Region is cut off is lost there.
        if (
          model.isReachable(source) &&
          model.isReachable(target) &&
          model.rds.writerRegions()['shop-dev-orders-global'] === source
        ) {
          databases[target]!.add(orderId);
        }
      });
      const ack: AcknowledgedWrite = {
        format: ACK_FORMAT,
        kind: 'order_placed',
        order_id: orderId,
        region: serving,
        via: 'global',
        acknowledged_at: new Date(placedAt).toISOString(),
        request_id: `req-${n}`,
        shopper: `shopper-${n}`,
      };
      acks.push(ack);
      const key = `${ackPrefix(GAMEDAY_ID)}${serving}/${region}-inv-${n}.jsonl`;
      await s3(other(serving)).send(
        new PutObjectCommand({ Bucket: shop.buckets[other(serving)], Key: key, Body: formatLedger([ack]) }),
      );
    }
  };

  // The reconciler as recover runs it: lists the orders the old primary holds and the new one lacks.
  world.reconciler.reconcile = async (request: ReconcileRequest) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gameday-report-'));
    const isOrders = request.old.database === 'orders';
    const lost = isOrders ? [...databases[EAST]!].filter((id) => !databases[WEST]!.has(id)) : [];
    const reported = lost.slice(options.reportMisses ?? 0);
    // The last replicated moment: the newest order of the old primary the new one holds.
    const replicated = acks
      .filter((a) => a.region === EAST && databases[WEST]!.has(a.order_id))
      .map((a) => a.acknowledged_at)
      .sort();
    await writeFile(
      path.join(dir, 'report.json'),
      JSON.stringify({
        format: 'multi-region-shop/reconcile-report@2',
        status: 'complete',
        cut: replicated[replicated.length - 1] ?? null,
        tables: {
          ...(isOrders
            ? {
                orders: {
                  rows: reported.map((id) => ({
                    class: 'lost_insert',
                    id,
                    old: { id, customer_id: acks.find((a) => a.order_id === id)?.shopper, synthetic: true },
                    new: null,
                    duplicateOf: null,
                  })),
                },
              }
            : {}),
        },
      }),
    );
    return { status: 'complete' as const, summary: `${reported.length} lost`, reportDir: dir };
  };

  const runbook = async (orchestration: AnyOrchestration, region: string, raw: Record<string, unknown>) => {
    const started = clock.now();
    const run = await world.run(orchestration, region, raw, { stepAttempts: 3 });
    const stepEnd = (seconds: number) => new Date(started.getTime() + seconds * 1000);
    const failedStep = run.result.steps.find((s) => s.status === 'failed');
    const execution: RunbookExecution = {
      executionId: `${run.result.executionId.slice(0, 8).padEnd(8, '0')}-0000-4000-8000-000000000000`,
      status: run.result.status === 'succeeded' ? 'Success' : 'Failed',
      ended: true,
      succeeded: run.result.status === 'succeeded',
      startedAt: started,
      endedAt: clock.now(),
      ...(run.result.error ? { failure: `${run.result.error.step}: ${run.result.error.message}` } : {}),
      steps: run.result.steps.map((s) => ({
        name: s.step,
        status: s.status === 'failed' ? 'Failed' : s.status === 'not-run' ? 'Pending' : 'Success',
        ...(run.steps[s.step] ? { endedAt: stepEnd(run.steps[s.step]!.seconds) } : {}),
        ...(s === failedStep ? { failureMessage: s.detail } : {}),
      })),
    };
    return execution;
  };

  // The synthetic orders removal function of each Region: the real handler, reading where the writer is and the
  // orders credentials from the model (RDS, Secrets Manager); its session is the simulated shop's orders database of
  // its Region, answering the statements of removeSyntheticOrders as Postgres would.
  const session = (region: string): WriterSession =>
    ({
      query: async (statement: string | { name?: string; values?: unknown[] }) => {
        if (typeof statement === 'string') {
          // SELECT pg_is_in_recovery(): a secondary cluster's instance is a reader.
          return { rows: [{ r: model.rds.writerRegions()['shop-dev-orders-global'] !== region }] };
        }
        const ids = (statement.values?.[0] ?? []) as string[];
        const held = ids.filter((id) => databases[region]!.has(id));
        if (statement.name === 'orders_listed_not_synthetic') {
          return { rows: held.filter((id) => real.has(id)).map((id) => ({ id })) };
        }
        if (statement.name !== 'orders_remove_synthetic') throw new Error(`model: statement ${statement.name}`);
        const doomed = held.filter((id) => !real.has(id));
        // Replication carries the deletes to the other Region's replica (model: at once).
        for (const id of doomed) for (const db of Object.values(databases)) db.delete(id);
        return { rows: [{ deleted: doomed.length }] };
      },
      end: async () => undefined,
    }) as unknown as WriterSession;
  if (options.removalFunction ?? true) {
    for (const region of [EAST, WEST]) {
      model.lambda.addFunction(
        region,
        REMOVAL_FUNCTION,
        createSyntheticOrdersHandler({
          environment: {
            RUNBOOK_TOPOLOGY: JSON.stringify(shop.topology(region)),
            RUNBOOK_BUCKET: shop.buckets[region]!,
            AWS_REGION: region,
          },
          connect: async () => session(region),
          log: () => undefined,
        }),
      );
    }
  }
  const remover = new AwsSyntheticOrdersRemoval({ functionName: REMOVAL_FUNCTION, retry: { maxRetries: 0 } });

  const ports: GameDayPorts = {
    clock: {
      now: () => clock.now(),
      sleep: async (ms) => {
        // The shoppers' schedules fire once a minute: one order per enabled schedule per minute slept.
        for (let left = ms; left > 0; left -= 60_000) {
          world.advance(Math.min(left, 60_000) / 1000);
          await shopTick();
        }
      },
    },
    log: () => undefined,
    application: 'shop-dev',
    evidenceRetentionDays: 400,
    targets: { rtoSeconds: 3600, rpoSeconds: 300 },
    settings: { pollSeconds: 60, returnWaitMinutes: 60, snapshotWaitMinutes: 30 },
    faults: new AwsFaultInjection({
      templateTags: { gameday: 'shop-dev', 'gameday-experiment': 'region-isolation' },
      retry: { maxRetries: 0 },
    }),
    schedules: new AwsShopperSchedules({ scheduleName: 'shop-dev-synthetic-shopper', retry: { maxRetries: 0 } }),
    buckets: new AwsReportBuckets({ bucketFor: async (region) => shop.buckets[region]!, retry: { maxRetries: 0 } }),
    regions: new AwsRegionFacts({
      databases: SHOP_DATABASES.map((name) => ({ name, clusterIdentifier: `shop-dev-${name}` })),
      serviceUrlFor: async (region) => `https://lb-${region}.example`,
      detectionAlarmFor: (region) => `shop-dev-${region}-canary-global`,
      request: async (request) => {
        const region = /lb-([a-z0-9-]+)\.example/.exec(request.url)?.[1] ?? '';
        if (!model.isReachable(region)) throw new Error(`connect ETIMEDOUT lb-${region}.example:443`);
        return { status: 200, header: () => undefined, body: 'ok' };
      },
      retry: { maxRetries: 0 },
    }),
    runbooks: {
      run: async (request) => {
        if (request.runbook === 'readiness')
          return runbook(readiness, request.region, { targetRegion: request.region });
        if (request.runbook === 'failover') return runbook(failover, request.region, { targetRegion: request.region });
        return runbook(recover, request.region, {
          targetRegion: request.region,
          ...(request.failoverAt ? { failoverAt: request.failoverAt.toISOString() } : {}),
        });
      },
    },
    orders: {
      lookup: async (region, orders) => {
        for (const o of orders) {
          looked[o.orderId] = databases[region]!.has(o.orderId)
            ? { present: true, cancelled: false, address: null }
            : { present: false };
        }
        return Object.fromEntries(orders.map((o) => [o.orderId, looked[o.orderId]!]));
      },
      removeSynthetic: (region, orders) => remover.remove(region, orders),
    },
  };
  return { world, model, clock, shop, ports, acks, databases, looked, real };
}
