import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsCredentials } from '../../../../runbooks/adapters/aws/secrets-credentials';
import { NonRetriableError } from '../../../../runbooks/core/errors';
import { QUICK_RETRY } from './sdk-calls';

function setup() {
  const client = new SecretsManagerClient({ region: 'us-west-2' });
  const mock = mockClient(client);
  return { adapter: new AwsCredentials({ secretsFor: () => client, retry: QUICK_RETRY }), mock };
}

describe('AwsCredentials', () => {
  test('reads username and password from the secret at the moment they are needed, every time', async () => {
    const { adapter, mock } = setup();
    mock
      .on(GetSecretValueCommand, { SecretId: 'shop/dev/orders/master' })
      .resolvesOnce({
        SecretString: JSON.stringify({ username: 'postgres', password: 'before-rotation', engine: 'postgres' }),
      })
      .resolves({ SecretString: JSON.stringify({ username: 'postgres', password: 'after-rotation' }) });
    expect(await adapter.databaseCredentials('us-west-2', 'shop/dev/orders/master')).toEqual({
      username: 'postgres',
      password: 'before-rotation',
    });
    expect(await adapter.databaseCredentials('us-west-2', 'shop/dev/orders/master')).toEqual({
      username: 'postgres',
      password: 'after-rotation',
    });
    expect(mock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  test('a secret that is not the RDS JSON format is a non-retriable error that does not reveal the value', async () => {
    const { adapter, mock } = setup();
    mock.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2' });
    const error = await adapter.databaseCredentials('us-west-2', 'shop/dev/orders/master').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe(
      'secret shop/dev/orders/master in us-west-2 is not JSON with string "username" and "password"',
    );
    expect((error as Error).message).not.toContain('hunter2');
  });
});
