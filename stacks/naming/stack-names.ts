import { resourcePrefix } from './resource-prefix';

/** CloudFormation stack names of one environment; stable, so stateful stacks are never renamed. */
export interface StackNames {
  /** VPC, subnets, endpoints and flow logs of a Region. */
  network(region: string): string;
  /** Stateful resources of a Region (KMS key, Aurora clusters, DynamoDB global tables); termination-protected. */
  data(region: string): string;
  /** ECS cluster, Fargate services and the load balancer of a Region. */
  services(region: string): string;
  /** Canaries, alarms and the dashboard of a Region. */
  observability(region: string): string;
  /** Runbook Lambda functions, SSM Automation documents and the report bucket of a Region. */
  runbooks(region: string): string;
  /** The global routing stack (ARC and Route 53), deployed to the ARC control-plane Region. */
  readonly routing: string;
}

/**
 * Names the stacks of an environment. Stack names carry the Region, not the role, so a stack keeps its name
 * whichever role its Region plays.
 *
 * @example stackNames('shop', 'dev').data(region) // 'shop-dev-<region>-data'
 */
export function stackNames(appName: string, envName: string): StackNames {
  const prefix = resourcePrefix(appName, envName);
  return {
    network: (region) => `${prefix}-${region}-network`,
    data: (region) => `${prefix}-${region}-data`,
    services: (region) => `${prefix}-${region}-services`,
    observability: (region) => `${prefix}-${region}-observability`,
    runbooks: (region) => `${prefix}-${region}-runbooks`,
    routing: `${prefix}-global-routing`,
  };
}
