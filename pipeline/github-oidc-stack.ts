import { CfnOutput, DefaultStackSynthesizer, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GitHubActionRole } from 'cdk-pipelines-github';
import { Construct } from 'constructs';
import {
  automationDocumentName,
  RUNBOOK_ACTIONS,
  type RunbookAction,
} from '../.github/actions/failover/automation-document-name';
import { dispatchLockParameterName } from '../.github/actions/failover/dispatch-lock';
import { runbookStacks } from '../.github/actions/failover/stack-operations';
import { deployFreezeParameterName } from '../.github/actions/freeze/freeze-record';
import { READINESS_READER_ACTIONS } from '../.github/actions/readiness/readiness-reader';
import { rolledBackParameterName } from '../.github/actions/rollback/deployed-commit';
import {
  knownGoodCandidateParameterName,
  lastKnownGoodParameterName,
} from '../.github/actions/rollback/known-good-record';
import type { ShopConfig } from '../config';
import { ARC_CONTROL_PLANE_REGION } from '../stacks/arc-control-plane-region';
import { runbookAutomationRoleName } from '../stacks/naming/runbook-names';
import { stackNames } from '../stacks/naming/stack-names';
import { acknowledgeGameDayWildcards, GAMEDAY_RUNBOOKS, gameDayStatements } from './gameday-role-policy';
import { DATA_STACK_CREDENTIAL_SECONDS } from './job-limits';
import { pipelineNames } from './pipeline-names';
import { routingParameterOf } from './routing-parameter';

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
  /**
   * The principal that may assume the break-glass role (with MFA), for example an on-call role or an IAM Identity
   * Center permission set's role.
   *
   * @default the account (its root principal: any IAM identity of the account whose own policy allows
   *   sts:AssumeRole on the break-glass role)
   */
  readonly breakGlassPrincipalArn?: string;
}

/**
 * The IAM actions of a failover, one table for the failover workflow's role and the break-glass role. The CLIs do not
 * export their calls; each entry names the call site. test/pipeline/github-oidc.test.ts reads the `new <Op>Command(`
 * calls of `.github/actions/failover/` and `.github/actions/freeze/` and fails when this table and the calls differ.
 */
export const FAILOVER_ACTIONS = {
  /** automation-run.ts: StartAutomationExecutionCommand (a new run, or a resume with ResumeExecutionId). */
  startAutomation: ['ssm:StartAutomationExecution'],
  /**
   * automation-in-flight.ts: DescribeAutomationExecutions (in flight in both Regions), GetAutomationExecution
   * (execution_id); automation-run.ts: GetAutomationExecution (follow), DescribeAutomationStepExecutions (report).
   */
  followAutomations: [
    'ssm:GetAutomationExecution',
    'ssm:DescribeAutomationStepExecutions',
    'ssm:DescribeAutomationExecutions',
  ],
  /**
   * freeze/freeze-store.ts: GetParameter (check, and set's read), PutParameter (set, clear); with them, on the
   * dispatch lock, failover/dispatch-lock.ts reads and creates it.
   */
  deployFreeze: ['ssm:GetParameter', 'ssm:PutParameter'],
  /** failover/dispatch-lock.ts: DeleteParameter releases the dispatch lock (review D10). */
  releaseLock: ['ssm:DeleteParameter'],
  /**
   * failover/stack-operations.ts: DescribeStacks of the stacks the runbooks depend on in the target Region (review
   * D6), before the start.
   */
  readStacks: ['cloudformation:DescribeStacks'],
  /** Not a CLI call: StartAutomationExecution passes the document's AutomationAssumeRole to SSM. */
  passAutomationRole: ['iam:PassRole'],
} as const;

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
  /** The on-call role for a failover by hand when GitHub is down (docs/break-glass.md). */
  readonly breakGlassRole: iam.IRole;
  /** The game-day workflow's role (gameday.yml), only when the configuration enables game days. */
  readonly gameDayRole?: iam.IRole;
  /** readiness.yml's role: reads the readiness records of both Regions, nothing else (issue 17). */
  readonly readinessRole: iam.IRole;

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
    // The confirmed known-good record and its candidate (two-phase known-good, review M5), in both Regions.
    const parameterArns = regions.flatMap((region) =>
      [lastKnownGoodParameterName, knownGoodCandidateParameterName].map((name) =>
        this.formatArn({
          service: 'ssm',
          region,
          resource: 'parameter',
          resourceName: name(config.appName, config.envName).slice(1),
        }),
      ),
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
    this.readinessStatements().forEach((statement) => {
      this.deployRole.addToPrincipalPolicy(statement);
    });
    // The bake's readiness summary shows the Region's last scheduled verdict (issue 17); DescribeStacks of the
    // runbooks stacks is RollbackVerifiesApplicationStacks'.
    this.readinessRecordStatements('Bake').forEach((statement) => {
      this.deployRole.addToPrincipalPolicy(statement);
    });
    // Every stack a rollback redeploys (review M4, M5, M12): record and verify read its status and DeployedCommit.
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackVerifiesApplicationStacks',
        actions: ['cloudformation:DescribeStacks'],
        resources: rolledBackStackArns(this, regions, stacks),
      }),
    );
    // The release artifacts a rollback redeploys (review M4): record reads each recorded template and the digest of
    // each image it names; plan checks they still exist. S3 HeadObject of a missing key answers 404 only with
    // s3:ListBucket ("If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status code 403
    // Forbidden error", S3 API reference, HeadObject), so plan can tell an evicted artifact from a denied read.
    const assetBucket = (region: string) =>
      `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${this.account}-${region}`;
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackReadsRecordedTemplates',
        actions: ['s3:GetObject'],
        resources: regions.map((region) => `arn:${this.partition}:s3:::${assetBucket(region)}/*`),
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackTellsMissingTemplates',
        actions: ['s3:ListBucket'],
        resources: regions.map((region) => `arn:${this.partition}:s3:::${assetBucket(region)}`),
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackReadsRecordedImages',
        actions: ['ecr:DescribeImages'],
        resources: regions.map((region) =>
          this.formatArn({
            service: 'ecr',
            region,
            resource: 'repository',
            resourceName: `cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-container-assets-${this.account}-${region}`,
          }),
        ),
      }),
    );

    // A plain role, not GitHubActionRole: that construct always adds AssumeBootstrapRoles (sts:AssumeRole on the CDK
    // deploy role, whose cfn-exec-role is an administrator under a default `cdk bootstrap`), which a failover never
    // needs (review M6). One provider per account: the deploy role's (created above or existing).
    const providerArn =
      provider?.openIdConnectProviderArn ??
      this.formatArn({
        service: 'iam',
        region: '',
        resource: 'oidc-provider',
        resourceName: 'token.actions.githubusercontent.com',
      });
    // Under the construct path GitHubActionRole gave it (Failover/github-action-role): the same logical id, so an
    // existing deployment updates the named role in place instead of creating a second one with its name.
    const failover = new iam.Role(new Construct(this, 'Failover'), 'github-action-role', {
      roleName: names.failoverRole,
      // IAM recommends evaluating token.actions.githubusercontent.com:sub in the trust policy of a role that trusts
      // GitHub's OIDC provider (GitHub docs, "Configuring OpenID Connect in Amazon Web Services"); a job with an
      // Environment presents `repo:<owner>/<repo>:environment:<name>` (no ref). StringEquals: no wildcard. The ref
      // cannot be checked here: IAM conditions GitHub's tokens on `sub` and `aud`, not on `ref` or `job_workflow_ref`
      // (GitHub's "Configuring OpenID Connect in Amazon Web Services" notes that AWS does not support custom claims
      // for OIDC; paraphrased from the page's translated copy, the English wording not re-checked).
      // The failover Environment's deployment-branch rule (npm run bootstrap, github-environments.ts) keeps other
      // branches out.
      assumedBy: new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': `${repo}:environment:${names.failoverEnvironment}`,
        },
      }),
      // The failover job asks for FAILOVER_JOB_MINUTES (55) of credentials: within one hour.
      maxSessionDuration: Duration.hours(1),
      description: 'GitHub failover workflow (failover.yml): starts and follows the runbook automations',
    });
    failover.node.addDependency(deploy);
    this.failoverRole = failover;
    // The on-call path when GitHub is down (review M9, docs/break-glass.md): the same permissions, assumed by a
    // named principal with MFA.
    const breakGlass = new iam.Role(this, 'BreakGlassRole', {
      roleName: names.breakGlassRole,
      assumedBy: (props.breakGlassPrincipalArn
        ? new iam.ArnPrincipal(props.breakGlassPrincipalArn)
        : new iam.AccountRootPrincipal()
      ).withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
      maxSessionDuration: Duration.hours(1),
      description:
        'Break-glass failover by hand (docs/break-glass.md): the failover workflow role permissions, MFA only',
    });
    this.breakGlassRole = breakGlass;
    // The game day's phase jobs (issue 16): trusted from the phase jobs' Environment only (its approval job holds no
    // credentials). Its preflight, failover and recover phases start their runbooks as the failover CLI does
    // (GameDayRunbookPermissions below: GAMEDAY_RUNBOOKS only); its other phases call what the game-day adapters list
    // (pipeline/gameday-role-policy.ts).
    const gameDay = config.gameDays.enabled
      ? new iam.Role(this, 'GameDayRole', {
          roleName: names.gameDayRole,
          assumedBy: new iam.WebIdentityPrincipal(providerArn, {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': `${repo}:environment:${names.gameDayEnvironment}`,
            },
          }),
          // Each phase job asks for at most 55 minutes (pipeline/gameday-workflow.ts): within one hour.
          maxSessionDuration: Duration.hours(1),
          description: 'GitHub game-day workflow (gameday.yml): runs the game day phases',
        })
      : undefined;
    if (gameDay) {
      gameDay.node.addDependency(deploy);
      this.gameDayRole = gameDay;
      const gameDayPolicy = new iam.Policy(this, 'GameDayPermissions', {
        roles: [gameDay],
        statements: gameDayStatements(this, config),
      });
      acknowledgeGameDayWildcards(gameDayPolicy, this, config);
    }
    const failoverPolicy = new iam.Policy(this, 'FailoverPermissions', {
      roles: [failover, breakGlass],
      // A dry run's summary shows the last scheduled readiness verdicts (issue 17); DescribeStacks of the runbooks
      // stacks is FailoverReadsRunbookStacks'.
      statements: [
        ...this.failoverStatements(freezeArns, RUNBOOK_ACTIONS),
        ...this.readinessRecordStatements('DryRun'),
      ],
    });
    // readiness.yml (issue 17): trusted from its Environment only (no reviewers, the deploy branch only), so no other
    // workflow or branch can assume it; it reads the readiness records and the runbooks stacks' outputs, nothing else.
    const readiness = new iam.Role(this, 'ReadinessRole', {
      roleName: names.readinessRole,
      assumedBy: new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': `${repo}:environment:${names.readinessEnvironment}`,
        },
      }),
      // The job asks for 15 minutes (pipeline/readiness-workflow.ts, READINESS_CREDENTIAL_SECONDS).
      maxSessionDuration: Duration.hours(1),
      description: 'GitHub readiness workflow (readiness.yml): reads the readiness records of both Regions',
    });
    readiness.node.addDependency(deploy);
    this.readinessRole = readiness;
    const readinessPolicy = new iam.Policy(this, 'ReadinessPermissions', {
      roles: [readiness],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadinessFindsReportBuckets',
          // readiness-reader.ts: the runbooks stack's ReportBucketName output, in each Region.
          actions: [...READINESS_READER_ACTIONS.findBucket],
          resources: regions.map((region) =>
            this.formatArn({
              service: 'cloudformation',
              region,
              resource: 'stack',
              resourceName: `${stackNames(config.appName, config.envName).runbooks(region)}/*`,
            }),
          ),
        }),
        ...this.readinessRecordStatements('Readiness'),
      ],
    });
    // The game day starts its runbooks as the failover CLI does (its dispatch, the deploy freeze, the lock), but only
    // the documents it needs (GAMEDAY_RUNBOOKS): its Environment has no reviewers, so a switchover or failback must
    // stay behind the failover Environment (review 16d G10).
    const gameDayRunbookPolicy = gameDay
      ? new iam.Policy(this, 'GameDayRunbookPermissions', {
          roles: [gameDay],
          statements: this.failoverStatements(freezeArns, GAMEDAY_RUNBOOKS),
        })
      : undefined;
    // Only tokens issued for STS: configure-aws-credentials asks GitHub for the audience sts.amazonaws.com (its
    // `audience` input's default). GitHubActionRole's trust conditions only `sub` (review m1).
    (deploy.role.node.defaultChild as iam.CfnRole).addPropertyOverride(
      'AssumeRolePolicyDocument.Statement.0.Condition.StringEquals',
      { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
    );
    this.acknowledgeWildcards(deploy, failoverPolicy, ...(gameDayRunbookPolicy ? [gameDayRunbookPolicy] : []));
    this.acknowledgeReadinessRecordWildcards(deploy, failoverPolicy, readinessPolicy);
    new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.roleArn });
    new CfnOutput(this, 'FailoverRoleArn', { value: this.failoverRole.roleArn });
    new CfnOutput(this, 'BreakGlassRoleArn', { value: this.breakGlassRole.roleArn });
    if (gameDay) new CfnOutput(this, 'GameDayRoleArn', { value: gameDay.roleArn });
    new CfnOutput(this, 'ReadinessRoleArn', { value: readiness.roleArn });
  }

  /**
   * Reading `readiness/latest.json` from both Regions' report buckets (`.github/actions/readiness/readiness-reader.ts`,
   * READINESS_READER_ACTIONS): GetObject under `readiness/` only; ListBucket on the two buckets so a record never
   * written answers 404, not 403 ("If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status
   * code 403 Forbidden error", S3 API Reference, GetObject); kms:Decrypt only through S3 in the two Regions (the
   * bucket's key is created by the runbooks stack, its ARN unknown here). The buckets have generated names that start
   * with the runbooks stack's name (unverified, as for the game day: pipeline/gameday-role-policy.ts).
   */
  private readinessRecordStatements(sidPrefix: string): iam.PolicyStatement[] {
    const { config } = this.props;
    const regions = [config.primaryRegion, config.standbyRegion];
    const buckets = regions.map(
      (region) => `arn:${this.partition}:s3:::${stackNames(config.appName, config.envName).runbooks(region)}-*`,
    );
    return [
      new iam.PolicyStatement({
        sid: `${sidPrefix}ReadsReadinessRecords`,
        actions: READINESS_READER_ACTIONS.readRecord.filter((action) => action.startsWith('s3:')),
        resources: buckets.map((bucket) => `${bucket}/readiness/*`),
      }),
      new iam.PolicyStatement({
        sid: `${sidPrefix}TellsMissingReadinessRecords`,
        actions: [...READINESS_READER_ACTIONS.tellMissing],
        resources: buckets,
      }),
      new iam.PolicyStatement({
        sid: `${sidPrefix}DecryptsReadinessRecordsThroughS3`,
        actions: READINESS_READER_ACTIONS.readRecord.filter((action) => action.startsWith('kms:')),
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': regions.map((region) => `s3.${region}.amazonaws.com`) } },
      }),
    ];
  }

  /** cdk-nag acknowledgments of {@link readinessRecordStatements}' wildcards, and the readiness role's stack ARNs. */
  private acknowledgeReadinessRecordWildcards(...scopes: Construct[]): void {
    const { appName, envName, primaryRegion, standbyRegion } = this.props.config;
    const stacks = stackNames(appName, envName);
    for (const scope of scopes) {
      const acknowledge = (resource: string, reason: string) =>
        Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
      acknowledge(
        '*',
        'kms:Decrypt of the report buckets’ keys only through S3 in the two Regions (kms:ViaService): the keys are created by the runbooks stacks, their ARNs unknown here.',
      );
      for (const region of [primaryRegion, standbyRegion]) {
        acknowledge(
          `arn:<AWS::Partition>:s3:::${stacks.runbooks(region)}-*`,
          'The report bucket has a generated name that starts with its stack name (ListBucket only: a missing readiness record answers 404, not 403).',
        );
        acknowledge(
          `arn:<AWS::Partition>:s3:::${stacks.runbooks(region)}-*/readiness/*`,
          'Read-only: the readiness records under readiness/ in the report bucket (generated name).',
        );
        acknowledge(
          `arn:<AWS::Partition>:cloudformation:${region}:${this.account}:stack/${stacks.runbooks(region)}/*`,
          'A CloudFormation stack ARN ends in an id assigned at creation (read-only DescribeStacks of the runbooks stack: its ReportBucketName output).',
        );
      }
    }
  }

  /**
   * What a failover needs, for the failover workflow's role and the break-glass role alike (every runbook), and the
   * game-day role (its runbooks only): {@link FAILOVER_ACTIONS} on the `runbooks` documents, executions, automation
   * roles and the deploy freeze of both Regions.
   */
  private failoverStatements(freezeArns: string[], runbooks: readonly RunbookAction[]): iam.PolicyStatement[] {
    const { config } = this.props;
    const regions = [config.primaryRegion, config.standbyRegion];
    return [
      new iam.PolicyStatement({
        sid: 'StartRunbookAutomations',
        actions: [...FAILOVER_ACTIONS.startAutomation],
        resources: regions.flatMap((region) =>
          runbooks.map((action) =>
            this.formatArn({
              service: 'ssm',
              region,
              resource: 'automation-definition',
              resourceName: `${automationDocumentName(config.appName, config.envName, action)}:*`,
            }),
          ),
        ),
      }),
      new iam.PolicyStatement({
        sid: 'FailoverSetsDeployFreeze',
        actions: [...FAILOVER_ACTIONS.deployFreeze],
        resources: freezeArns,
      }),
      new iam.PolicyStatement({
        sid: 'FailoverTakesDispatchLock',
        // The dispatch lock (review D10): created with Overwrite false as a compare-and-set, read when held, deleted
        // once the automation started.
        actions: [...FAILOVER_ACTIONS.deployFreeze, ...FAILOVER_ACTIONS.releaseLock],
        resources: regions.map((region) =>
          this.formatArn({
            service: 'ssm',
            region,
            resource: 'parameter',
            resourceName: dispatchLockParameterName(config.appName, config.envName).slice(1),
          }),
        ),
      }),
      new iam.PolicyStatement({
        sid: 'FailoverReadsRunbookStacks',
        // The stacks the runbooks depend on, for either target Region (stack-operations.ts runbookStacks), by name:
        // DescribeStacks takes the stack ARN `arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>` as its
        // resource (the DescribeStacks API reference's own policy example scopes it to "stack/*/*").
        actions: [...FAILOVER_ACTIONS.readStacks],
        resources: failoverReadStacks(config).map((stack) =>
          this.formatArn({
            service: 'cloudformation',
            region: stack.region,
            resource: 'stack',
            resourceName: `${stack.stackName}/*`,
          }),
        ),
      }),
      new iam.PolicyStatement({
        sid: 'FollowRunbookAutomations',
        // Executions get ids only at start: these calls cannot be scoped to a resource beforehand.
        actions: [...FAILOVER_ACTIONS.followAutomations],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'PassRunbookAutomationRole',
        // The documents run as their AutomationAssumeRole (runbooks/ssm/automation-document.ts): the caller of
        // StartAutomationExecution passes that role to SSM.
        actions: [...FAILOVER_ACTIONS.passAutomationRole],
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
    ];
  }

  /**
   * The bake's readiness dry run (review M12, `.github/actions/bake-gate/bake-readiness.ts`): start the
   * `<app>-<env>-readiness` document of each Region and nothing else, follow the execution (GetAutomationExecution,
   * DescribeAutomationStepExecutions when its steps come back truncated), pass the document's AutomationAssumeRole to
   * SSM, and read the routing stack's parameter, whose absence defers the primary's readiness on a first deploy.
   */
  private readinessStatements(): iam.PolicyStatement[] {
    const { config } = this.props;
    const { appName, envName } = config;
    const regions = [config.primaryRegion, config.standbyRegion];
    return [
      new iam.PolicyStatement({
        sid: 'BakeStartsReadinessDryRun',
        actions: ['ssm:StartAutomationExecution'],
        resources: regions.map((region) =>
          this.formatArn({
            service: 'ssm',
            region,
            resource: 'automation-definition',
            resourceName: `${automationDocumentName(appName, envName, 'readiness')}:*`,
          }),
        ),
      }),
      new iam.PolicyStatement({
        sid: 'BakeFollowsReadinessDryRun',
        // Executions get ids only at start: these calls cannot be scoped to a resource beforehand.
        actions: ['ssm:GetAutomationExecution', 'ssm:DescribeAutomationStepExecutions'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'BakePassesRunbookAutomationRole',
        actions: ['iam:PassRole'],
        resources: regions.map((region) =>
          this.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: runbookAutomationRoleName(appName, envName, region),
          }),
        ),
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'BakeReadsRoutingParameter',
        actions: ['ssm:GetParameter'],
        resources: regions.map((region) =>
          this.formatArn({
            service: 'ssm',
            region,
            resource: 'parameter',
            resourceName: routingParameterOf(this.props.config).slice(1),
          }),
        ),
      }),
    ];
  }

  private acknowledgeWildcards(deploy: GitHubActionRole, ...runbookPolicies: iam.Policy[]): void {
    for (const role of [deploy, ...runbookPolicies]) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudwatch:DescribeAlarms/DescribeAlarmHistory/GetMetricData, ssm:GetAutomationExecution/DescribeAutomationStepExecutions/DescribeAutomationExecutions and ecr:GetAuthorizationToken have no resource-level permissions, and assuming the CDK bootstrap roles is limited by their aws-cdk:bootstrap-role tag.',
      });
    }
    const regions = [this.props.config.primaryRegion, this.props.config.standbyRegion];
    const { appName, envName } = this.props.config;
    const stacks = stackNames(appName, envName);
    for (const { region, name } of rolledBackStacks(regions, stacks)) {
      Validations.of(deploy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${region}:${this.account}:stack/${name}/*]`,
        reason:
          'A CloudFormation stack ARN ends in an id assigned at creation; the wildcard covers only that id of one named stack a rollback redeploys.',
      });
    }
    for (const region of regions) {
      Validations.of(deploy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${this.account}:parameter${rolledBackParameterName(appName, envName, '*')}]`,
        reason:
          'One rolled-back mark per commit, named after the commit: the wildcard covers only the marks of this app and environment.',
      });
      Validations.of(deploy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${this.account}-${region}/*]`,
        reason:
          'The CDK asset bucket holds content-addressed objects named by hash (templates, Lambda code): the recorded release is known only at run time; read-only.',
      });
      Validations.of(deploy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${this.account}:automation-definition/${automationDocumentName(appName, envName, 'readiness')}:*]`,
        reason:
          'An Automation definition ARN ends in the document version; the wildcard covers only the versions of the readiness runbook document.',
      });
      for (const stack of failoverReadStacks(this.props.config).filter((stack) => stack.region === region)) {
        for (const policy of runbookPolicies)
          Validations.of(policy).acknowledge({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${region}:${this.account}:stack/${stack.stackName}/*]`,
            reason:
              'A CloudFormation stack ARN ends in an id assigned at creation; the wildcard covers only that id of one named stack a runbook depends on (read-only DescribeStacks).',
          });
      }
      for (const action of RUNBOOK_ACTIONS) {
        for (const policy of runbookPolicies)
          Validations.of(policy).acknowledge({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:${region}:${this.account}:automation-definition/${automationDocumentName(appName, envName, action)}:*]`,
            reason:
              'An Automation definition ARN ends in the document version; the wildcard covers only the versions of one named runbook document.',
          });
      }
    }
  }
}

/**
 * The stacks a failover, switchover or failback reads before it starts (review D6), for either target Region:
 * {@link runbookStacks} of both Regions, the routing stack once.
 */
function failoverReadStacks(config: ShopConfig): ReturnType<typeof runbookStacks> {
  const byName = new Map(
    [config.primaryRegion, config.standbyRegion]
      .flatMap((target) => runbookStacks(config.appName, config.envName, target))
      .map((stack) => [`${stack.region} ${stack.stackName}`, stack]),
  );
  return [...byName.values()];
}

/**
 * The stacks a rollback redeploys, where they live: services, observability and runbooks of each Region, and the
 * routing stack in the ARC control-plane Region (review M4, M5, M12). Data and network stacks are never among them.
 */
function rolledBackStacks(
  regions: readonly string[],
  stacks: ReturnType<typeof stackNames>,
): { region: string; name: string }[] {
  return [
    ...regions.flatMap((region) =>
      [stacks.services(region), stacks.observability(region), stacks.runbooks(region)].map((name) => ({
        region,
        name,
      })),
    ),
    { region: ARC_CONTROL_PLANE_REGION, name: stacks.routing },
  ];
}

/** The ARNs of {@link rolledBackStacks} (any stack id). */
function rolledBackStackArns(
  stack: Stack,
  regions: readonly string[],
  stacks: ReturnType<typeof stackNames>,
): string[] {
  return rolledBackStacks(regions, stacks).map(({ region, name }) =>
    stack.formatArn({ service: 'cloudformation', region, resource: 'stack', resourceName: `${name}/*` }),
  );
}
