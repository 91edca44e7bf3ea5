import { createHash } from 'node:crypto';
import {
  ClientException,
  ClusterNotFoundException,
  InvalidParameterException,
  ServiceNotFoundException,
} from '@aws-sdk/client-ecs';
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
  /** The task definition of the PRIMARY deployment (see {@link EcsModel.registerTaskDefinition}); none until set. */
  taskDefinitionArn?: string;
  /** The image digest each container of the running tasks runs (`sha256:…`), by container name. */
  imageDigests: Record<string, string>;
}

/** A task definition as DescribeTaskDefinition returns it (the fields the model's users set, plus its identity). */
export interface ModelTaskDefinition {
  readonly family: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly containerDefinitions: readonly Readonly<Record<string, unknown>>[];
  readonly [field: string]: unknown;
}

type Input = Readonly<Record<string, unknown>>;

/**
 * A request over a documented list limit. InvalidParameterException ("The specified parameter isn't valid", ECS API
 * Reference, Common errors of the operations) is the model's choice: which error AWS sends is UNVERIFIED.
 */
const tooMany = (field: string, count: number, limit: number) =>
  serviceError(InvalidParameterException, `${field}: ${count} given; at most ${limit}`);

const resourceId = (s: EcsService) => `service/${s.cluster}/${s.name}`;

/**
 * ECS services (desired and running counts) and their Application Auto Scaling targets, per Region. The running
 * count follows a changed desired count after {@link AwsModelTimings.ecsScaleSeconds} (model choice: tasks start and
 * stop, then the count settles).
 */
export class EcsModel {
  /** Keyed `<region>/<cluster>/<service>`. */
  readonly services = new Map<string, EcsService>();
  /** Registered task definitions by ARN (`arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`). */
  readonly taskDefinitions = new Map<string, ModelTaskDefinition & { readonly taskDefinitionArn: string }>();
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
      imageDigests: {},
    };
    this.services.set(`${region}/${cluster}/${name}`, service);
    return service;
  }

  /**
   * Registers a task definition in `region` as the next revision of its family ("Each time you register a task
   * definition with the same family, it's given a new revision number", API_RegisterTaskDefinition) and returns its
   * ARN. The model has no RegisterTaskDefinition call: the stacks register them, tests do it here.
   */
  registerTaskDefinition(region: string, definition: ModelTaskDefinition): string {
    const prefix = `arn:aws:ecs:${region}:${this.accountId}:task-definition/${definition.family}:`;
    const revision = [...this.taskDefinitions.keys()].filter((arn) => arn.startsWith(prefix)).length + 1;
    const taskDefinitionArn = `${prefix}${revision}`;
    this.taskDefinitions.set(taskDefinitionArn, {
      ...structuredClone(definition),
      taskDefinitionArn,
      revision,
      status: 'ACTIVE',
      requiresCompatibilities: definition.requiresCompatibilities ?? ['FARGATE'],
      networkMode: definition.networkMode ?? 'awsvpc',
    });
    return taskDefinitionArn;
  }

  /** Points the service's PRIMARY deployment at `taskDefinitionArn`, its running tasks running `digests`. */
  deploy(
    region: string,
    cluster: string,
    name: string,
    taskDefinitionArn: string,
    digests: Record<string, string>,
  ): void {
    const s = this.service(region, cluster, name);
    if (!s) throw new Error(`model: no ECS service ${cluster}/${name} in ${region}`);
    s.taskDefinitionArn = taskDefinitionArn;
    s.imageDigests = { ...digests };
  }

  /** vCPU the Region's running tasks hold (running count × the task definition's cpu / 1024), for Fargate usage. */
  vcpuInUse(region: string): number {
    let units = 0;
    for (const s of this.services.values()) {
      const definition =
        s.region === region && s.taskDefinitionArn ? this.taskDefinitions.get(s.taskDefinitionArn) : undefined;
      units += s.region === region ? s.runningCount * Number(definition?.cpu ?? 0) : 0;
    }
    return units / 1024;
  }

  /**
   * DescribeTaskDefinition by ARN or `family:revision`: an unknown one is ClientException (API_DescribeTaskDefinition,
   * Errors: "ClientException: These errors are usually caused by a client action."; the message is the model's).
   */
  describeTaskDefinition(input: Input, region: string): unknown {
    const ref = String(input.taskDefinition ?? '');
    const arn = ref.startsWith('arn:') ? ref : `arn:aws:ecs:${region}:${this.accountId}:task-definition/${ref}`;
    const found = arn.includes(`:${region}:`) ? this.taskDefinitions.get(arn) : undefined;
    if (!found) throw serviceError(ClientException, 'Unable to describe task definition.');
    return { taskDefinition: structuredClone(found) };
  }

  /**
   * ListTasks by `serviceName` (and `desiredStatus`): the service's running tasks, `maxResults` per page (default and
   * maximum 100, "nextToken" for the rest — API_ListTasks). A service the cluster does not have lists no task (model
   * choice, UNVERIFIED: AWS may answer ServiceNotFoundException).
   */
  listTasks(input: Input, region: string): unknown {
    const cluster = this.cluster(input.cluster, region);
    const s = input.serviceName ? this.service(region, cluster, String(input.serviceName)) : undefined;
    const all = s && input.desiredStatus !== 'STOPPED' ? this.taskArns(s) : [];
    const from = Number(input.nextToken ?? 0);
    const size = Math.min(Number(input.maxResults ?? 100), 100);
    const page = all.slice(from, from + size);
    return { taskArns: page, ...(from + size < all.length ? { nextToken: String(from + size) } : {}) };
  }

  /**
   * DescribeTasks (up to 100): each running task with its containers' `imageDigest` ("The container image manifest
   * digest", API_Container); an unknown task comes back in `failures` with reason MISSING.
   */
  describeTasks(input: Input, region: string): unknown {
    const cluster = this.cluster(input.cluster, region);
    const refs = Array.isArray(input.tasks) ? (input.tasks as string[]) : [];
    // "A list of up to 100 task IDs or full ARN entries." (API_DescribeTasks); the error is a model choice.
    if (refs.length > 100) throw tooMany('tasks', refs.length, 100);
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const ref of refs) {
      const s = [...this.services.values()].find(
        (x) => x.region === region && x.cluster === cluster && this.taskArns(x).includes(ref),
      );
      if (!s) {
        failures.push({ arn: ref, reason: 'MISSING' });
        continue;
      }
      const definition = s.taskDefinitionArn ? this.taskDefinitions.get(s.taskDefinitionArn) : undefined;
      tasks.push({
        taskArn: ref,
        clusterArn: `arn:aws:ecs:${region}:${this.accountId}:cluster/${cluster}`,
        taskDefinitionArn: s.taskDefinitionArn,
        group: `service:${s.name}`,
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        launchType: 'FARGATE',
        cpu: definition?.cpu,
        memory: definition?.memory,
        containers: (definition?.containerDefinitions ?? []).map((c) => ({
          name: c.name,
          image: c.image,
          ...(s.imageDigests[String(c.name)] ? { imageDigest: s.imageDigests[String(c.name)] } : {}),
          lastStatus: 'RUNNING',
        })),
      });
    }
    return { tasks, failures };
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
    // "You may specify up to 10 services to describe." (API_DescribeServices); the error is a model choice.
    if (names.length > 10) throw tooMany('services', names.length, 10);
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
    const all = [...this.services.values()].filter(
      (s) => s.region === region && (ids === undefined || ids.includes(resourceId(s))),
    );
    // MaxResults "can be between 1 and 50. The default value is 50"; beyond it a NextToken (API_DescribeScalableTargets).
    const size = Math.min(typeof input.MaxResults === 'number' ? input.MaxResults : 50, 50);
    const from = Number(input.NextToken ?? 0);
    const list = all.slice(from, from + size);
    return {
      ...(from + size < all.length ? { NextToken: String(from + size) } : {}),
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

  /** Task ARNs of the service's running tasks: one per running task, stable per position. */
  private taskArns(s: EcsService): string[] {
    return Array.from(
      { length: s.runningCount },
      (_, i) =>
        `arn:aws:ecs:${s.region}:${this.accountId}:task/${s.cluster}/${createHash('sha256').update(`${s.name}/${i}`).digest('hex').slice(0, 32)}`,
    );
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
      ...(s.taskDefinitionArn
        ? {
            taskDefinition: s.taskDefinitionArn,
            deployments: [
              {
                id: `ecs-svc/${s.name}`,
                status: 'PRIMARY',
                taskDefinition: s.taskDefinitionArn,
                desiredCount: s.desiredCount,
                runningCount: s.runningCount,
              },
            ],
          }
        : {}),
    };
  }
}
