import type { Stack } from 'aws-cdk-lib';
import type { PermissionScope } from '../../stacks/runbooks/runbook-permissions';

/**
 * What the standby Region's (us-west-2, peer us-east-1, account 111111111111) runbook functions act on, as the stack
 * tests give it to a construct: the shop's names, no routing; `overrides` adds a test's databases or routing.
 */
export function standbyPermissionScope(stack: Stack, overrides: Partial<PermissionScope> = {}): PermissionScope {
  const region = 'us-west-2';
  const account = '111111111111';
  return {
    stack,
    region,
    peerRegion: 'us-east-1',
    globalClusterIdentifiers: ['shop-dev-orders-global'],
    clusterIdentifiers: ['shop-dev-orders'],
    secretNames: [],
    temporaryPrefix: 'shop-dev-rcv-',
    recoverySubnetGroupName: 'shop-dev-recovery',
    dataKeyArn: `arn:aws:kms:${region}:${account}:key/1`,
    peerDataKeyAlias: 'alias/shop-dev/data',
    bucketArn: 'arn:aws:s3:::bucket',
    bucketKeyArn: `arn:aws:kms:${region}:${account}:key/2`,
    ecsClusterName: 'shop-dev',
    writerServices: [],
    ...overrides,
  };
}
