import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { RetryPolicy } from 'cockatiel';
import type { ServiceCapacityPort, ServiceCount } from '../../ports';
import { awsCall, DEFAULT_RETRY, isThrottling, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { requestHandlerOptions } from './request-limits';
import { SERVICE_CAPACITY_ACTIONS } from './required-actions';

/** Options of {@link EcsServiceCapacity}. */
export interface EcsServiceCapacityOptions {
  /** @default - an ECS client per Region, one attempt, 2 s to connect and 5 s per request */
  readonly ecsFor?: (region: string) => ECSClient;
  /** @default - an Application Auto Scaling client per Region, with the same limits */
  readonly autoScalingFor?: (region: string) => ApplicationAutoScalingClient;
  /** Retries of throttling (only: a Region that does not answer may be the failed one). @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

/** Services one DescribeServices request may name (API_DescribeServices). */
const SERVICES_PER_DESCRIBE = 10;

/** Short limits: the Region asked may be the failed one. */
const REQUEST_HANDLER = requestHandlerOptions({ connectionTimeoutMs: 2000, requestTimeoutMs: 5000 });

/** ECS service task counts (DescribeServices, UpdateService) and their autoscaling minimums (DescribeScalableTargets). */
export class EcsServiceCapacity implements ServiceCapacityPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = SERVICE_CAPACITY_ACTIONS;

  private readonly ecs: (region: string) => ECSClient;
  private readonly autoScaling: (region: string) => ApplicationAutoScalingClient;
  private readonly policy: RetryPolicy;

  constructor(options: EcsServiceCapacityOptions = {}) {
    this.ecs = perRegion(
      options.ecsFor ?? ((region) => new ECSClient({ region, maxAttempts: 1, requestHandler: REQUEST_HANDLER })),
    );
    this.autoScaling = perRegion(
      options.autoScalingFor ??
        ((region) => new ApplicationAutoScalingClient({ region, maxAttempts: 1, requestHandler: REQUEST_HANDLER })),
    );
    // Throttling is retried (the target Region answers, only slowly); a Region that does not answer is not: it may be
    // the failed one, and the fence must give up within seconds.
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry }, isThrottling);
  }

  async describe(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, ServiceCount>>> {
    if (services.length === 0) return {};
    const counts: Record<string, ServiceCount> = {};
    // "You may specify up to 10 services to describe." (ECS API Reference, DescribeServices, `services`).
    for (let i = 0; i < services.length; i += SERVICES_PER_DESCRIBE) {
      const batch = services.slice(i, i + SERVICES_PER_DESCRIBE);
      const answer = await awsCall(this.policy, `DescribeServices ${batch.join(', ')} in ${region}`, () =>
        this.ecs(region).send(new DescribeServicesCommand({ cluster: ecsClusterName, services: batch })),
      );
      for (const s of answer.services ?? []) {
        if (s.serviceName && s.status !== 'INACTIVE') {
          counts[s.serviceName] = { desired: s.desiredCount ?? 0, running: s.runningCount ?? 0 };
        }
      }
    }
    return counts;
  }

  async setDesiredCount(region: string, ecsClusterName: string, service: string, count: number): Promise<void> {
    await awsCall(this.policy, `UpdateService ${service} desiredCount ${count} in ${region}`, () =>
      this.ecs(region).send(new UpdateServiceCommand({ cluster: ecsClusterName, service, desiredCount: count })),
    );
  }

  async setScalingMinimum(region: string, ecsClusterName: string, service: string, minimum: number): Promise<void> {
    // RegisterScalableTarget on a registered target updates it: "If you call the RegisterScalableTarget API operation
    // to create a scalable target, ... you can also use it to update ... the minimum and maximum capacity"
    // (Application Auto Scaling API Reference, RegisterScalableTarget). Only MinCapacity is sent: the maximum stays.
    await awsCall(this.policy, `RegisterScalableTarget ${service} MinCapacity ${minimum} in ${region}`, () =>
      this.autoScaling(region).send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: 'ecs',
          ScalableDimension: 'ecs:service:DesiredCount',
          ResourceId: `service/${ecsClusterName}/${service}`,
          MinCapacity: minimum,
        }),
      ),
    );
  }

  async scalingMinimums(
    region: string,
    ecsClusterName: string,
    services: readonly string[],
  ): Promise<Readonly<Record<string, number>>> {
    if (services.length === 0) return {};
    // Application Auto Scaling names an ECS service "service/<cluster>/<service>" (RegisterScalableTarget ResourceId).
    const ids = services.map((s) => `service/${ecsClusterName}/${s}`);
    const minimums: Record<string, number> = {};
    let nextToken: string | undefined;
    do {
      // "If this parameter is not used, the operation returns up to 50 results and a NextToken value, if applicable."
      // (Application Auto Scaling API Reference, DescribeScalableTargets, MaxResults): every page is read.
      const answer = await awsCall(this.policy, `DescribeScalableTargets ${ids.join(', ')} in ${region}`, () =>
        this.autoScaling(region).send(
          new DescribeScalableTargetsCommand({
            ServiceNamespace: 'ecs',
            ScalableDimension: 'ecs:service:DesiredCount',
            ResourceIds: ids,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const target of answer.ScalableTargets ?? []) {
        const service = target.ResourceId?.split('/')[2];
        if (service && target.MinCapacity !== undefined) minimums[service] = target.MinCapacity;
      }
      nextToken = answer.NextToken;
    } while (nextToken);
    return minimums;
  }
}
