import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { serviceError } from './aws-errors';

/** One secret. */
export interface ModelSecret {
  readonly name: string;
  value: string;
  /** Set when the secret is scheduled for deletion. */
  deletedDate?: Date;
  /** The Region of the primary secret, when this one is a replica. */
  primaryRegion?: string;
  /** On a primary: its replicas and their status (see {@link SecretsModel.replicate}). */
  replicas?: { region: string; status: 'InSync' | 'InProgress' | 'Failed'; message?: string }[];
}

type Input = Readonly<Record<string, unknown>>;

/** Secrets Manager, one store per Region (replicas have the same name in each Region). */
export class SecretsModel {
  /** Keyed `<region>/<name>`. */
  readonly secrets = new Map<string, ModelSecret>();

  constructor(private readonly accountId: string) {}

  /** Adds (or replaces) a secret. */
  put(region: string, name: string, value: string): void {
    this.secrets.set(`${region}/${name}`, { name, value });
  }

  /**
   * Makes the secret of `primaryRegion` the primary of replicas of the same name in `replicaRegions` (which must hold
   * it already), each with `status`: "Secrets Manager replicates the encrypted secret data and metadata such as tags
   * and resource policies across the specified Regions" (Secrets Manager User Guide, Replicate secrets).
   */
  replicate(
    primaryRegion: string,
    name: string,
    replicaRegions: readonly string[],
    status: 'InSync' | 'InProgress' | 'Failed' = 'InSync',
  ): void {
    const primary = this.secrets.get(`${primaryRegion}/${name}`);
    if (!primary) throw new Error(`model: no secret ${name} in ${primaryRegion}`);
    primary.replicas = replicaRegions.map((region) => ({ region, status }));
    for (const region of replicaRegions) {
      const replica = this.secrets.get(`${region}/${name}`);
      if (!replica) throw new Error(`model: no secret ${name} in ${region} to be the replica`);
      replica.primaryRegion = primaryRegion;
    }
  }

  /**
   * DescribeSecret: a missing secret is ResourceNotFoundException ("Secrets Manager can't find the resource that you
   * asked for"); a secret scheduled for deletion has `DeletedDate`
   * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html).
   */
  describeSecret(input: Input, region: string): unknown {
    const secret = this.secret(input, region);
    // "PrimaryRegion: The Region the secret is in. If a secret is replicated to other Regions, the replicas are listed
    // in ReplicationStatus." (API_DescribeSecret). Only the primary lists them in the model (model choice: whether a
    // replica's answer lists them too is UNVERIFIED).
    const replicas = secret.primaryRegion ? [] : (secret.replicas ?? []);
    return {
      ARN: this.arn(region, secret.name),
      Name: secret.name,
      PrimaryRegion: secret.primaryRegion ?? region,
      ...(replicas.length
        ? {
            ReplicationStatus: replicas.map((r) => ({
              Region: r.region,
              Status: r.status,
              ...(r.message ? { StatusMessage: r.message } : {}),
            })),
          }
        : {}),
      ...(secret.deletedDate ? { DeletedDate: secret.deletedDate } : {}),
    };
  }

  /** GetSecretValue: `SecretString`; missing is ResourceNotFoundException. */
  getSecretValue(input: Input, region: string): unknown {
    const secret = this.secret(input, region);
    return { ARN: this.arn(region, secret.name), Name: secret.name, SecretString: secret.value, VersionId: 'v1' };
  }

  private secret(input: Input, region: string): ModelSecret {
    const id = String(input.SecretId ?? '');
    const name = id.startsWith('arn:') ? (id.split(':secret:')[1] ?? '').replace(/-[A-Za-z0-9]{6}$/, '') : id;
    const found = this.secrets.get(`${region}/${name}`);
    if (!found) throw serviceError(ResourceNotFoundException, "Secrets Manager can't find the specified secret.");
    return found;
  }

  private arn(region: string, name: string): string {
    return `arn:aws:secretsmanager:${region}:${this.accountId}:secret:${name}-AbCdEf`;
  }
}
