import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { RetryPolicy } from 'cockatiel';
import { NonRetriableError } from '../../core/errors';
import type { CredentialsPort, DatabaseCredentials } from '../../ports';
import { awsCall, DEFAULT_RETRY, type RetrySettings, retryPolicy } from './aws-call';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';
import { CREDENTIALS_ACTIONS } from './required-actions';

/** Options of {@link AwsCredentials}. */
export interface AwsCredentialsOptions {
  /** @default - a Secrets Manager client per Region */
  readonly secretsFor?: (region: string) => SecretsManagerClient;
  readonly retry?: Partial<RetrySettings>;
}

/**
 * Database credentials read from Secrets Manager at the moment they are needed (the secret format RDS uses: JSON with
 * `username` and `password`). Never cached across runs, never put in an environment variable, never logged.
 */
export class AwsCredentials implements CredentialsPort {
  /** IAM actions each method needs (see required-actions.ts). */
  static readonly requiredActions = CREDENTIALS_ACTIONS;

  private readonly clients = new Map<string, SecretsManagerClient>();
  private readonly policy: RetryPolicy;

  constructor(private readonly options: AwsCredentialsOptions = {}) {
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async databaseCredentials(region: string, secretId: string): Promise<DatabaseCredentials> {
    let client = this.clients.get(region);
    if (!client) {
      client =
        this.options.secretsFor?.(region) ??
        new SecretsManagerClient({
          region,
          maxAttempts: 1,
          requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
        });
      this.clients.set(region, client);
    }
    const answer = await awsCall(this.policy, `GetSecretValue ${secretId} in ${region}`, () =>
      client.send(new GetSecretValueCommand({ SecretId: secretId })),
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.SecretString ?? '');
    } catch {
      parsed = undefined;
    }
    const value = parsed as { username?: unknown; password?: unknown } | undefined;
    if (typeof value?.username !== 'string' || typeof value.password !== 'string') {
      // The message must not include the secret's content.
      throw new NonRetriableError(`secret ${secretId} in ${region} is not JSON with string "username" and "password"`);
    }
    return { username: value.username, password: value.password };
  }
}
