import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../../config';
import { bootstrapCommands } from '../../pipeline/bootstrap';
import { GitHubOidcStack } from '../../pipeline/github-oidc-stack';

function oidcStack(existingOidcProvider = false) {
  const app = new App();
  const config = loadConfig({ base: { githubRepository: 'acme/shop', account: '123456789012' } });
  const stack = new GitHubOidcStack(app, 'Oidc', {
    env: { account: config.account, region: config.primaryRegion },
    config,
    existingOidcProvider,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

const trust = (template: Template, roleName: string) =>
  Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }))[0]?.Properties
    .AssumeRolePolicyDocument.Statement[0].Condition.StringLike['token.actions.githubusercontent.com:sub'];

describe('GitHubOidcStack', () => {
  test('the deploy role trusts only this repository: the deploy branch and the split bake wait-timer Environments', () => {
    // The wave approval Environments (us-east-1, us-west-2, global) hold reviewers and no credentialed job: a job
    // in them gets no deploy credentials.
    const { template } = oidcStack();
    expect(trust(template, 'shop-dev-github-deploy')).toEqual([
      'repo:acme/shop:ref:refs/heads/main',
      'repo:acme/shop:environment:us-east-1-bake-wait',
      'repo:acme/shop:environment:us-west-2-bake-wait',
    ]);
  });

  test.each(['shop-dev-github-deploy', 'shop-dev-github-failover'])(
    '%s accepts only tokens issued for STS (aud condition, review m1)',
    (roleName) => {
      // configure-aws-credentials requests its OIDC token with the audience sts.amazonaws.com by default.
      const { template } = oidcStack();
      const role = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }))[0]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toEqual({
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      });
    },
  );

  test('the failover role trusts only jobs in the failover Environment', () => {
    const { template } = oidcStack();
    expect(trust(template, 'shop-dev-github-failover')).toEqual(['repo:acme/shop:environment:failover']);
  });

  test('the failover role may start only the shop runbook documents in both Regions', () => {
    const { template } = oidcStack();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'StartRunbookAutomations',
            Action: 'ssm:StartAutomationExecution',
            Resource: Match.arrayWith([
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ssm:us-east-1:123456789012:automation-definition/shop-dev-failover:*',
                  ],
                ],
              },
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ssm:us-west-2:123456789012:automation-definition/shop-dev-switchover:*',
                  ],
                ],
              },
            ]),
          }),
        ]),
      },
    });
  });

  test.each([
    ['shop-dev-github-deploy', ['ssm:GetParameter']],
    ['shop-dev-github-failover', ['ssm:GetParameter', 'ssm:PutParameter']],
  ])('%s may use the deploy freeze parameter in both Regions: %j', (roleName, actions) => {
    // GIVEN the policies attached to the role
    const { template } = oidcStack();
    const roleId = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }))[0]!;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(
        (policy) =>
          policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
      );
    // WHEN we look for the statement granting the freeze parameter
    const freeze = statements.filter((statement) => JSON.stringify(statement.Resource).includes('/deploy-freeze'));
    // THEN it grants exactly the calls the freeze CLI makes, on /shop/dev/deploy-freeze in each Region
    expect(freeze).toHaveLength(1);
    expect([freeze[0]!.Action].flat().sort()).toEqual(actions);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(JSON.stringify(freeze[0]!.Resource)).toContain(
        `:ssm:${region}:123456789012:parameter/shop/dev/deploy-freeze`,
      );
    }
  });

  test.each([
    ['shop-dev-github-deploy', 3600],
    ['shop-dev-github-failover', 3600],
  ])('%s allows sessions of %i s: as long as any workflow job asks for it', (roleName, seconds) => {
    // IAM: "If you specify a value higher than this setting [...], the operation fails." (DurationSeconds). The data
    // stacks' jobs ask the deploy role for 3600 s, the failover job the failover role for 3300 s.
    const { template } = oidcStack();
    const role = Object.values(template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }))[0]!;
    expect(role.Properties.MaxSessionDuration).toBe(seconds);
  });

  test('the deploy role may read and write the rolled-back marks of both Regions (record refuses a marked commit, the rollback marks it)', () => {
    const { template } = oidcStack();
    const roleId = Object.keys(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-dev-github-deploy' } }),
    )[0]!;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(
        (policy) =>
          policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
      );
    const marks = statements.filter((statement) => JSON.stringify(statement.Resource).includes('/deploy/rolled-back/'));
    expect(marks).toHaveLength(1);
    expect([marks[0]!.Action].flat().sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(JSON.stringify(marks[0]!.Resource)).toContain(
        `:ssm:${region}:123456789012:parameter/shop/dev/deploy/rolled-back/*`,
      );
    }
  });

  test('the failover role may list automation executions (the CLI refuses or attaches to one in flight)', () => {
    const { template } = oidcStack();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'FollowRunbookAutomations',
            Action: Match.arrayWith(['ssm:DescribeAutomationExecutions']),
          }),
        ]),
      },
    });
  });

  test('creates the OIDC provider unless the account has one', () => {
    expect(Object.keys(oidcStack().template.findResources('Custom::AWSCDKOpenIdConnectProvider'))).toHaveLength(1);
    expect(Object.keys(oidcStack(true).template.findResources('Custom::AWSCDKOpenIdConnectProvider'))).toHaveLength(0);
  });

  test('cdk-nag AWS Solutions finds nothing unacknowledged', () => {
    const { stack } = oidcStack();
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });
});

describe('bootstrapCommands', () => {
  test('bootstraps both Regions and the ARC control-plane Region once each, then deploys the OIDC roles', () => {
    const config = loadConfig({
      base: { account: '123456789012', primaryRegion: 'eu-west-1', standbyRegion: 'us-west-2' },
    });
    expect(bootstrapCommands(config, { existingOidcProvider: false })).toEqual([
      ['npx', 'cdk', 'bootstrap', 'aws://123456789012/eu-west-1', 'aws://123456789012/us-west-2'],
      [
        'npx',
        'cdk',
        'deploy',
        '--app',
        'npx tsx pipeline/github-oidc-app.ts',
        '--context',
        'existingOidcProvider=false',
        '--require-approval',
        'broadening',
        '--all',
      ],
    ]);
  });
});
