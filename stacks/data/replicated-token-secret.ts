import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { RegionRole } from '../region-role';

/** A generated secret (letters and digits) that both Regions read: see {@link replicatedTokenSecret}. */
export interface ReplicatedTokenSecretProps {
  readonly role: RegionRole;
  readonly secretName: string;
  readonly description: string;
  readonly length: number;
  /** The standby Region, where the primary's secret is replicated. */
  readonly peerRegion: string;
  /** Why it is not rotated automatically (the cdk-nag AwsSolutions-SMG4 acknowledgement). */
  readonly whyNotRotated: string;
}

/**
 * In the primary Region, a secret Secrets Manager generates (letters and digits: it travels in headers and
 * environment variables), replicated to the standby; in the standby, a reference to that replica by name. The
 * AWS-managed key (aws/secretsmanager) exists in both Regions, so the replica needs no key from the standby's data
 * stack, which deploys after the primary's.
 */
export function replicatedTokenSecret(
  scope: Construct,
  id: string,
  props: ReplicatedTokenSecretProps,
): secretsmanager.ISecret {
  if (props.role !== 'primary') return secretsmanager.Secret.fromSecretNameV2(scope, id, props.secretName);
  const secret = new secretsmanager.Secret(scope, id, {
    secretName: props.secretName,
    description: props.description,
    generateSecretString: { passwordLength: props.length, excludePunctuation: true, includeSpace: false },
    replicaRegions: [{ region: props.peerRegion }],
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: props.whyNotRotated });
  return secret;
}
