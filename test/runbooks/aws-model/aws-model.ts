import { createHash } from 'node:crypto';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  FisClient,
  GetExperimentCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeAccountAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import {
  ListRoutingControlsCommand as DataPlaneListRoutingControlsCommand,
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStateCommand,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import {
  ListRoutingControlsCommand as ControlPlaneListRoutingControlsCommand,
  DescribeClusterCommand,
  ListClustersCommand,
  ListControlPanelsCommand,
  Route53RecoveryControlConfigClient,
} from '@aws-sdk/client-route53-recovery-control-config';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import type { RegionSwitchApi } from '../../../runbooks/adapters/aws/region-switch-executions';
import { ArcModel } from './arc-model';
import { networkError } from './aws-errors';
import { CallLog, type ModelService } from './call-log';
import { CloudWatchModel } from './cloudwatch-model';
import { EcsModel } from './ecs-model';
import { FisModel } from './fis-model';
import { InjectedFaults } from './injected-faults';
import { LambdaModel } from './lambda-model';
import { type AwsModelBehaviours, type AwsModelTimings, DEFAULT_BEHAVIOURS, DEFAULT_TIMINGS } from './model-options';
import { type ModelClock, Timeline } from './model-timeline';
import { RdsModel } from './rds-model';
import { RegionSwitchModel, type RegionSwitchModelOptions } from './region-switch-model';
import { S3Model } from './s3-model';
import { SchedulerModel } from './scheduler-model';
import { SecretsModel } from './secrets-model';
import { ServiceQuotasModel } from './service-quotas-model';
import { SsmModel } from './ssm-model';

/**
 * The Regions of the ARC cluster's five endpoints, "us-west-2, us-east-1, eu-west-1, ap-southeast-2,
 * ap-northeast-1" (https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_arc_routing.html).
 */
export const ARC_ENDPOINT_REGIONS = [
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-2',
  'ap-northeast-1',
] as const;

/** The only Region of the ARC control plane (`route53-recovery-control-config`). */
export const ARC_CONTROL_PLANE_REGION = 'us-west-2';

/** Options of {@link AwsModel}. */
export interface AwsModelOptions {
  /** Where simulated time comes from; a `ManualClock` makes orchestrations' waits instant. */
  readonly clock: ModelClock;
  /** @default '111122223333' */
  readonly accountId?: string;
  /** @default {@link DEFAULT_TIMINGS} */
  readonly timings?: Partial<AwsModelTimings>;
  /** @default {@link DEFAULT_BEHAVIOURS} (documented behaviour; the unverified ones are marked there) */
  readonly behaviours?: Partial<AwsModelBehaviours>;
  /**
   * Simulated seconds each request takes before it is answered (or fails), e.g. a round trip for a reachable
   * endpoint and the client's connection timeout for an unreachable one. Needs a clock that can `advance` (a
   * `ManualClock`). A model choice for figures, not an AWS behaviour.
   * @default - no time (requests are instant)
   */
  readonly requestSeconds?: (request: RequestCostInput) => number;
  /** @default DEFAULT_REGION_SWITCH_OPTIONS (the unverified behaviours of ARC Region switch are marked there) */
  readonly regionSwitch?: Partial<RegionSwitchModelOptions>;
}

/** What {@link AwsModelOptions.requestSeconds} is told about a request. */
export interface RequestCostInput {
  readonly service: ModelService;
  readonly operation: string;
  readonly region: string;
  readonly reachable: boolean;
}

/** A crash armed by {@link AwsModel.crashAt}. */
export interface ArmedCrash {
  /** The n-th request from now (0 = the next one). */
  readonly at: number;
  /** `before`: the request never reaches AWS; `after`: AWS acted, the process died before it saw the answer. */
  readonly when: 'before' | 'after';
}

/** What {@link AwsModel.checkpoint} saved: every resource's state and the reachability, at a quiet moment. */
export interface ModelCheckpoint {
  readonly at: number;
  readonly globalClusters: AwsModel['rds']['globalClusters'];
  readonly clusters: AwsModel['rds']['clusters'];
  readonly instances: AwsModel['rds']['instances'];
  readonly snapshots: AwsModel['rds']['snapshots'];
  readonly controls: ReadonlyMap<string, 'On' | 'Off'>;
  readonly endpointsDown: ReadonlySet<string>;
  readonly parameters: AwsModel['ssm']['parameters'];
  readonly objects: ReadonlyMap<string, { body: Buffer; contentType?: string; lastModified: Date; versionId: string }>;
  readonly secrets: AwsModel['secrets']['secrets'];
  readonly services: AwsModel['ecs']['services'];
  readonly planExecutions: ReturnType<AwsModel['regionSwitch']['saved']>;
  readonly unreachable: ReadonlySet<string>;
  readonly controlPlaneUnreachable: boolean;
}

/** Thrown by every request from the moment an armed crash fires until {@link AwsModel.restart}. */
export class ProcessCrash extends Error {
  constructor(readonly description: string) {
    super(`injected process crash (${description})`);
    this.name = 'ProcessCrash';
  }
}

/** The operations that change AWS state (what "each action happens exactly once" counts). */
export const MUTATING_OPERATIONS: ReadonlySet<string> = new Set([
  'FailoverGlobalCluster',
  'SwitchoverGlobalCluster',
  'CopyDBClusterSnapshot',
  'RestoreDBClusterFromSnapshot',
  'CreateDBInstance',
  'DeleteDBInstance',
  'DeleteDBCluster',
  'UpdateRoutingControlStates',
  'UpdateRoutingControlState',
  'UpdateService',
  'RegisterScalableTarget',
  'PutParameter',
  'StartExperiment',
  'StopExperiment',
  'UpdateSchedule',
  'StartPlanExecution',
  'CancelPlanExecution',
]);

type Input = Readonly<Record<string, unknown>>;
/** What `getClient()` gives: the client's resolved configuration is all the model reads. */
interface ClientLike {
  readonly config: { region: () => Promise<string>; endpoint?: () => Promise<EndpointLike> };
}
interface EndpointLike {
  readonly protocol?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: string;
}
type Handler = (input: Input, region: string) => unknown;
/**
 * The control-config client is pinned to an older SDK release whose types differ from the mock library's; every
 * stub is handled through this loose type (the mock works on it at run time).
 */
// biome-ignore lint/suspicious/noExplicitAny: see above.
type LooseStub = AwsStub<any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: a client class of any SDK version.
type ClientClass = abstract new (...args: any[]) => any;
// biome-ignore lint/suspicious/noExplicitAny: a command class of any SDK version.
type CommandClass = new (...args: any[]) => any;

interface Target {
  readonly region: string;
  readonly endpoint?: string;
  readonly host: string;
  readonly reachable: boolean;
}

let installed: AwsModel | undefined;

const urlOf = (e: EndpointLike) =>
  `${e.protocol ?? 'https:'}//${e.hostname ?? ''}${e.port ? `:${e.port}` : ''}${e.path ?? ''}`;

function errorName(error: unknown): string {
  const e = error as { name?: string; code?: string };
  return e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
}

function copyOf(input: Input): Input {
  try {
    return structuredClone(input);
  } catch {
    return { ...input };
  }
}

/**
 * A small stateful model of the AWS APIs the runbooks call, served to the real SDK v3 clients through
 * `aws-sdk-client-mock`: Aurora global databases, snapshots and temporary clusters (RDS), Route 53 ARC (data plane on
 * five Regional endpoints, control plane in us-west-2), SSM parameters, S3 objects, CloudWatch metrics, Secrets
 * Manager, ECS services and Application Auto Scaling targets.
 *
 * Every Region, every ARC endpoint and the ARC control plane can be made unreachable at any moment: a request then
 * fails like a network timeout (`ETIMEDOUT`, which the adapters classify as transient). Throttling and other faults
 * are injected through {@link faults}; a process crash at the n-th request through {@link crashAt}. Every request is
 * recorded in {@link calls}.
 *
 * @example
 * const clock = new ManualClock();
 * const model = new AwsModel({ clock });
 * const shop = seedShop(model);          // shop-seed.ts: the shop's topology, writer in us-east-1
 * model.install();                        // every RDSClient, S3Client, … now talks to the model
 * model.regionDown('us-east-1');
 * // … run an orchestration with createAwsPorts({ clock, … }) …
 * model.restore();
 */
export class AwsModel {
  readonly clock: ModelClock;
  readonly accountId: string;
  readonly timings: AwsModelTimings;
  readonly behaviours: AwsModelBehaviours;
  readonly timeline: Timeline;
  /** Every request received. */
  readonly calls = new CallLog();
  /** Throttling and other injected faults. */
  readonly faults = new InjectedFaults();
  readonly rds: RdsModel;
  readonly arc: ArcModel;
  readonly ssm: SsmModel;
  readonly s3: S3Model;
  readonly secrets: SecretsModel;
  readonly ecs: EcsModel;
  readonly cloudWatch: CloudWatchModel;
  /** AWS FIS experiment templates and experiments (game days). */
  readonly fis: FisModel;
  /** EventBridge Scheduler schedules (the game day's shoppers). */
  readonly scheduler: SchedulerModel;
  /** Lambda functions invoked synchronously (the game day's synthetic orders removal). */
  readonly lambda = new LambdaModel();
  /** Service Quotas' applied values (the Fargate vCPU quota readiness reads). */
  readonly serviceQuotas: ServiceQuotasModel;
  /** ARC Region switch plans and their executions (data planes in every Region; see {@link regionSwitchApi}). */
  readonly regionSwitch: RegionSwitchModel;
  /**
   * Services whose API still answers in a Region made unreachable with {@link regionDown}. Empty by default (the
   * whole Region is gone); a game day adds `fis`, `s3` and `scheduler`: an FIS network disruption cuts the Region's
   * subnets off, not the AWS APIs (model choice: the model keeps the Region's other APIs unreachable as the
   * failover scenarios do, a harder fault than FIS's).
   */
  readonly apisDuringOutage = new Set<ModelService>();
  /**
   * The maximum of each RDS account quota DescribeAccountAttributes reports; `Used` is what the model holds
   * ("The description for a quota includes the quota name, current usage toward that quota, and the quota's maximum
   * value", API_DescribeAccountAttributes). The maximums are model choices.
   */
  readonly rdsQuotaMax: Record<'DBClusters' | 'DBInstances', number> = { DBClusters: 40, DBInstances: 40 };
  /**
   * CloudWatch alarm state changes a test records (`{ region, alarmName, at, to }`), served by DescribeAlarmHistory as
   * StateUpdate items whose `HistoryData` JSON carries `newState.stateValue` (API_AlarmHistoryItem: "Data about the
   * alarm, in JSON format"; the shape is the AWS CLI's describe-alarm-history example).
   */
  readonly alarmHistory: { region: string; alarmName: string; at: Date; to: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' }[] =
    [];

  private readonly requestSeconds?: (request: RequestCostInput) => number;
  private readonly unreachable = new Set<string>();
  private controlPlaneUnreachable = false;
  private stubs: LooseStub[] = [];
  private crash?: { remaining: number; when: 'before' | 'after' };
  private dead?: ProcessCrash;

  constructor(options: AwsModelOptions) {
    this.clock = options.clock;
    this.accountId = options.accountId ?? '111122223333';
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.behaviours = { ...DEFAULT_BEHAVIOURS, ...options.behaviours };
    this.timeline = new Timeline(this.clock);
    if (options.requestSeconds) this.requestSeconds = options.requestSeconds;
    this.rds = new RdsModel(this.timeline, this.timings, this.behaviours, this.accountId);
    const clusterId = '8d46a3e1-0000-4000-8000-000000000001';
    this.arc = new ArcModel(
      `arn:aws:route53-recovery-control::${this.accountId}:cluster/${clusterId}`,
      'cluster',
      ARC_ENDPOINT_REGIONS.map((region) => ({
        region,
        endpoint: `https://host-${createHash('sha256').update(region).digest('hex').slice(0, 6)}.route53-recovery-cluster.${region}.amazonaws.com/v1`,
      })),
      this.behaviours,
    );
    this.ssm = new SsmModel(this.timeline, this.accountId);
    this.s3 = new S3Model(this.timeline);
    this.secrets = new SecretsModel(this.accountId);
    this.ecs = new EcsModel(this.timeline, this.timings, this.accountId);
    this.fis = new FisModel(this.timeline);
    this.scheduler = new SchedulerModel(this.timeline);
    this.cloudWatch = new CloudWatchModel({
      lagMs: (region, clusterId, _metric) => this.lagOf(region, clusterId),
      runningTasks: (region, cluster, service) => this.ecs.running(region, cluster, service),
      fargateVcpu: (region) => this.ecs.vcpuInUse(region),
    });
    this.serviceQuotas = new ServiceQuotasModel(this.accountId);
    this.regionSwitch = new RegionSwitchModel(this.timeline, options.regionSwitch);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Reachability

  /** Every request to `region` (and to its ARC endpoint) fails like a network timeout from now on. */
  regionDown(region: string): void {
    this.timeline.runDue();
    this.unreachable.add(region);
  }

  /** `region` answers again; Aurora starts rebuilding old primaries there (the unplanned-failover snapshot first). */
  regionUp(region: string): void {
    this.timeline.runDue();
    this.unreachable.delete(region);
    this.rds.regionReturned(region, (r) => this.isReachable(r));
  }

  /** Whether requests to `region` get through. */
  isReachable(region: string): boolean {
    return !this.unreachable.has(region);
  }

  /** The ARC control plane (us-west-2 `route53-recovery-control-config`) stops answering. */
  controlPlaneDown(): void {
    this.controlPlaneUnreachable = true;
  }

  /** The ARC control plane answers again (when us-west-2 is reachable). */
  controlPlaneUp(): void {
    this.controlPlaneUnreachable = false;
  }

  /**
   * Sets a CloudWatch alarm's state (creating the alarm) from `since` (default: now), and records the change in
   * {@link alarmHistory} when the state changes. A state change moves both StateTransitionedTimestamp and
   * StateUpdatedTimestamp; the same state again moves only a composite alarm's StateUpdatedTimestamp ("Tracks the
   * timestamp of any state update, even if StateValue doesn't change.", API_CompositeAlarm), and nothing of a metric
   * alarm (whose StateUpdatedTimestamp follows "either the StateValue or EvaluationState", API_MetricAlarm: see
   * {@link setAlarmEvaluationState}).
   */
  setAlarm(
    region: string,
    alarmName: string,
    state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA',
    type: 'MetricAlarm' | 'CompositeAlarm' = 'MetricAlarm',
    since?: Date,
  ): void {
    const key = `${region}/${alarmName}`;
    const at = since ?? this.clock.now();
    const existing = this.cloudWatch.alarms.get(key);
    if (existing?.state === state) {
      if (existing.type === 'CompositeAlarm') existing.updated = at;
      return;
    }
    this.cloudWatch.alarms.set(key, { name: alarmName, region, type, state, since: at, updated: at });
    this.alarmHistory.push({ region, alarmName, at, to: state });
  }

  /**
   * Sets a metric alarm's `EvaluationState` (undefined: none) now, without changing its state: StateUpdatedTimestamp
   * moves ("The time stamp of the last update to the value of either the StateValue or EvaluationState parameters.",
   * API_MetricAlarm), StateTransitionedTimestamp does not ("The date and time that the alarm's StateValue most
   * recently changed.").
   */
  setAlarmEvaluationState(
    region: string,
    alarmName: string,
    evaluationState: 'PARTIAL_DATA' | 'EVALUATION_ERROR' | 'EVALUATION_FAILURE' | undefined,
  ): void {
    const alarm = this.cloudWatch.alarms.get(`${region}/${alarmName}`);
    if (alarm?.type !== 'MetricAlarm') throw new Error(`model: no metric alarm ${alarmName} in ${region}`);
    if (alarm.evaluationState === evaluationState) return;
    alarm.evaluationState = evaluationState;
    alarm.updated = this.clock.now();
  }

  /** One ARC cluster endpoint (by its Region) stops answering, whatever its Region's state. */
  arcEndpointDown(region: string): void {
    const found = this.arc.endpoints.find((e) => e.region === region);
    if (!found) throw new Error(`model: the ARC cluster has no endpoint in ${region}`);
    this.arc.endpointsDown.add(found.endpoint);
  }

  /** The ARC endpoint in `region` answers again (if its Region is reachable). */
  arcEndpointUp(region: string): void {
    const found = this.arc.endpoints.find((e) => e.region === region);
    if (found) this.arc.endpointsDown.delete(found.endpoint);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Time and crashes

  /** Applies every transition due by the clock's now (requests do this themselves). */
  settle(): void {
    this.timeline.runDue();
  }

  /**
   * Arms a process crash at the `at`-th request from now: that request fails (`before`: without effect; `after`: once
   * the model acted) and so does every later one, journal writes included, until {@link restart} — like a runbook
   * process that died.
   */
  crashAt(crash: ArmedCrash): void {
    this.crash = { remaining: crash.at, when: crash.when };
  }

  /** Whether an armed crash has fired (and {@link restart} has not been called since). */
  crashed(): boolean {
    return this.dead !== undefined;
  }

  /** A new process: requests get through again; an armed crash that has not fired is disarmed. */
  restart(): void {
    this.dead = undefined;
    this.crash = undefined;
  }

  /**
   * Saves the state of every resource, to start many runs from the same point (see {@link rollback}). Only at a
   * quiet moment: no transition may be pending (advance the clock past every long operation first).
   */
  checkpoint(): ModelCheckpoint {
    this.timeline.runDue();
    const next = this.timeline.next();
    if (next) throw new Error(`model: cannot checkpoint while a transition is pending (due ${next.toISOString()})`);
    return {
      at: this.clock.now().getTime(),
      globalClusters: structuredClone(this.rds.globalClusters),
      clusters: structuredClone(this.rds.clusters),
      instances: structuredClone(this.rds.instances),
      snapshots: structuredClone(this.rds.snapshots),
      controls: new Map([...this.arc.controls].map(([arn, c]) => [arn, c.state])),
      endpointsDown: new Set(this.arc.endpointsDown),
      parameters: structuredClone(this.ssm.parameters),
      objects: new Map([...this.s3.objects].map(([k, o]) => [k, { ...o, body: Buffer.from(o.body) }])),
      secrets: structuredClone(this.secrets.secrets),
      services: structuredClone(this.ecs.services),
      planExecutions: this.regionSwitch.saved(),
      unreachable: new Set(this.unreachable),
      controlPlaneUnreachable: this.controlPlaneUnreachable,
    };
  }

  /**
   * Puts every resource back as {@link checkpoint} saved it, forgets scheduled transitions, injected faults, crashes
   * and the call log. The clock is the caller's: set it back to `checkpoint.at` (a `ManualClock` can `advance` by a
   * negative amount).
   */
  rollback(saved: ModelCheckpoint): void {
    const refill = <K, V>(target: Map<K, V>, source: ReadonlyMap<K, V>) => {
      target.clear();
      for (const [k, v] of structuredClone(source)) target.set(k, v);
    };
    this.timeline.clear();
    refill(this.rds.globalClusters, saved.globalClusters);
    refill(this.rds.clusters, saved.clusters);
    refill(this.rds.instances, saved.instances);
    refill(this.rds.snapshots, saved.snapshots);
    for (const [arn, state] of saved.controls) this.arc.controls.get(arn)!.state = state;
    this.arc.endpointsDown.clear();
    for (const e of saved.endpointsDown) this.arc.endpointsDown.add(e);
    refill(this.ssm.parameters, saved.parameters);
    this.s3.objects.clear();
    for (const [k, o] of saved.objects) this.s3.objects.set(k, { ...o, body: Buffer.from(o.body) });
    refill(this.secrets.secrets, saved.secrets);
    refill(this.ecs.services, saved.services);
    this.regionSwitch.restoreSaved(saved.planExecutions);
    this.unreachable.clear();
    for (const r of saved.unreachable) this.unreachable.add(r);
    this.controlPlaneUnreachable = saved.controlPlaneUnreachable;
    this.faults.clear();
    this.calls.clear();
    // sinon keeps every call it served (arguments, client, answer): forget them, or long test loops slow down in GC.
    for (const stub of this.stubs) stub.resetHistory();
    this.restart();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Mocks

  /**
   * Mocks every SDK client class the runbooks use (every instance, whenever created) to send its requests to this
   * model. A model installed before is restored first: one model serves at a time. Call {@link restore} after the
   * test (e.g. in `afterEach`).
   */
  install(): this {
    installed?.restore();
    installed = this;
    const rds = this.rds;
    this.serve(RDSClient, 'rds', [
      [DescribeGlobalClustersCommand, (i) => rds.describeGlobalClusters(i)],
      [
        DescribeAccountAttributesCommand,
        (_i, r) => ({
          AccountQuotas: [
            {
              AccountQuotaName: 'DBClusters',
              Used: [...rds.clusters.values()].filter((c) => c.region === r).length,
              Max: this.rdsQuotaMax.DBClusters,
            },
            {
              AccountQuotaName: 'DBInstances',
              Used: [...rds.instances.values()].filter((i) => i.region === r).length,
              Max: this.rdsQuotaMax.DBInstances,
            },
          ],
        }),
      ],
      [FailoverGlobalClusterCommand, (i, r) => rds.failoverGlobalCluster(i, this.context(r))],
      [SwitchoverGlobalClusterCommand, (i, r) => rds.switchoverGlobalCluster(i, this.context(r))],
      [DescribeDBClustersCommand, (i, r) => rds.describeDBClusters(i, this.context(r))],
      [DescribeDBClusterSnapshotsCommand, (i, r) => rds.describeDBClusterSnapshots(i, this.context(r))],
      [CopyDBClusterSnapshotCommand, (i, r) => rds.copyDBClusterSnapshot(i, this.context(r))],
      [RestoreDBClusterFromSnapshotCommand, (i, r) => rds.restoreDBClusterFromSnapshot(i, this.context(r))],
      [CreateDBInstanceCommand, (i, r) => rds.createDBInstance(i, this.context(r))],
      [DescribeDBInstancesCommand, (i, r) => rds.describeDBInstances(i, this.context(r))],
      [DeleteDBInstanceCommand, (i, r) => rds.deleteDBInstance(i, this.context(r))],
      [DeleteDBClusterCommand, (i, r) => rds.deleteDBCluster(i, this.context(r))],
    ]);
    this.serve(Route53RecoveryClusterClient, 'route53-recovery-cluster', [
      [GetRoutingControlStateCommand, (i) => this.arc.getRoutingControlState(i)],
      [UpdateRoutingControlStatesCommand, (i) => this.arc.updateRoutingControlStates(i)],
      [UpdateRoutingControlStateCommand, (i) => this.arc.updateRoutingControlState(i)],
      [DataPlaneListRoutingControlsCommand, (i) => this.arc.listRoutingControls(i)],
    ]);
    this.serve(Route53RecoveryControlConfigClient, 'route53-recovery-control-config', [
      [DescribeClusterCommand, (i) => this.arc.describeCluster(i)],
      [ListClustersCommand, () => this.arc.listClusters()],
      [ListControlPanelsCommand, () => this.arc.listControlPanels()],
      [ControlPlaneListRoutingControlsCommand, (i) => this.arc.listControlPlaneRoutingControls(i)],
    ]);
    this.serve(SSMClient, 'ssm', [
      [GetParameterCommand, (i, r) => this.ssm.getParameter(i, r)],
      [PutParameterCommand, (i, r) => this.ssm.putParameter(i, r)],
    ]);
    this.serve(S3Client, 's3', [
      [GetObjectCommand, (i, r) => this.s3.getObject(i, r)],
      [PutObjectCommand, (i, r) => this.s3.putObject(i, r)],
      [ListObjectsV2Command, (i, r) => this.s3.listObjectsV2(i, r)],
    ]);
    this.serve(FisClient, 'fis', [
      [ListExperimentTemplatesCommand, (i, r) => this.fis.listExperimentTemplates(i, r)],
      [StartExperimentCommand, (i, r) => this.fis.startExperiment(i, r)],
      [GetExperimentCommand, (i, r) => this.fis.getExperiment(i, r)],
      [StopExperimentCommand, (i, r) => this.fis.stopExperiment(i, r)],
    ]);
    this.serve(SchedulerClient, 'scheduler', [
      [GetScheduleCommand, (i, r) => this.scheduler.getSchedule(i, r)],
      [UpdateScheduleCommand, (i, r) => this.scheduler.updateSchedule(i, r)],
    ]);
    this.serve(LambdaClient, 'lambda', [[InvokeCommand, (i, r) => this.lambda.invoke(i, r)]]);
    this.serve(CloudWatchClient, 'cloudwatch', [
      [GetMetricDataCommand, (i, r) => this.cloudWatch.getMetricData(i, r)],
      [DescribeAlarmHistoryCommand, (i, r) => this.describeAlarmHistory(i, r)],
      [PutMetricDataCommand, (i, r) => this.cloudWatch.putMetricData(i, r)],
      [DescribeAlarmsCommand, (i, r) => this.cloudWatch.describeAlarms(i, r)],
    ]);
    this.serve(SecretsManagerClient, 'secretsmanager', [
      [DescribeSecretCommand, (i, r) => this.secrets.describeSecret(i, r)],
      [GetSecretValueCommand, (i, r) => this.secrets.getSecretValue(i, r)],
    ]);
    this.serve(ECSClient, 'ecs', [
      [DescribeServicesCommand, (i, r) => this.ecs.describeServices(i, r)],
      [UpdateServiceCommand, (i, r) => this.ecs.updateService(i, r)],
      [DescribeTaskDefinitionCommand, (i, r) => this.ecs.describeTaskDefinition(i, r)],
      [ListTasksCommand, (i, r) => this.ecs.listTasks(i, r)],
      [DescribeTasksCommand, (i, r) => this.ecs.describeTasks(i, r)],
    ]);
    this.serve(ServiceQuotasClient, 'servicequotas', [
      [GetServiceQuotaCommand, (i, r) => this.serviceQuotas.getServiceQuota(i, r)],
      [GetAWSDefaultServiceQuotaCommand, (i, r) => this.serviceQuotas.getAwsDefaultServiceQuota(i, r)],
    ]);
    this.serve(ApplicationAutoScalingClient, 'application-autoscaling', [
      [DescribeScalableTargetsCommand, (i, r) => this.ecs.describeScalableTargets(i, r)],
      [RegisterScalableTargetCommand, (i, r) => this.ecs.registerScalableTarget(i, r)],
    ]);
    return this;
  }

  /**
   * The ARC Region switch data plane of `region`, served by {@link regionSwitch} through the same path as the SDK
   * clients' requests (reachability, injected faults, crashes, the call log). The SDK client
   * `@aws-sdk/client-arc-region-switch` could not be installed here, so there is no client class to mock: the adapter
   * takes this API object instead (see `RegionSwitchApi`). Needs no {@link install}.
   */
  regionSwitchApi(region: string): RegionSwitchApi {
    const client: ClientLike = { config: { region: async () => region } };
    const rs = this.regionSwitch;
    const call =
      <O>(operation: string, handler: Handler) =>
      (input: object) =>
        this.dispatch('arc-region-switch', operation, input as Input, client, handler) as Promise<O>;
    return {
      startPlanExecution: call('StartPlanExecution', (i, r) => rs.startPlanExecution(i, r)),
      getPlanExecution: call('GetPlanExecution', (i, r) => rs.getPlanExecution(i, r)),
      listPlanExecutions: call('ListPlanExecutions', (i, r) => rs.listPlanExecutions(i, r)),
      listPlanExecutionEvents: call('ListPlanExecutionEvents', (i, r) => rs.listPlanExecutionEvents(i, r)),
      cancelPlanExecution: call('CancelPlanExecution', (i, r) => rs.cancelPlanExecution(i, r)),
      getPlanEvaluationStatus: call('GetPlanEvaluationStatus', (i, r) => rs.getPlanEvaluationStatus(i, r)),
    };
  }

  /** Removes the mocks: SDK clients send real requests again. Safe to call twice. */
  restore(): void {
    for (const stub of this.stubs) stub.restore();
    this.stubs = [];
    if (installed === this) installed = undefined;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private serve(
    client: ClientClass,
    service: ModelService,
    handlers: readonly (readonly [CommandClass, Handler])[],
  ): void {
    const stub = mockClient(client as never) as unknown as LooseStub;
    this.stubs.push(stub);
    // Anything not modelled fails loudly, so a new adapter call cannot silently get `undefined`.
    stub.callsFake(async (input: Input) => {
      throw new Error(
        `AWS model: ${service} has no model of this command (input keys: ${Object.keys(input ?? {}).join(', ')})`,
      );
    });
    for (const [command, handler] of handlers) {
      const operation = command.name.replace(/Command$/, '');
      stub
        .on(command as never)
        .callsFake((input: Input, getClient: () => ClientLike) =>
          this.dispatch(service, operation, input ?? {}, getClient(), handler),
        );
    }
  }

  private async target(service: ModelService, client: ClientLike): Promise<Target> {
    const region = await client.config.region();
    if (service === 'route53-recovery-cluster') {
      const configured = client.config.endpoint ? urlOf(await client.config.endpoint()) : undefined;
      const endpoint = configured ? this.arc.endpointAt(configured) : undefined;
      if (!endpoint) {
        // A data-plane client must be pointed at one of the cluster's endpoints; nothing else answers.
        return { region, host: configured ?? `route53-recovery-cluster.${region}.amazonaws.com`, reachable: false };
      }
      return {
        region: endpoint.region,
        endpoint: endpoint.endpoint,
        host: new URL(endpoint.endpoint).hostname,
        reachable: this.isReachable(endpoint.region) && !this.arc.endpointsDown.has(endpoint.endpoint),
      };
    }
    if (service === 'route53-recovery-control-config') {
      return {
        region,
        host: `route53-recovery-control-config.${region}.amazonaws.com`,
        reachable: region === ARC_CONTROL_PLANE_REGION && !this.controlPlaneUnreachable && this.isReachable(region),
      };
    }
    return {
      region,
      host: `${service}.${region}.amazonaws.com`,
      reachable: this.isReachable(region) || this.apisDuringOutage.has(service),
    };
  }

  private async dispatch(
    service: ModelService,
    operation: string,
    input: Input,
    client: ClientLike,
    handler: Handler,
  ): Promise<unknown> {
    const target = await this.target(service, client);
    this.timeline.runDue();
    const at = this.clock.now();
    const cost = this.requestSeconds?.({ service, operation, region: target.region, reachable: target.reachable }) ?? 0;
    if (cost > 0) {
      const advance = (this.clock as { advance?: (ms: number) => void }).advance;
      if (!advance) throw new Error('AWS model: requestSeconds needs a clock that can advance (a ManualClock)');
      advance.call(this.clock, cost * 1000);
      this.timeline.runDue();
    }
    const request = { service, operation, region: target.region, input };
    let recorded = false;
    const record = (outcome: string) => {
      recorded = true;
      this.calls.record({
        service,
        operation,
        region: target.region,
        ...(target.endpoint ? { endpoint: target.endpoint } : {}),
        input: copyOf(input),
        at,
        outcome,
      });
    };
    if (this.dead) {
      record('ProcessCrash');
      throw this.dead;
    }
    let crashAfter = false;
    if (this.crash) {
      if (this.crash.remaining > 0) this.crash.remaining--;
      else {
        const when = this.crash.when;
        this.crash = undefined;
        if (when === 'before') {
          this.dead = new ProcessCrash(`before ${service}:${operation} in ${target.region}`);
          record('ProcessCrash');
          throw this.dead;
        }
        crashAfter = true;
      }
    }
    try {
      if (!target.reachable) throw networkError(target.host);
      const before = this.faults.take(request, 'before');
      if (before) throw before;
      const returned = handler(input, target.region);
      // A modelled function runs asynchronously (Lambda Invoke); every other handler answers at once.
      const answer = returned instanceof Promise ? await returned : returned;
      const after = this.faults.take(request, 'after');
      if (after) {
        record(`${errorName(after)} (after effect)`);
        throw after;
      }
      if (crashAfter) {
        record('ok, then ProcessCrash');
        throw new ProcessCrash(`after ${service}:${operation} in ${target.region}`);
      }
      record('ok');
      return { $metadata: { httpStatusCode: 200, requestId: `model-${this.calls.mark()}` }, ...(answer as object) };
    } catch (error) {
      if (!recorded) record(errorName(error));
      if (!crashAfter) throw error;
      // The process died once the request was answered (or failed): its caller never sees the answer.
      this.dead =
        error instanceof ProcessCrash ? error : new ProcessCrash(`after ${service}:${operation} in ${target.region}`);
      throw this.dead;
    }
  }

  private describeAlarmHistory(input: Input, region: string): unknown {
    const start = input.StartDate ? new Date(input.StartDate as Date).getTime() : 0;
    const end = input.EndDate ? new Date(input.EndDate as Date).getTime() : Number.POSITIVE_INFINITY;
    const items = this.alarmHistory
      .filter(
        (h) =>
          h.region === region &&
          (input.AlarmName === undefined || h.alarmName === input.AlarmName) &&
          h.at.getTime() >= start &&
          h.at.getTime() <= end,
      )
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    if (input.ScanBy !== 'TimestampAscending') items.reverse();
    return {
      AlarmHistoryItems: items.map((h) => ({
        AlarmName: h.alarmName,
        AlarmType: 'MetricAlarm',
        HistoryItemType: 'StateUpdate',
        Timestamp: h.at,
        HistorySummary: `Alarm updated to ${h.to}`,
        HistoryData: JSON.stringify({ version: '1.0', newState: { stateValue: h.to } }),
      })),
    };
  }

  private context(region: string) {
    return { region, reachable: (r: string) => this.isReachable(r) };
  }

  /** Replication lag of a connected secondary; none for writers, resyncing or unknown clusters. */
  private lagOf(region: string, clusterIdentifier: string): number | undefined {
    const arn = `arn:aws:rds:${region}:${this.accountId}:cluster:${clusterIdentifier}`;
    for (const g of this.rds.globalClusters.values()) {
      const member = g.members.find((m) => m.clusterArn === arn);
      if (member)
        return !member.isWriter && member.synchronization === 'connected'
          ? this.behaviours.replicationLagMs
          : undefined;
    }
    return undefined;
  }
}
