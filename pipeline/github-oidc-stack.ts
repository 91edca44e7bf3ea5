import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GitHubActionRole } from 'cdk-pipelines-github';
import type { Construct } from 'constructs';
import { automationDocumentName, RUNBOOK_ACTIONS } from '../.github/actions/failover/automation-document-name';
import { deployFreezeParameterName } from '../.github/actions/freeze/freeze-record';
import { rolledBackParameterName } from '../.github/actions/rollback/deployed-commit';
import { lastKnownGoodParameterName } from '../.github/actions/rollback/known-good-record';
import type { ShopConfig } from '../config';
import { runbookAutomationRoleName } from '../stacks/naming/runbook-names';
import { stackNames } from '../stacks/naming/stack-names';
import { DATA_STACK_CREDENTIAL_SECONDS } from './job-limits';
import { pipelineNames } from './pipeline-names';

/** Properties of {@link GitHubOidcStack}. */
export interface GitHubOidcStackProps extends StackProps {
  /** The validated configuration. */
  readonly config: ShopConfig;
  /**
   * Whether the account already has GitHub's OIDC identity provider (an account can have only one per URL).
   *
   * @default false - the stack creates it
   */
  readonly existingOidcProvider?: boolean;
}

/**
 * The IAM roles GitHub Actions assumes through OIDC (no long-lived keys): one for the deploy workflow, one for the
 * failover workflow. Deployed once per account by `npm run bootstrap`, before the first pipeline run.
 *
 * Trust is scoped to this repository: jobs without a GitHub Environment must run on the deploy branch; jobs with
 * one present the Environment instead of the branch in their token (`repo:<repo>:environment:<name>`), so each
 * Environment must allow deployments from the deploy branch only (README: setting up a fork).
 */
export class GitHubOidcStack extends Stack {
  /** The deploy workflow's role. */
  readonly deployRole: iam.IRole;
  /** The failover workflow's role. */
  readonly failoverRole: iam.IRole;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: GitHubOidcStackProps,
  ) {
    super(scope, id, props);
    const { config } = props;
    const names = pipelineNames(config);
    const repo = `repo:${config.githubRepository}`;
    const regions = [config.primaryRegion, config.standbyRegion];
    const provider = props.existingOidcProvider ? GitHubActionRole.existingGitHubActionsProvider(this) : undefined;

    const deploy = new GitHubActionRole(this, 'Deploy', {
      roleName: names.deployRole,
      provider,
      // Jobs without an Environment present the branch. The wave approval Environments are not trusted: their only
      // job holds no credentials (review M7).
      subjectClaims: [
        `${repo}:ref:refs/heads/${config.deployBranch}`,
        ...regions.map((region) => `${repo}:environment:${names.bakeWaitEnvironment(region)}`),
      ],
    });
    this.deployRole = deploy.role;
    // IAM: DurationSeconds above the role's maximum session duration makes the assume fail. The data stacks' jobs
    // ask for an hour (the role-chaining maximum, pipeline/job-limits.ts); set explicitly so a change is visible.
    (deploy.role.node.defaultChild as iam.CfnRole).maxSessionDuration = DATA_STACK_CREDENTIAL_SECONDS;
    const parameterArns = regions.map((region) =>
      this.formatArn({
        service: 'ssm',
        region,
        resource: 'parameter',
        resourceName: lastKnownGoodParameterName(config.appName, config.envName).slice(1),
      }),
    );
    // The deploy freeze, read by every wave's guard and written by a failover, in both Regions (SSM parameters are
    // regional; one Region may be the failed one).
    const freezeArns = regions.map((region) =>
      this.formatArn({
        service: 'ssm',
        region,
        resource: 'parameter',
        resourceName: deployFreezeParameterName(config.appName, config.envName).slice(1),
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FreezeGuardReadsDeployFreeze',
        actions: ['ssm:GetParameter'],
        resources: freezeArns,
      }),
    );
    const stacks = stackNames(config.appName, config.envName);
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BakeGateReadsAlarmsAndCanaryMetrics',
        // CloudWatch has no resource-level permissions for these read calls.
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory', 'cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackKnownGoodRecord',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: parameterArns,
      }),
    );
    // The rolled-back marks (review M1): the rollback's plan marks the failed commit in its Region, record refuses a
    // marked commit. The name is the CLI's: `rolledBackParameterName(app, env, sha)`.
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackMarksRolledBackCommits',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: regions.map((region) =>
          this.formatArn({
            service: 'ssm',
            region,
            resource: 'parameter',
            resourceName: rolledBackParameterName(config.appName, config.envName, '*').slice(1),
          }),
        ),
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackVerifiesApplicationStacks',
        actions: ['cloudformation:DescribeStacks'],
        resources: regions.flatMap((region) =>
          [stacks.services(region), stacks.observability(region)].map((name) =>
            this.formatArn({ service: 'cloudformation', region, resource: 'stack', resourceName: `${name}/*` }),
          ),
        ),
      }),
    );

    const failover = new GitHubActionRole(this, 'Failover', {
      roleName: names.failoverRole,
      // One provider per account: the deploy role's (created above or existing).
      provider:
        provider ??
        iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
          this,
          'SharedProvider',
          this.formatArn({
            service: 'iam',
            region: '',
            resource: 'oidc-provider',
            resourceName: 'token.actions.githubusercontent.com',
          }),
        ),
      subjectClaims: [`${repo}:environment:${names.failoverEnvironment}`],
    });
    failover.node.addDependency(deploy);
    this.failoverRole = failover.role;
    // The failover job asks for FAILOVER_JOB_MINUTES (55) of credentials: within one hour.
    (failover.role.node.defaultChild as iam.CfnRole).maxSessionDuration = 3600;
    this.failoverRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartRunbookAutomations',
        actions: ['ssm:StartAutomationExecution'],
        resources: regions.flatMap((region) =>
          RUNBOOK_ACTIONS.map((action) =>
            this.formatArn({
              service: 'ssm',
              region,
              resource: 'automation-definition',
              resourceName: `${automationDocumentName(config.appName, config.envName, action)}:*`,
            }),
          ),
        ),
      }),
    );
    this.failoverRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FailoverSetsDeployFreeze',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: freezeArns,
      }),
    );
    this.failoverRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FollowRunbookAutomations',
        // Executions get ids only at start: these calls cannot be scoped to a resource beforehand.
        // DescribeAutomationExecutions: the CLI lists executions in flight in both Regions before it starts one.
        actions: [
          'ssm:GetAutomationExecution',
          'ssm:DescribeAutomationStepExecutions',
          'ssm:DescribeAutomationExecutions',
        ],
        resources: ['*'],
      }),
    );
    this.failoverRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassRunbookAutomationRole',
        actions: ['iam:PassRole'],
        resources: regions.map((region) =>
          this.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: runbookAutomationRoleName(config.appName, config.envName, region),
          }),
        ),
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
    );
    // Only tokens issued for STS: configure-aws-credentials asks GitHub for the audience sts.amazonaws.com (its
    // `audience` input's default). GitHubActionRole's trust conditions only `sub` (review m1).
    for (const role of [deploy.role, failover.role]) {
      (role.node.defaultChild as iam.CfnRole).addPropertyOverride(
        'AssumeRolePolicyDocument.Statement.0.Condition.StringEquals',
        { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
      );
    }
    this.acknowledgeWildcards(deploy, failover);
    new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.roleArn });
    new CfnOutput(this, 'FailoverRoleArn', { value: this.failoverRole.roleArn });
  }

  private acknowledgeWildcards(deploy: GitHubActionRole, failover: GitHubActionRole): void {
    for (const role of [deploy, failover]) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudwatch:DescribeAlarms/DescribeAlarmHistory/GetMetricData, ssm:GetAutomationExecution/DescribeAutomationStepExecutions/DescribeAutomationExecutions and ecr:GetAuthorizationToken have no resource-level permissions, and assuming the CDK bootstrap roles is limited by their aws-cdk:bootstrap-role tag.',
      });
    }
    const regions = [this.props.config.primaryRegion, this.props.config.standbyRegion];
    const { appName, envName } = this.props.config;
    const stacks = stackNames(appName, envName);
    for (const region of regions) {
      Validations.of(deploy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${this.account}:parameter${rolledBackParameterName(appName, envName, '*')}]`,
        reason:
          'One rolled-back mark per commit, named after the commit: the wildcard covers only the marks of this app and environment.',
      });
      for (const name of [stacks.services(region), stacks.observability(region)]) {
        Validations.of(deploy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${region}:${this.account}:stack/${name}/*]`,
          reason:
            'A CloudFormation stack ARN ends in an id assigned at creation; the wildcard covers only that id of one named application stack.',
        });
      }
      for (const action of RUNBOOK_ACTIONS) {
        Validations.of(failover).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${this.account}:automation-definition/${automationDocumentName(appName, envName, action)}:*]`,
          reason:
            'An Automation definition ARN ends in the document version; the wildcard covers only the versions of one named runbook document.',
        });
      }
    }
  }
}
