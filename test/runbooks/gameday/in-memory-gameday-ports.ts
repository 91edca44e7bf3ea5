import type {
  Experiment,
  ExperimentStatus,
  GameDayPorts,
  HeldOrder,
  RunbookExecution,
  SyntheticOrderRef,
} from '../../../runbooks/gameday/gameday-ports';
import { ACK_FORMAT, type AcknowledgedWrite, formatLedger } from '../../../runbooks/scoring/acknowledged-write';

/** A clock whose sleeps move time on at once. */
export class SteppingClock {
  constructor(public time = new Date('2026-12-07T05:00:00.000Z')) {}
  now = () => new Date(this.time);
  sleep = async (ms: number) => {
    this.time = new Date(this.time.getTime() + ms);
    this.onSleep?.();
  };
  onSleep?: () => void;
}

/** How the in-memory FIS behaves for an experiment. */
export type ExperimentScript =
  | 'fires'
  | 'fails-to-start'
  | 'never-runs'
  /** One fault action runs from 20 s, the isolation action fails; FIS fails the experiment at 30 s. */
  | 'one-action-fails'
  /** Every action runs from 30 s; the template's stop condition stops the experiment at 60 s. */
  | 'stopped-by-condition';

/**
 * A small in-memory AWS for the phase tests: buckets as maps, FIS experiments that follow a script, schedules that
 * make a shopper write one ledger object per sleep while enabled, runbooks that answer as told.
 */
export class InMemoryGameDay {
  readonly clock = new SteppingClock();
  readonly objects = new Map<string, string>();
  readonly schedules = new Map<string, boolean>();
  readonly endDates = new Map<string, Date>();
  readonly experiments = new Map<string, Experiment>();
  readonly calls: string[] = [];
  readonly removed: string[] = [];
  experimentScript: ExperimentScript = 'fires';
  templates = new Map<string, string>();
  /** Orders the new primary holds (by id). */
  held: Record<string, HeldOrder> = {};
  /** Whether shoppers write acks when their schedule is enabled. */
  shoppersWork = true;
  /** What each runbook answers. */
  runbookAnswers: Record<string, (request: { failoverAt?: Date; followMinutes?: number }) => RunbookExecution> = {};
  /** Whether the failed Region answers. */
  failedRegionAnswers = false;
  backupsAgeHours = 2;
  /** What the orders port says it left in place, when it removes nothing (as the AWS adapter does). */
  removeNote: string | undefined;
  /** Set once the failover runbook ran: shoppers are then acknowledged by the surviving Region. */
  failedOver = false;
  private invocation = 0;

  constructor(
    readonly failedRegion = 'us-east-1',
    readonly survivingRegion = 'us-west-2',
  ) {
    this.templates.set(failedRegion, 'EXT1a2b3c4d5e6f7');
    this.schedules.set(failedRegion, false);
    this.schedules.set(survivingRegion, false);
    const ok = (id: string): RunbookExecution => ({
      executionId: id,
      status: 'Success',
      ended: true,
      succeeded: true,
      startedAt: this.clock.now(),
      endedAt: this.clock.now(),
    });
    this.runbookAnswers = {
      readiness: () => ok('11111111-1111-4111-8111-111111111111'),
      failover: () => ({
        ...ok('22222222-2222-4222-8222-222222222222'),
        steps: [
          { name: 'shift-traffic', status: 'Success', endedAt: new Date(this.clock.now().getTime() + 1000) },
          {
            name: 'wait-for-orders-failover',
            status: 'Success',
            endedAt: new Date(this.clock.now().getTime() + 60_000),
          },
        ],
      }),
      recover: () => ok('33333333-3333-4333-8333-333333333333'),
    };
    this.clock.onSleep = () => this.tick();
  }

  /** One shopper invocation per enabled Region: an order acknowledged by the failed Region, stored in the other. */
  private tick() {
    for (const [region, enabled] of this.schedules) {
      if (!enabled || !this.shoppersWork || region !== this.failedRegion) continue;
      const acknowledging = this.failedOver ? this.survivingRegion : this.failedRegion;
      const other = acknowledging === this.failedRegion ? this.survivingRegion : this.failedRegion;
      this.invocation++;
      const n = String(this.invocation).padStart(12, '0');
      const ack: AcknowledgedWrite = {
        format: ACK_FORMAT,
        kind: 'order_placed',
        order_id: `0b7e8f43-2f0c-4c36-9a41-${n}`,
        region: acknowledging,
        via: 'global',
        acknowledged_at: this.clock.now().toISOString(),
        request_id: `req-${n}`,
        shopper: `shopper-${n}`,
      };
      this.objects.set(
        `${other}|gamedays/gd-20261207T050000Z-ab12/acks/${acknowledging}/inv-${n}.jsonl`,
        formatLedger([ack]),
      );
    }
  }

  private experimentAfter(experiment: Experiment): Experiment {
    const started = experiment.startedAt?.getTime() ?? 0;
    const elapsed = this.clock.now().getTime() - started;
    let status: ExperimentStatus = experiment.status;
    let actions = experiment.actions;
    if (experiment.status === 'stopping' || experiment.status === 'stopped')
      return { ...experiment, status: 'stopped' };
    if (this.experimentScript === 'one-action-fails' && elapsed >= 20_000) {
      const blackhole = { name: 'BlackholeDatabase0', startedAt: new Date(started + 20_000) };
      if (elapsed < 30_000) {
        return {
          ...experiment,
          status: 'running',
          actions: [
            { ...blackhole, status: 'running' },
            { name: 'DisruptSubnetConnectivity', status: 'failed' },
          ],
        };
      }
      return {
        ...experiment,
        status: 'failed',
        reason: 'Action DisruptSubnetConnectivity failed: route table limit exceeded',
        endedAt: new Date(started + 30_000),
        actions: [
          { ...blackhole, status: 'stopped' },
          { name: 'DisruptSubnetConnectivity', status: 'failed' },
        ],
      };
    }
    if (this.experimentScript === 'stopped-by-condition' && elapsed >= 60_000) {
      return {
        ...experiment,
        status: 'stopped',
        reason:
          'Stop condition arn:aws:cloudwatch:us-west-2:111122223333:alarm:shop-dev-us-west-2-canary-local triggered',
        endedAt: new Date(started + 60_000),
        actions: [{ name: 'disrupt-connectivity', status: 'stopped', startedAt: new Date(started + 30_000) }],
      };
    }
    if ((this.experimentScript === 'fires' || this.experimentScript === 'stopped-by-condition') && elapsed >= 30_000) {
      status = 'running';
      actions = [{ name: 'disrupt-connectivity', status: 'running', startedAt: new Date(started + 30_000) }];
    } else if (this.experimentScript === 'fails-to-start' && elapsed >= 30_000) {
      return { ...experiment, status: 'failed', reason: 'Target resolution failed: no resources match the tags' };
    }
    return { ...experiment, status, actions };
  }

  ports(): GameDayPorts {
    const key = (region: string, k: string) => `${region}|${k}`;
    return {
      clock: this.clock,
      log: () => undefined,
      evidenceRetentionDays: 400,
      targets: { rtoSeconds: 900, rpoSeconds: 60 },
      faults: {
        findTemplate: async (region) => {
          const id = this.templates.get(region);
          return id ? { id, description: 'game day' } : undefined;
        },
        start: async (region, templateId, clientToken) => {
          this.calls.push(`fis.start ${region} ${templateId} ${clientToken}`);
          const id = 'EXP1234567890abcd';
          const experiment: Experiment = {
            id,
            region,
            templateId,
            status: 'initiating',
            startedAt: this.clock.now(),
            actions: [{ name: 'disrupt-connectivity', status: 'pending' }],
          };
          this.experiments.set(id, experiment);
          return experiment;
        },
        get: async (_region, id) => {
          const experiment = this.experiments.get(id);
          if (!experiment) return undefined;
          const next = this.experimentAfter(experiment);
          this.experiments.set(id, next);
          return next;
        },
        stop: async (region, id) => {
          this.calls.push(`fis.stop ${region} ${id}`);
          const experiment = this.experiments.get(id) as Experiment;
          const next = { ...experiment, status: 'stopping' as const };
          this.experiments.set(id, next);
          return next;
        },
      },
      schedules: {
        isEnabled: async (region) => this.schedules.get(region),
        enable: async (region, gameDayId, endDate) => {
          this.calls.push(`schedule ${region} enable ${gameDayId}`);
          this.endDates.set(region, endDate);
          this.schedules.set(region, true);
        },
        disable: async (region) => {
          this.calls.push(`schedule ${region} disable`);
          this.schedules.set(region, false);
        },
      },
      buckets: {
        get: async (region, k) => this.objects.get(key(region, k)),
        list: async (region, prefix) =>
          [...this.objects.keys()]
            .filter((k) => k.startsWith(key(region, prefix)))
            .map((k) => k.slice(region.length + 1))
            .sort(),
        put: async (region, k, body, _type, options) => {
          this.objects.set(key(region, k), body);
          if (options?.retainUntil) this.calls.push(`put-locked ${region} ${k}`);
          return `s3://${region}-reports/${k}`;
        },
        consoleUrl: async (region, k) => `https://console.aws.amazon.com/s3/object/${region}-reports?prefix=${k}`,
      },
      runbooks: {
        run: async (request) => {
          this.calls.push(`runbook ${request.runbook} ${request.region}${request.dryRun ? ' dry-run' : ''}`);
          if (request.runbook === 'failover') this.failedOver = true;
          const answer = this.runbookAnswers[request.runbook];
          if (!answer) throw new Error(`no answer for ${request.runbook}`);
          return answer(request);
        },
      },
      regions: {
        quotas: async () => [{ name: 'DBClusters', used: 4, max: 40, needed: 2 }],
        latestBackups: async () => [
          {
            database: 'orders',
            identifier: 'rds:shop-dev-orders-2026-12-07-03-00',
            createdAt: new Date(this.clock.now().getTime() - this.backupsAgeHours * 3_600_000),
          },
        ],
        databases: () => ['orders'],
        answers: async (region) =>
          region === this.failedRegion && !this.failedRegionAnswers
            ? { servicesAnswer: false, databasesAnswer: false, problems: ['https://lb/health: timeout after 5 s'] }
            : { servicesAnswer: true, databasesAnswer: true, problems: [] },
        rpoLagBeforeMs: async () => 800,
        detectedAt: async () => null,
      },
      orders: {
        lookup: async (_region: string, orders: readonly SyntheticOrderRef[]) =>
          Object.fromEntries(orders.map((o) => [o.orderId, this.held[o.orderId] ?? { present: false as const }])),
        removeSynthetic: async (_region: string, orders: readonly SyntheticOrderRef[]) => {
          if (this.removeNote) return { removed: 0, failed: [], note: this.removeNote };
          this.removed.push(...orders.map((o) => o.orderId));
          return { removed: orders.length, failed: [] };
        },
      },
      settings: { pollSeconds: 15 },
    };
  }
}
