import { ClusterNotFoundException, ServiceNotFoundException } from '@aws-sdk/client-ecs';
import { serviceError } from './aws-errors';
import type { AwsModelTimings } from './model-options';
import type { Timeline } from './model-timeline';

/** One ECS service and its Application Auto Scaling target. */
export interface EcsService {
  readonly cluster: string;
  readonly name: string;
  readonly region: string;
  desiredCount: number;
  runningCount: number;
  minCapacity: number;
  maxCapacity: number;
  /** Application Auto Scaling's `SuspendedState` flags. */
  suspended: {
    DynamicScalingInSuspended: boolean;
    DynamicScalingOutSuspended: boolean;
    ScheduledScalingSuspended: boolean;
  };
}

type Input = Readonly<Record<string, unknown>>;

const resourceId = (s: EcsService) => `service/${s.cluster}/${s.name}`;

/**
 * ECS services (desired and running counts) and their Application Auto Scaling targets, per Region. The running
 * count follows a changed desired count after {@link AwsModelTimings.ecsScaleSeconds} (model choice: tasks start and
 * stop, then the count settles).
 */
export class EcsModel {
  /** Keyed `<region>/<cluster>/<service>`. */
  readonly services = new Map<string, EcsService>();
  private changes = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly timings: AwsModelTimings,
    private readonly accountId: string,
  ) {}

  /** Adds a service running `count` tasks, with an autoscaling target of `min`–`max`. */
  addService(region: string, cluster: string, name: string, count: number, min = count, max = 10): EcsService {
    const service: EcsService = {
      cluster,
      name,
      region,
      desiredCount: count,
      runningCount: count,
      minCapacity: min,
      maxCapacity: max,
      suspended: {
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      },
    };
    this.services.set(`${region}/${cluster}/${name}`, service);
    return service;
  }

  /** The service, or undefined. */
  service(region: string, cluster: string, name: string): EcsService | undefined {
    return this.services.get(`${region}/${cluster}/${name}`);
  }

  /** Running tasks of a service (undefined when it does not exist). */
  running(region: string, cluster: string, name: string): number | undefined {
    return this.service(region, cluster, name)?.runningCount;
  }

  /**
   * DescribeServices: unknown services come back in `failures` with reason `MISSING`; an unknown cluster is
   * ClusterNotFoundException (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html).
   */
  describeServices(input: Input, region: string): unknown {
    const cluster = this.cluster(input.cluster, region);
    const names = Array.isArray(input.services) ? (input.services as string[]) : [];
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const ref of names) {
      const name = ref.split('/').pop() ?? ref;
      const s = this.service(region, cluster, name);
      if (!s) failures.push({ arn: this.serviceArn(region, cluster, name), reason: 'MISSING' });
      else services.push(this.view(s));
    }
    return { services, failures };
  }

  /**
   * UpdateService with `desiredCount`: an unknown service is ServiceNotFoundException (API_UpdateService, Errors).
   * The running count follows later.
   */
  updateService(input: Input, region: string): unknown {
    const cluster = this.cluster(input.cluster, region);
    const name =
      String(input.service ?? '')
        .split('/')
        .pop() ?? '';
    const s = this.service(region, cluster, name);
    if (!s) throw serviceError(ServiceNotFoundException, `Service not found: ${name}`);
    if (typeof input.desiredCount === 'number') {
      s.desiredCount = input.desiredCount;
      const change = ++this.changes;
      const target = input.desiredCount;
      this.timeline.after(this.timings.ecsScaleSeconds, () => {
        if (change === this.changes || s.desiredCount === target) s.runningCount = target;
      });
    }
    return { service: this.view(s) };
  }

  /**
   * DescribeScalableTargets for `ecs`: by `ResourceIds` (`service/<cluster>/<service>`) or every target of the
   * Region (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalableTargets.html).
   */
  describeScalableTargets(input: Input, region: string): unknown {
    if (input.ServiceNamespace !== 'ecs') return { ScalableTargets: [] };
    const ids = Array.isArray(input.ResourceIds) ? (input.ResourceIds as string[]) : undefined;
    const list = [...this.services.values()].filter(
      (s) => s.region === region && (ids === undefined || ids.includes(resourceId(s))),
    );
    return {
      ScalableTargets: list.map((s) => ({
        ServiceNamespace: 'ecs',
        ResourceId: resourceId(s),
        ScalableDimension: 'ecs:service:DesiredCount',
        MinCapacity: s.minCapacity,
        MaxCapacity: s.maxCapacity,
        RoleARN: `arn:aws:iam::${this.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
        CreationTime: new Date(0),
        SuspendedState: { ...s.suspended },
      })),
    };
  }

  /** RegisterScalableTarget on an existing `ecs` target: updates MinCapacity, MaxCapacity and SuspendedState. */
  registerScalableTarget(input: Input, region: string): unknown {
    const id = String(input.ResourceId ?? '');
    const s = [...this.services.values()].find((x) => x.region === region && resourceId(x) === id);
    if (!s) throw new Error(`model: no ECS service ${id} in ${region} (the model only updates existing targets)`);
    if (typeof input.MinCapacity === 'number') s.minCapacity = input.MinCapacity;
    if (typeof input.MaxCapacity === 'number') s.maxCapacity = input.MaxCapacity;
    if (input.SuspendedState && typeof input.SuspendedState === 'object')
      Object.assign(s.suspended, input.SuspendedState);
    return {
      ScalableTargetARN: `arn:aws:application-autoscaling:${region}:${this.accountId}:scalable-target/${s.name}`,
    };
  }

  private cluster(value: unknown, region: string): string {
    const name =
      String(value ?? 'default')
        .split('/')
        .pop() ?? '';
    if (![...this.services.values()].some((s) => s.region === region && s.cluster === name)) {
      throw serviceError(ClusterNotFoundException, 'Cluster not found.');
    }
    return name;
  }

  private serviceArn(region: string, cluster: string, name: string): string {
    return `arn:aws:ecs:${region}:${this.accountId}:service/${cluster}/${name}`;
  }

  private view(s: EcsService): unknown {
    return {
      serviceName: s.name,
      serviceArn: this.serviceArn(s.region, s.cluster, s.name),
      clusterArn: `arn:aws:ecs:${s.region}:${this.accountId}:cluster/${s.cluster}`,
      status: 'ACTIVE',
      desiredCount: s.desiredCount,
      runningCount: s.runningCount,
      pendingCount: Math.max(0, s.desiredCount - s.runningCount),
    };
  }
}
