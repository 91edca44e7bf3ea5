import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { runbookStacks } from '../../.github/actions/failover/stack-operations';
import { loadConfig, type ShopConfig } from '../../config';
import { bootstrapCommands } from '../../pipeline/bootstrap';
import { GitHubOidcStack } from '../../pipeline/github-oidc-stack';

function oidcStack(existingOidcProvider = false, routingMode: ShopConfig['routingMode'] = 'arc-cluster') {
  const app = new App();
  const config = {
    ...loadConfig({ base: { githubRepository: 'acme/shop', account: '123456789012' } }),
    routingMode,
  };
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
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals).toMatchObject({
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      });
    },
  );

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
    const statements = roleStatements(template, roleName);
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
    const statements = roleStatements(template, 'shop-dev-github-deploy');
    const marks = statements.filter((statement) => JSON.stringify(statement.Resource).includes('/deploy/rolled-back/'));
    expect(marks).toHaveLength(1);
    expect([marks[0]!.Action].flat().sort()).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(JSON.stringify(marks[0]!.Resource)).toContain(
        `:ssm:${region}:123456789012:parameter/shop/dev/deploy/rolled-back/*`,
      );
    }
  });

  test('the deploy role may read and write the confirmed known-good record and its candidate in both Regions (two-phase known-good, M5)', () => {
    const { template } = oidcStack();
    const statements = roleStatements(template, 'shop-dev-github-deploy');
    for (const name of ['last-known-good', 'known-good-candidate']) {
      for (const region of ['us-east-1', 'us-west-2']) {
        const arn = `:ssm:${region}:123456789012:parameter/shop/dev/deploy/${name}"`;
        const granting = statements.filter((statement) => JSON.stringify(statement.Resource).includes(arn));
        expect({ name, region, actions: granting.flatMap((statement) => [statement.Action].flat()).sort() }).toEqual({
          name,
          region,
          actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        });
      }
    }
  });

  // Review M4/M5/M12: record reads each recorded template (S3) and its image digests (ECR), plan checks they still
  // exist, record and verify describe every stack of the rollback set (services, observability, runbooks, routing).
  test('the deploy role may read the release artifacts a rollback redeploys and describe every stack of the rollback set', () => {
    const { template } = oidcStack();
    const statements = roleStatements(template, 'shop-dev-github-deploy');
    const granting = (action: string, resource: string) =>
      statements.some(
        (statement) =>
          [statement.Action].flat().includes(action) && JSON.stringify(statement.Resource).includes(resource),
      );
    for (const region of ['us-east-1', 'us-west-2']) {
      const bucket = `cdk-hnb659fds-assets-123456789012-${region}`;
      // S3 HeadObject answers 404 for a missing key only with s3:ListBucket (else 403): plan tells gone from denied.
      expect([region, granting('s3:GetObject', `:s3:::${bucket}/*`)]).toEqual([region, true]);
      expect([region, granting('s3:ListBucket', `:s3:::${bucket}"`)]).toEqual([region, true]);
      expect([
        region,
        granting(
          'ecr:DescribeImages',
          `:ecr:${region}:123456789012:repository/cdk-hnb659fds-container-assets-123456789012-${region}`,
        ),
      ]).toEqual([region, true]);
      for (const kind of ['services', 'observability', 'runbooks']) {
        expect([kind, granting('cloudformation:DescribeStacks', `:stack/shop-dev-${region}-${kind}/*`)]).toEqual([
          kind,
          true,
        ]);
      }
    }
    expect(granting('cloudformation:DescribeStacks', ':stack/shop-dev-global-routing/*')).toBe(true);
  });

  // Review M12: every bake runs the readiness runbook as a dry run (bake-gate mode readiness). The deploy role may start
  // exactly that document in each Region, follow its execution, pass the automation roles to SSM only, and read the
  // routing parameter whose absence defers the primary's first readiness.
  test('the deploy role may start and follow the readiness runbook only, and pass only the automation roles to SSM', () => {
    const { template } = oidcStack();
    const statements = roleStatements(template, 'shop-dev-github-deploy');
    const granting = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));

    const start = granting('ssm:StartAutomationExecution');
    expect(start).toHaveLength(1);
    expect(JSON.stringify(start[0]!.Resource).match(/automation-definition\/[^"]+/g)).toEqual([
      'automation-definition/shop-dev-readiness:*',
      'automation-definition/shop-dev-readiness:*',
    ]);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(JSON.stringify(start[0]!.Resource)).toContain(`:ssm:${region}:123456789012:automation-definition/`);
    }

    const follow = granting('ssm:GetAutomationExecution');
    expect(follow).toHaveLength(1);
    expect([follow[0]!.Action].flat().sort()).toEqual([
      'ssm:DescribeAutomationStepExecutions',
      'ssm:GetAutomationExecution',
    ]);

    const passRole = granting('iam:PassRole');
    expect(passRole).toHaveLength(1);
    expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } });
    expect(JSON.stringify(passRole[0]!.Resource).match(/role\/[^"]+/g)).toEqual([
      'role/shop-dev-us-east-1-runbook',
      'role/shop-dev-us-west-2-runbook',
    ]);

    const routing = statements.filter((s) => JSON.stringify(s.Resource).includes('/arc-routing'));
    expect(routing).toHaveLength(1);
    expect([routing[0]!.Action].flat()).toEqual(['ssm:GetParameter']);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(JSON.stringify(routing[0]!.Resource)).toContain(
        `:ssm:${region}:123456789012:parameter/shop/dev/arc-routing"`,
      );
    }
  });

  test('GIVEN routing mode region-switch THEN the deploy role reads the Region switch plan parameter of both Regions (the bake defers on it), not the ARC one (issue 18)', () => {
    const { template } = oidcStack(false, 'region-switch');
    const statements = roleStatements(template, 'shop-dev-github-deploy');
    expect(statements.filter((s) => JSON.stringify(s.Resource).includes('/arc-routing'))).toEqual([]);
    const plan = statements.filter((s) => JSON.stringify(s.Resource).includes('/region-switch-plan'));
    expect(plan).toHaveLength(1);
    expect([plan[0]!.Action].flat()).toEqual(['ssm:GetParameter']);
    for (const region of ['us-east-1', 'us-west-2']) {
      expect(JSON.stringify(plan[0]!.Resource)).toContain(
        `:ssm:${region}:123456789012:parameter/shop/dev/region-switch-plan"`,
      );
    }
  });

  // The bake's alarm-definition check (review M12) reads when the services and observability stacks were created
  // (alarm_stacks): a Region's first deploy has new alarms, not redefined ones.
  test('the deploy role may describe the stacks that define the gate alarms, in both Regions', () => {
    const { template } = oidcStack();
    const describe = roleStatements(template, 'shop-dev-github-deploy').filter((s) =>
      [s.Action].flat().includes('cloudformation:DescribeStacks'),
    );
    const resources = JSON.stringify(describe.map((s) => s.Resource));
    for (const region of ['us-east-1', 'us-west-2']) {
      for (const kind of ['services', 'observability']) {
        expect(resources).toContain(`:cloudformation:${region}:123456789012:stack/shop-dev-${region}-${kind}/*`);
      }
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

/**
 * The AWS calls the failover job makes, read from the CLIs' sources: every `new <Op>Command(` of an `@aws-sdk/client-
 * <service>` import in `.github/actions/failover/` (the failover CLI, which also writes the deploy freeze) and
 * `.github/actions/freeze/` (the failback's clear step), as the IAM action `<service>:<Op>`. The CLIs do not export
 * a list of their calls, so the test reads the calls themselves: a new call in a CLI fails this test until the
 * stack's table (FAILOVER_ACTIONS) has it.
 */
function failoverCliActions(): string[] {
  const files = ['.github/actions/failover', '.github/actions/freeze'].flatMap((dir) =>
    readdirSync(join(__dirname, '../..', dir))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `${dir}/${name}`),
  );
  // The failover CLI's dry-run summary reads the last readiness verdicts (issue 17) with the shared reader.
  return cliActions([...files, READINESS_READER]);
}

/** The shared reader of the readiness records (readiness.yml, the failover dry run, the bake). */
const READINESS_READER = '.github/actions/readiness/readiness-reader.ts';

/**
 * The `<service>:<Op>` of every `new <Op>Command(` in `files`, the service taken from the `@aws-sdk/client-<service>`
 * import that brings `<Op>Command` in (a file may import several clients).
 */
function cliActions(files: readonly string[]): string[] {
  const actions = new Set<string>();
  for (const file of files) {
    const source = readFileSync(join(__dirname, '../..', file), 'utf8');
    const serviceOf = new Map<string, string>();
    for (const imported of source.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      for (const name of imported[1]!.split(',')) serviceOf.set(name.replace(/^\s*type\s+/, '').trim(), imported[2]!);
    }
    for (const match of source.matchAll(/new (\w+)Command\(/g)) {
      const service = serviceOf.get(`${match[1]}Command`);
      if (!service) throw new Error(`${file}: new ${match[1]}Command without an @aws-sdk/client-* import`);
      actions.add(`${service}:${match[1]}`);
    }
  }
  return [...actions].sort();
}

/** Every statement of the policies (inline and attached) of the role named `roleName`. */
function roleStatements(template: Template, roleName: string) {
  const [roleId, role] = Object.entries(
    template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } }),
  )[0]!;
  const inline = (role.Properties.Policies ?? []).flatMap(
    (policy: { PolicyDocument: { Statement: unknown[] } }) => policy.PolicyDocument.Statement,
  );
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  return [...inline, ...attached] as Array<{
    Action: string | string[];
    Resource: unknown;
    Condition?: Record<string, Record<string, unknown>>;
  }>;
}

describe('failover and break-glass roles (review M6, M9)', () => {
  test('the CLI scan finds the calls the failover job makes', () => {
    // A scan that found nothing would make the equality below vacuous.
    expect(failoverCliActions()).toEqual(
      expect.arrayContaining(['ssm:StartAutomationExecution', 'ssm:GetAutomationExecution', 'ssm:PutParameter']),
    );
  });

  test.each(['shop-dev-github-failover', 'shop-dev-break-glass'])(
    '%s may make exactly the failover CLI calls, plus iam:PassRole of the automation roles, and nothing else',
    (roleName) => {
      // GIVEN the synthesized OIDC stack
      const { template } = oidcStack();
      // WHEN we collect every action the role's policies allow
      const statements = roleStatements(template, roleName);
      const actions = [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();
      // THEN they are the CLIs' calls and the PassRole StartAutomationExecution needs (the documents run as
      // AutomationAssumeRole), and what reading a readiness record needs besides its calls (kms:Decrypt through S3,
      // s3:ListBucket to tell a missing record): no sts:AssumeRole of the CDK bootstrap roles, no ecr
      expect(actions).toEqual([...failoverCliActions(), 'iam:PassRole', 'kms:Decrypt', 's3:ListBucket'].sort());
    },
  );

  test.each(['shop-dev-github-failover', 'shop-dev-break-glass'])(
    '%s passes only the two automation roles, and only to SSM',
    (roleName) => {
      const { template } = oidcStack();
      const passRole = roleStatements(template, roleName).filter((s) => [s.Action].flat().includes('iam:PassRole'));
      expect(passRole).toHaveLength(1);
      expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } });
      expect(JSON.stringify(passRole[0]!.Resource)).toMatch(/role\/shop-dev-us-east-1-runbook"/);
      expect(JSON.stringify(passRole[0]!.Resource)).toMatch(/role\/shop-dev-us-west-2-runbook"/);
      expect([passRole[0]!.Resource].flat()).toHaveLength(2);
    },
  );

  // Review D6: the dispatch reads the stacks the runbooks depend on (stack-operations.ts runbookStacks) with
  // DescribeStacks before it starts; the roles may describe exactly those stacks of either target Region, nothing else.
  test.each(['shop-dev-github-failover', 'shop-dev-break-glass'])(
    '%s may describe exactly the stacks the runbooks depend on, in either Region',
    (roleName) => {
      const { template } = oidcStack();
      const describe = roleStatements(template, roleName).filter((s) =>
        [s.Action].flat().includes('cloudformation:DescribeStacks'),
      );
      expect(describe).toHaveLength(1);
      const resources = [describe[0]!.Resource].flat().map((resource) => JSON.stringify(resource));
      const expected = [
        ...new Set(
          ['us-east-1', 'us-west-2'].flatMap((target) =>
            runbookStacks('shop', 'dev', target).map(({ region, stackName }) => `${region} ${stackName}`),
          ),
        ),
      ];
      expect(resources).toHaveLength(expected.length);
      for (const stack of expected) {
        const [region, name] = stack.split(' ');
        expect(resources.some((r) => r.includes(`:cloudformation:${region}:123456789012:stack/${name}/*`))).toBe(true);
      }
    },
  );

  // Review D10: the dispatch lock is read, created and deleted only by name, in both Regions.
  test.each(['shop-dev-github-failover', 'shop-dev-break-glass'])(
    '%s may delete exactly the dispatch lock parameter of both Regions, nothing else',
    (roleName) => {
      const { template } = oidcStack();
      const deletes = roleStatements(template, roleName).filter((s) =>
        [s.Action].flat().includes('ssm:DeleteParameter'),
      );
      expect(deletes).toHaveLength(1);
      const resources = [deletes[0]!.Resource].flat().map((resource) => JSON.stringify(resource));
      expect(resources).toHaveLength(2);
      for (const region of ['us-east-1', 'us-west-2']) {
        expect(resources.some((r) => r.includes(`:ssm:${region}:123456789012:parameter/shop/dev/failover-lock"`))).toBe(
          true,
        );
      }
    },
  );

  test('the failover role trusts exactly the failover Environment of this repository, for STS tokens (no wildcard)', () => {
    const { template } = oidcStack();
    const role = Object.values(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-dev-github-failover' } }),
    )[0]!;
    const statements = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statements[0].Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/shop:environment:failover',
      },
    });
  });

  test('the failover role keeps the logical id it was deployed with (a named role cannot be replaced in place)', () => {
    // A new logical id is a new resource: CloudFormation creates it (same RoleName: "already exists") before it
    // deletes the old one in the clean-up phase, so the update would fail on every existing deployment.
    const { template } = oidcStack();
    expect(
      Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-dev-github-failover' } })),
    ).toEqual(['Failovergithubactionrole34835B74']);
  });

  test('the break-glass role trusts the account (by default) only with MFA', () => {
    // IAM: aws:MultiFactorAuthPresent is present and true when the caller's credentials were obtained with MFA
    // ("Use this key to check whether multi-factor authentication (MFA) was used to validate the temporary
    // security credentials that made the request").
    const { template } = oidcStack();
    const role = Object.values(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-dev-break-glass' } }),
    )[0]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] },
        },
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ]);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
  });

  test('the break-glass principal is configurable', () => {
    const app = new App();
    const config = loadConfig({ base: { githubRepository: 'acme/shop', account: '123456789012' } });
    const stack = new GitHubOidcStack(app, 'Oidc', {
      env: { account: config.account, region: config.primaryRegion },
      config,
      breakGlassPrincipalArn: 'arn:aws:iam::123456789012:role/oncall',
    });
    const role = Object.values(
      Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-dev-break-glass' } }),
    )[0]!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      AWS: 'arn:aws:iam::123456789012:role/oncall',
    });
  });
});

describe('readiness role (readiness.yml, issue 17)', () => {
  const READINESS_ROLE = 'shop-dev-github-readiness';

  test('trusts exactly the readiness Environment of this repository, for STS tokens (no wildcard), for at most an hour', () => {
    const { template } = oidcStack();
    const role = Object.values(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: READINESS_ROLE } }),
    )[0]!;
    const statements = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statements[0].Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/shop:environment:shop-dev-readiness',
      },
    });
    expect(role.Properties.MaxSessionDuration).toBe(3600);
  });

  test('may make exactly the reader’s calls (plus kms:Decrypt and s3:ListBucket), read-only', () => {
    const { template } = oidcStack();
    const actions = [...new Set(roleStatements(template, READINESS_ROLE).flatMap((s) => [s.Action].flat()))].sort();
    expect(cliActions([READINESS_READER])).toEqual(['cloudformation:DescribeStacks', 's3:GetObject']);
    expect(actions).toEqual(['cloudformation:DescribeStacks', 'kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
  });

  test('reads only readiness/* of both Regions’ report buckets, lists only those buckets, decrypts only through S3 there, describes only the runbooks stacks', () => {
    const { template } = oidcStack();
    const statements = roleStatements(template, READINESS_ROLE);
    const resourcesOf = (action: string) =>
      statements
        .filter((s) => [s.Action].flat().includes(action))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => JSON.stringify(r));
    const regions = ['us-east-1', 'us-west-2'];
    expect(resourcesOf('s3:GetObject')).toEqual(
      regions.map((region) => expect.stringContaining(`:s3:::shop-dev-${region}-runbooks-*/readiness/*"`)),
    );
    expect(resourcesOf('s3:ListBucket')).toEqual(
      regions.map((region) => expect.stringContaining(`:s3:::shop-dev-${region}-runbooks-*"`)),
    );
    expect(resourcesOf('cloudformation:DescribeStacks')).toEqual(
      regions.map((region) =>
        expect.stringContaining(`:cloudformation:${region}:123456789012:stack/shop-dev-${region}-runbooks/*"`),
      ),
    );
    const decrypt = statements.filter((s) => [s.Action].flat().includes('kms:Decrypt'));
    expect(decrypt).toHaveLength(1);
    expect(decrypt[0]!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com', 's3.us-west-2.amazonaws.com'] },
    });
  });

  test.each(['shop-dev-github-deploy', 'shop-dev-github-failover', 'shop-dev-break-glass'])(
    '%s may read the readiness records too (the bake’s and the dry run’s summary), only under readiness/',
    (roleName) => {
      const { template } = oidcStack();
      const reads = roleStatements(template, roleName).filter((s) => [s.Action].flat().includes('s3:GetObject'));
      const readiness = reads.filter((s) => JSON.stringify(s.Resource).includes('/readiness/*'));
      expect(readiness).toHaveLength(1);
      expect([readiness[0]!.Action].flat()).toEqual(['s3:GetObject']);
      expect(JSON.stringify(readiness[0]!.Resource)).not.toMatch(/runbooks-\*\/\*"/);
    },
  );
});
