import { parseTopology, type Topology } from '../../topology';

/**
 * The topology the local adapter simulates when no `--topology` file is given: the shop's two databases, two
 * Regions, one routing control each, the canary and readiness alarms and the DynamoDB global tables readiness looks
 * at. Regions are the project's defaults; any pair works.
 */
export function demoTopology(primaryRegion = 'us-east-1', standbyRegion = 'us-west-2'): Topology {
  const region = (name: string) => ({
    healthUrls: [`https://ui.${name}.shop.example.invalid/health/ready`],
    ecsClusterName: `shop-dev-${name}`,
    services: ['ui', 'catalog', 'carts', 'orders', 'checkout'],
    writerServices: ['catalog', 'orders'],
    minimumRunningTasks: 2,
    secretIds: ['shop-dev/catalog-db', 'shop-dev/orders-db'],
    // The deterministic alarm names of stacks/naming/alarm-names.ts: both canaries, and the scheduled readiness.
    canaryAlarmNames: [`shop-dev-${name}-canary-local`, `shop-dev-${name}-canary-global`],
    readinessAlarmName: `shop-dev-${name}-readiness`,
    // The services stack's parameter (stacks/deployed-commit.ts, stack names of stacks/naming/stack-names.ts).
    deployedCommitParameterName: `/shop-dev-${name}-services/deployed-commit`,
    recovery: {
      subnetGroupName: 'shop-dev-recovery',
      securityGroupIds: ['sg-0123456789abcdef0'],
      kmsKeyId: `arn:aws:kms:${name}:000000000000:key/00000000-0000-4000-8000-000000000000`,
      instanceClass: 'db.r6g.large',
    },
  });
  return parseTopology(
    {
      appName: 'shop',
      envName: 'dev',
      primaryRegion,
      standbyRegion,
      databases: ['catalog', 'orders'].map((name) => ({
        name,
        globalClusterIdentifier: `shop-dev-${name}`,
        secretId: `shop-dev/${name}-db`,
        databaseName: name,
      })),
      routing: {
        clusterArn: 'arn:aws:route53-recovery-control::000000000000:cluster/00000000-0000-4000-8000-000000000001',
        controls: {
          [primaryRegion]: `arn:aws:route53-recovery-control::000000000000:controlpanel/0000000000000000/routingcontrol/${primaryRegion}`,
          [standbyRegion]: `arn:aws:route53-recovery-control::000000000000:controlpanel/0000000000000000/routingcontrol/${standbyRegion}`,
        },
      },
      regions: { [primaryRegion]: region(primaryRegion), [standbyRegion]: region(standbyRegion) },
      readiness: { tables: ['shop-dev-carts', 'shop-dev-checkout'] },
    },
    'demo topology',
  );
}
