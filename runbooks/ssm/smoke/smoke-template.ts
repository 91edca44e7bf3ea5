/**
 * The throwaway CloudFormation stack of `npm run aws:smoke`: two inline Lambda functions, a role for them, one SSM
 * parameter per counter (each function invocation is counted there, so the verdicts do not depend on how SSM lists
 * the step executions), and the role SSM Automation assumes. Plain template JSON: the smoke test needs no CDK
 * bootstrap in the sandbox account.
 */

/** The counters the functions keep, one SSM parameter each (`/<stack>/<counter>`). */
export const SMOKE_COUNTERS = ['loop1', 'loop2', 'loop3', 'fail', 'throw', 'selector', 'attempts'] as const;

/** One of {@link SMOKE_COUNTERS}. */
export type SmokeCounter = (typeof SMOKE_COUNTERS)[number];

/** What a counter holds: the number of invocations and the `attempt` each one received, with its JSON type. */
export interface CounterValue {
  readonly count: number;
  readonly seen: readonly { readonly attempt: unknown; readonly type: string }[];
}

/** The initial value of every counter. */
export const EMPTY_COUNTER: CounterValue = { count: 0, seen: [] };

/** The outputs of the stack. */
export const SMOKE_OUTPUTS = {
  outcomeFunction: 'OutcomeFunctionArn',
  throwingFunction: 'ThrowingFunctionArn',
  automationRole: 'AutomationRoleArn',
} as const;

/** The link the outcome function returns as `ReportUrl` (what the failover workflow reads from a Payload). */
export const SMOKE_REPORT_URL = 'https://example.com/ssm-smoke/report/';

/** Shared by both functions: count this invocation in the counter `event.counter`; returns the new count. */
const COUNT = `
const { SSMClient, GetParameterCommand, PutParameterCommand } = require('@aws-sdk/client-ssm');
const ssm = new SSMClient({});
async function count(event) {
  const name = process.env.COUNTER_PREFIX + '/' + event.counter;
  const value = JSON.parse((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter.Value);
  value.count += 1;
  value.seen.push({ attempt: event.attempt === undefined ? null : event.attempt, type: typeof event.attempt });
  await ssm.send(new PutParameterCommand({ Name: name, Value: JSON.stringify(value), Type: 'String', Overwrite: true }));
  return value.count;
}
`;

/**
 * Answers like the runbook step handler: `{Status, Retry, Detail, ReportUrl}`. `event.succeedAt`: the invocation
 * that succeeds ("0": none, the step stays pending); `event.mode` "failed": fails at once, for good.
 */
export const OUTCOME_FUNCTION_CODE = `${COUNT}
exports.handler = async (event) => {
  const n = await count(event);
  const succeedAt = Number(event.succeedAt || 0);
  const status = event.mode === 'failed' ? 'failed' : succeedAt > 0 && n >= succeedAt ? 'succeeded' : 'pending';
  return { Status: status, Retry: status === 'pending', Detail: 'invocation ' + n, Count: n, ReportUrl: '${SMOKE_REPORT_URL}' };
};
`;

/** Counts the invocation, then throws (the old documents relied on a throw failing the step). */
export const THROWING_FUNCTION_CODE = `${COUNT}
exports.handler = async (event) => {
  const n = await count(event);
  throw new Error('ssm-smoke: thrown on purpose (invocation ' + n + ')');
};
`;

const sub = (text: string) => ({ 'Fn::Sub': text });

/** The template, for a stack named `stackName` (its parameters live under `/<stackName>/`). */
export function smokeTemplate(stackName: string): Record<string, unknown> {
  const parameterArn = sub(`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${stackName}/*`);
  const lambdaFunction = (code: string) => ({
    Type: 'AWS::Lambda::Function',
    DependsOn: SMOKE_COUNTERS.map(counterLogicalId),
    Properties: {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 60,
      Role: { 'Fn::GetAtt': ['FunctionRole', 'Arn'] },
      Environment: { Variables: { COUNTER_PREFIX: `/${stackName}` } },
      Code: { ZipFile: code },
    },
  });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'multi-region-shop aws:smoke: throwaway resources to check SSM Automation behaviours (deleted after)',
    Resources: {
      FunctionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
          ManagedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')],
          Policies: [
            {
              PolicyName: 'counters',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:PutParameter'], Resource: parameterArn },
                ],
              },
            },
          ],
        },
      },
      ...Object.fromEntries(
        SMOKE_COUNTERS.map((counter) => [
          counterLogicalId(counter),
          {
            Type: 'AWS::SSM::Parameter',
            Properties: { Name: `/${stackName}/${counter}`, Type: 'String', Value: JSON.stringify(EMPTY_COUNTER) },
          },
        ]),
      ),
      OutcomeFunction: lambdaFunction(OUTCOME_FUNCTION_CODE),
      ThrowingFunction: lambdaFunction(THROWING_FUNCTION_CODE),
      AutomationRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ssm.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'invoke',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 'lambda:InvokeFunction',
                    Resource: [
                      { 'Fn::GetAtt': ['OutcomeFunction', 'Arn'] },
                      { 'Fn::GetAtt': ['ThrowingFunction', 'Arn'] },
                    ],
                  },
                ],
              },
            },
          ],
        },
      },
    },
    Outputs: {
      [SMOKE_OUTPUTS.outcomeFunction]: { Value: { 'Fn::GetAtt': ['OutcomeFunction', 'Arn'] } },
      [SMOKE_OUTPUTS.throwingFunction]: { Value: { 'Fn::GetAtt': ['ThrowingFunction', 'Arn'] } },
      [SMOKE_OUTPUTS.automationRole]: { Value: { 'Fn::GetAtt': ['AutomationRole', 'Arn'] } },
    },
  };
}

/** `loop1` → `CounterLoop1`. */
function counterLogicalId(counter: SmokeCounter): string {
  return `Counter${counter.charAt(0).toUpperCase()}${counter.slice(1)}`;
}
