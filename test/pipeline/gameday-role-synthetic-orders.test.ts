import { App, Stack } from 'aws-cdk-lib';
import { loadConfig } from '../../config';
import { gameDayStatements } from '../../pipeline/gameday-role-policy';
import { SYNTHETIC_ORDERS_ACTIONS } from '../../runbooks/adapters/aws/gameday-synthetic-orders';

// Issue 16: the game day's clean-up invokes the runbook function that removes its synthetic orders; the game-day role
// may invoke exactly that function, in both Regions, and nothing else of Lambda.

describe('the game-day role and the synthetic orders removal function', () => {
  const config = loadConfig({ base: { githubRepository: 'acme/shop' } });
  const stack = new Stack(new App(), 'Oidc', { env: { account: '111122223333', region: config.primaryRegion } });
  const statements = gameDayStatements(stack, config).map((statement) => stack.resolve(statement.toStatementJson()));

  test('GIVEN the adapters’ requiredActions THEN lambda:InvokeFunction is granted on exactly the removal function of each Region', () => {
    const lambda = statements.filter((statement) =>
      [statement.Action].flat().some((action: string) => action.startsWith('lambda:')),
    );
    expect(lambda).toHaveLength(1);
    expect([lambda[0].Action].flat()).toEqual([...SYNTHETIC_ORDERS_ACTIONS.remove]);
    expect(JSON.stringify(lambda[0].Resource)).not.toContain('*');
    const resources = [lambda[0].Resource]
      .flat()
      .map((resource: unknown) => JSON.stringify(resource).replace(/\{"Ref":"AWS::Partition"\}/g, 'aws'));
    expect(resources).toEqual(
      [config.primaryRegion, config.standbyRegion].map((region) =>
        expect.stringContaining(`:lambda:${region}:111122223333:function:shop-dev-remove-synthetic-orders`),
      ),
    );
  });
});
