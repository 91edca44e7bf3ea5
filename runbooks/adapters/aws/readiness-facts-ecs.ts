import {
  type ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { RetryPolicy } from 'cockatiel';
import type { ScalingLimits, ServiceFacts } from '../../ports';
import { awsCall } from './aws-call';
import { taskSettings } from './readiness-facts-task-settings';

/** What the ECS half of the readiness facts needs. */
export interface EcsFactsContext {
  readonly ecs: (region: string) => ECSClient;
  readonly autoScaling: (region: string) => ApplicationAutoScalingClient;
  readonly policy: RetryPolicy;
  readonly regionSpecificEnvironment?: readonly string[];
}

/** "You may specify up to 10 services to describe." (ECS API Reference, DescribeServices, `services`). */
const SERVICES_PER_DESCRIBE = 10;
/** "tasks: A list of up to 100 task IDs or full ARN entries." (ECS API Reference, DescribeTasks). */
const TASKS_PER_DESCRIBE = 100;

const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/**
 * Each service's task definition (its PRIMARY deployment's), the settings derived from it and the image digests
 * its running tasks run. A service that does not exist, or is not ACTIVE, is left out.
 */
export async function ecsServiceFacts(
  ctx: EcsFactsContext,
  region: string,
  cluster: string,
  services: readonly string[],
): Promise<Record<string, ServiceFacts>> {
  const found: Service[] = [];
  for (const batch of chunks(services, SERVICES_PER_DESCRIBE)) {
    // Unknown services come back in `failures` with reason MISSING (ECS API Reference, DescribeServices, Errors and
    // Failure); a cluster that does not exist is ClusterNotFoundException, which fails the read (the caller decides).
    const answer = await awsCall(ctx.policy, `DescribeServices ${batch.join(', ')} in ${region}`, () =>
      ctx.ecs(region).send(new DescribeServicesCommand({ cluster, services: batch })),
    );
    // "The status of the service. The valid values are ACTIVE, DRAINING, or INACTIVE." (API_Service): a draining
    // service is being deleted, an inactive one was.
    for (const s of answer.services ?? []) if (s.serviceName && s.status === 'ACTIVE') found.push(s);
  }
  const definitions = new Map<string, TaskDefinition>();
  const facts: Record<string, ServiceFacts> = {};
  for (const s of found) {
    const name = s.serviceName!;
    // Deployment.status: "PRIMARY: The most recent deployment of a service." (API_Deployment); its taskDefinition is
    // what new tasks start from. A service without deployments (external controller) has only its own field.
    const arn = s.deployments?.find((d) => d.status === 'PRIMARY')?.taskDefinition ?? s.taskDefinition;
    if (!arn) continue;
    let definition = definitions.get(arn);
    if (!definition) {
      const answer = await awsCall(ctx.policy, `DescribeTaskDefinition ${arn} in ${region}`, () =>
        ctx.ecs(region).send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })),
      );
      if (!answer.taskDefinition) continue;
      definition = answer.taskDefinition;
      definitions.set(arn, definition);
    }
    const { vcpu, memoryMiB, settings } = taskSettings(definition, ctx.regionSpecificEnvironment);
    facts[name] = {
      service: name,
      taskDefinitionArn: arn,
      vcpu,
      memoryMiB,
      settings,
      runningDigests: await runningDigests(ctx, region, cluster, name),
      desired: s.desiredCount ?? 0,
      running: s.runningCount ?? 0,
    };
  }
  return facts;
}

/**
 * The image digests the service's RUNNING tasks run, per container name (sorted, distinct). Tasks of an older
 * deployment that still run are included: what runs is what the check compares.
 */
async function runningDigests(
  ctx: EcsFactsContext,
  region: string,
  cluster: string,
  service: string,
): Promise<Record<string, string[]>> {
  const taskArns: string[] = [];
  let nextToken: string | undefined;
  do {
    // ListTasks: "desiredStatus: The task desired status to use when filtering the ListTasks results" and
    // "serviceName: The name of the service to use when filtering the ListTasks results" (API_ListTasks); up to 100
    // per page with nextToken.
    const page = await awsCall(ctx.policy, `ListTasks ${service} in ${region}`, () =>
      ctx.ecs(region).send(
        new ListTasksCommand({
          cluster,
          serviceName: service,
          desiredStatus: 'RUNNING',
          maxResults: 100,
          ...(nextToken ? { nextToken } : {}),
        }),
      ),
    );
    taskArns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const digests: Record<string, Set<string>> = {};
  for (const batch of chunks(taskArns, TASKS_PER_DESCRIBE)) {
    const answer = await awsCall(ctx.policy, `DescribeTasks ${service} (${batch.length}) in ${region}`, () =>
      ctx.ecs(region).send(new DescribeTasksCommand({ cluster, tasks: batch })),
    );
    for (const task of answer.tasks ?? []) {
      if (task.lastStatus !== 'RUNNING') continue;
      // Container.imageDigest: "The container image manifest digest." (API_Container).
      for (const c of task.containers ?? []) {
        if (!c.name || !c.imageDigest) continue;
        const set = digests[c.name] ?? new Set<string>();
        set.add(c.imageDigest);
        digests[c.name] = set;
      }
    }
  }
  return Object.fromEntries(Object.entries(digests).map(([name, set]) => [name, [...set].sort()]));
}

/** Each service's Application Auto Scaling range; a service without a scalable target is left out. */
export async function ecsScalingLimits(
  ctx: EcsFactsContext,
  region: string,
  cluster: string,
  services: readonly string[],
): Promise<Record<string, ScalingLimits>> {
  if (services.length === 0) return {};
  // ResourceId of an ECS service: "The resource type is service and the unique identifier is the cluster name and
  // service name. Example: service/my-cluster/my-service." (API_DescribeScalableTargets).
  const ids = services.map((s) => `service/${cluster}/${s}`);
  const targets: ScalableTarget[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall(ctx.policy, `DescribeScalableTargets ${ids.join(', ')} in ${region}`, () =>
      ctx.autoScaling(region).send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ScalableDimension: 'ecs:service:DesiredCount',
          ResourceIds: ids,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      ),
    );
    targets.push(...(page.ScalableTargets ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const limits: Record<string, ScalingLimits> = {};
  for (const t of targets) {
    const service = t.ResourceId?.split('/')[2];
    if (service && services.includes(service) && t.MinCapacity !== undefined && t.MaxCapacity !== undefined) {
      limits[service] = { min: t.MinCapacity, max: t.MaxCapacity };
    }
  }
  return limits;
}
