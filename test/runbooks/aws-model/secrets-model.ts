import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { serviceError } from './aws-errors';

/** One secret. */
export interface ModelSecret {
  readonly name: string;
  value: string;
  /** Set when the secret is scheduled for deletion. */
  deletedDate?: Date;
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
   * DescribeSecret: a missing secret is ResourceNotFoundException ("Secrets Manager can't find the resource that you
   * asked for"); a secret scheduled for deletion has `DeletedDate`
   * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html).
   */
  describeSecret(input: Input, region: string): unknown {
    const secret = this.secret(input, region);
    return {
      ARN: this.arn(region, secret.name),
      Name: secret.name,
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
