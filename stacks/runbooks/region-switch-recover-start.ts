import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { automationDocumentName } from '../../.github/actions/failover/automation-document-name';
import { dependsOnPolicyOnly } from '../lambda-depends-on-policy';
import { regionSwitchRecoverFunctionName, runbookAutomationRoleName } from '../naming/runbook-names';
import { REGION_SWITCH_RECOVER_HANDLER } from './runbook-code';
import { acknowledgeWildcardResources, type WildcardReasons } from './wildcard-acknowledgements';

/** Properties of {@link RegionSwitchRecoverStart}. */
export interface RegionSwitchRecoverStartProps {
  readonly appName: string;
  readonly envName: string;
  /** The runbook Lambda bundle; it exports `regionSwitchRecoverHandler`. */
  readonly code: lambda.Code;
  /** The runbook functions' environment (`RUNBOOK_TOPOLOGY` in routing mode `region-switch`, `RUNBOOK_BUCKET`). */
  readonly environment: Readonly<Record<string, string>>;
  /** The report bucket of this Region, whose journals the function reads, and its key. */
  readonly bucketArn: string;
  readonly bucketKeyArn: string;
}

/**
 * How long one invocation may run. It reads two journals, lists the running `recover` executions and starts one: far
 * below the plan block's five-minute timeout (stacks/routing/region-switch-plan.ts), which reruns it meanwhile.
 */
const FUNCTION_TIMEOUT = Duration.seconds(60);

/** Why each wildcard resource of the policy is needed, by pattern. */
const WILDCARD_REASONS: WildcardReasons = [
  [
    /^\*$/,
    'The SSM action DescribeAutomationExecutions is granted on all resources, as the failover workflow role grants it (pipeline/github-oidc-stack.ts: no resource-level permissions; no resource type found documented for it, unverified here); it only lists, and the function keeps only executions of its recover document.',
  ],
  [
    /\.Arn>\/journal\/(failover|recover)\/\*$/,
    "The journals of failover and recover are written per execution under these two prefixes of the runbook's own bucket; the function only reads them.",
  ],
  [
    /:automation-definition\/[a-z0-9-]+-recover:\*$/,
    'An Automation definition ARN ends in the document version; the wildcard covers only the versions of the recover runbook document.',
  ],
];

/**
 * The function the ARC Region switch plan's `start-recover` block invokes in the Region it activates (routing mode
 * `region-switch`), named {@link regionSwitchRecoverFunctionName} in both Regions as the plan addresses it: it starts
 * this Region's `recover` SSM Automation when an unplanned failover to this Region lacks its missing-transaction
 * report, and otherwise answers that there is nothing to recover (runbooks/lambda/region-switch-recover-handler.ts).
 *
 * Its role may read the failover and recover journals of this Region's report bucket, list the Automation executions,
 * start the `recover` document and pass it its automation role, nothing else. The function has no resource-based
 * policy: the plan invokes it as its execution role, which the routing stack grants `lambda:InvokeFunction` on it
 * (User Guide, "Custom action Lambda execution block sample policy": `lambda:GetFunction` and `lambda:InvokeFunction`
 * on the functions, in the execution role's policy; Lambda Developer Guide, "Granting other AWS entities access": "When
 * a user tries to access a Lambda resource, Lambda considers both the user's identity-based policies and the
 * resource's resource-based policy", so a role of the same account needs no statement in the function's policy). That
 * the block calls Invoke with the execution role's credentials follows from the guide's "The manual approval and Route
 * 53 health check execution blocks do not assume the execution role" (the Lambda block does); not stated further:
 * UNVERIFIED until the first plan execution.
 */
export class RegionSwitchRecoverStart extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: RegionSwitchRecoverStartProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const prefix = `${props.appName}-${props.envName}`;
    const documentName = automationDocumentName(props.appName, props.envName, 'recover');
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Starts the ${prefix} recover runbook when the Region switch plan activates this Region`,
    });
    this.policy = new iam.Policy(this, 'Policy', {
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        // The latest failover and recover journals (runbooks/adapters/aws/s3-journal.ts: `journal/<orchestration>/…`);
        // s3:ListBucket so that a missing journal answers 404, not 403; the bucket key decrypts them.
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: ['failover', 'recover'].map((o) => `${props.bucketArn}/journal/${o}/*`),
        }),
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucketArn] }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.bucketKeyArn] }),
        new iam.PolicyStatement({ actions: ['ssm:DescribeAutomationExecutions'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['ssm:StartAutomationExecution'],
          resources: [
            stack.formatArn({ service: 'ssm', resource: 'automation-definition', resourceName: `${documentName}:*` }),
          ],
        }),
        // The recover document runs as its AutomationAssumeRole (runbooks/ssm/automation-document.ts): the caller of
        // StartAutomationExecution passes that role to SSM, and only to SSM.
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [
            stack.formatArn({
              service: 'iam',
              region: '',
              resource: 'role',
              resourceName: runbookAutomationRoleName(props.appName, props.envName, stack.region),
            }),
          ],
          conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
        }),
      ],
    });
    this.policy.attachToRole(this.role);
    this.function = new lambda.Function(this, 'Function', {
      functionName: regionSwitchRecoverFunctionName(props.appName, props.envName),
      description: `${prefix} Region switch plan: start recover in this Region when an unplanned failover lacks its report`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: REGION_SWITCH_RECOVER_HANDLER,
      code: props.code,
      role: this.role,
      memorySize: 256,
      timeout: FUNCTION_TIMEOUT,
      environment: { ...props.environment },
      logGroup,
    });
    dependsOnPolicyOnly(this.function, this.policy);
    acknowledgeWildcardResources(stack, [this.policy], WILDCARD_REASONS, 'RegionSwitchRecoverStart');
  }
}
