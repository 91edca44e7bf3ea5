import * as vm from 'node:vm';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeAutomationStepExecutionsCommand,
  GetAutomationExecutionCommand,
  GetParameterCommand,
  SSMClient,
  SSMServiceException,
  StartAutomationExecutionCommand,
  type StepExecution,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { ORCHESTRATIONS } from '../../../runbooks/orchestrations';
import { automationDocument } from '../../../runbooks/ssm/automation-document';
import { main, type SmokeIo } from '../../../runbooks/ssm/smoke/aws-smoke';
import {
  largestLoopIterations,
  SMOKE_DOCUMENTS,
  type SmokeDocument,
  smokeDocuments,
} from '../../../runbooks/ssm/smoke/smoke-documents';
import {
  type CounterValue,
  OUTCOME_FUNCTION_CODE,
  SMOKE_COUNTERS,
  SMOKE_REPORT_URL,
  type SmokeCounter,
  smokeTemplate,
  THROWING_FUNCTION_CODE,
} from '../../../runbooks/ssm/smoke/smoke-template';
import { type DocumentObservation, judge, type SmokeObservations } from '../../../runbooks/ssm/smoke/smoke-verdicts';
import { validateAutomationDocument } from './automation-interpreter';

// The smoke test cannot run for real here (no AWS account): these tests pin its flags, its verdicts and its clean-up
// with the SDK clients mocked.

const STACK = 'mrs-ssm-smoke-test01';
const REGION = 'us-east-1';

const cfn = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);

interface Captured {
  readonly code: number;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly slept: number[];
}

async function run(argv: string[], overrides: Partial<SmokeIo> = {}): Promise<Captured> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const slept: number[] = [];
  let now = 0;
  const code = await main(argv, {
    stdout: (s) => stdout.push(s),
    stderr: (s) => stderr.push(s),
    clients: () => ({
      cloudFormation: new CloudFormationClient({ region: REGION }),
      ssm: new SSMClient({ region: REGION }),
    }),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    now: () => now,
    defaultStackName: STACK,
    ...overrides,
  });
  return { code, stdout, stderr, slept };
}

beforeEach(() => {
  cfn.reset();
  ssm.reset();
});

describe('aws:smoke flags', () => {
  test.each<[string, string[], string]>([
    ['no --region', [], "error: required option '--region <region>' not specified"],
    [
      'a malformed Region',
      ['--region', 'mars-1'],
      'error: option \'--region <region>\': "mars-1" is not a Region name; accepted: a Region such as us-east-1',
    ],
    [
      'an unknown flag',
      ['--region', REGION, '--regin', 'x'],
      "error: unknown option '--regin'\n(Did you mean --region?); accepted: --region, --stack-name, --timeout-minutes, --poll-seconds, --help",
    ],
    [
      'a zero timeout',
      ['--region', REGION, '--timeout-minutes', '0'],
      'error: option \'--timeout-minutes <minutes>\': "0" is out of range; accepted: a whole number from 1 to 120',
    ],
    [
      'a poll interval that is not a number',
      ['--region', REGION, '--poll-seconds', 'fast'],
      'error: option \'--poll-seconds <seconds>\': "fast" is out of range; accepted: a whole number from 1 to 60',
    ],
    [
      'a stack name with a slash',
      ['--region', REGION, '--stack-name', 'my/stack'],
      'error: option \'--stack-name <name>\': "my/stack" is not accepted; accepted: 3 to 64 letters, digits and hyphens, starting with a letter',
    ],
  ])('%s exits 2 naming the flag, the value and what is accepted, and calls nothing', async (_, argv, message) => {
    const clients = jest.fn();
    const result = await run(argv, { clients });
    expect(result.code).toBe(2);
    expect(result.stderr.join('\n')).toBe(message);
    expect(clients).not.toHaveBeenCalled();
    expect(cfn.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('aws:smoke documents and stack', () => {
  test('the documents use the generated constructs, the largest MaxIterations of the generated documents, and pass the interpreter', () => {
    // GIVEN
    const largest = largestLoopIterations();
    const recover = automationDocument(ORCHESTRATIONS.recover!, demoTopology(), {
      stepFunction: 's',
      databaseFunction: 'd',
      automationRoleArn: 'r',
    });
    const loops = recover.mainSteps.filter((s) => s.action === 'aws:loop').map((s) => s.inputs.MaxIterations);
    // WHEN
    const documents = smokeDocuments({ outcomeFunction: 'f', throwingFunction: 't', automationRoleArn: 'r' });
    // THEN
    expect(largest).toBe(Math.max(...(loops as number[])));
    expect(documents.loops.mainSteps[0]!.inputs.MaxIterations).toBe(largest);
    for (const key of ['loops', 'failing'] as const)
      expect(() => validateAutomationDocument(documents[key])).not.toThrow();
    // the old patterns are what the interpreter refuses or does not depend on
    expect(() => validateAutomationDocument(documents.selector)).toThrow(/selects \$\.Payload\.ReportUrl/);
    expect(documents.attempts.mainSteps[0]!.maxAttempts).toBe(81);
  });

  test('the stack has the two inline functions, a counter parameter each, and an automation role that may invoke only them', () => {
    const template = smokeTemplate(STACK) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(2);
    expect(types.filter((t) => t === 'AWS::SSM::Parameter')).toHaveLength(SMOKE_COUNTERS.length);
    expect(template.Resources.AutomationRole!.Properties).toMatchObject({
      Policies: [{ PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction' }] } }],
    });
    expect(template.Resources.OutcomeFunction!.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Environment: { Variables: { COUNTER_PREFIX: `/${STACK}` } },
    });
  });
});

/** Loads an inline function's code with a stand-in SSM client keeping the counter parameters in `store`. */
function loadInline(code: string, store: Map<string, string>): (event: Record<string, unknown>) => Promise<unknown> {
  class GetParameterCommand {
    constructor(readonly input: { Name: string }) {}
  }
  class PutParameterCommand {
    constructor(readonly input: { Name: string; Value: string }) {}
  }
  class SSMClient {
    async send(command: GetParameterCommand | PutParameterCommand) {
      if (command instanceof PutParameterCommand) store.set(command.input.Name, command.input.Value);
      return { Parameter: { Value: store.get(command.input.Name) } };
    }
  }
  const module = { exports: {} as { handler: (event: Record<string, unknown>) => Promise<unknown> } };
  const sandbox = {
    module,
    exports: module.exports,
    process: { env: { COUNTER_PREFIX: `/${STACK}` } },
    require: (name: string) => {
      if (name !== '@aws-sdk/client-ssm') throw new Error(`unexpected require ${name}`);
      return { SSMClient, GetParameterCommand, PutParameterCommand };
    },
  };
  vm.runInNewContext(code, sandbox);
  return sandbox.module.exports.handler;
}

describe('aws:smoke inline functions', () => {
  test('the outcome function answers pending until succeedAt, counting each invocation and the attempt it received', async () => {
    const store = new Map([[`/${STACK}/loop1`, JSON.stringify({ count: 0, seen: [] })]]);
    const handler = loadInline(OUTCOME_FUNCTION_CODE, store);
    const answers = [];
    for (const attempt of [1, 2, 3]) answers.push(await handler({ counter: 'loop1', attempt, succeedAt: '3' }));
    expect(answers).toEqual(
      [1, 2, 3].map((n) => ({
        Status: n < 3 ? 'pending' : 'succeeded',
        Retry: n < 3,
        Detail: `invocation ${n}`,
        Count: n,
        ReportUrl: SMOKE_REPORT_URL,
      })),
    );
    expect(JSON.parse(store.get(`/${STACK}/loop1`)!)).toEqual({
      count: 3,
      seen: [1, 2, 3].map((attempt) => ({ attempt, type: 'number' })),
    });
    const failing = await handler({ counter: 'loop1', mode: 'failed' });
    expect(failing).toMatchObject({ Status: 'failed', Retry: false });
  });

  test('the throwing function counts the invocation, then throws', async () => {
    const store = new Map([[`/${STACK}/throw`, JSON.stringify({ count: 0, seen: [] })]]);
    const handler = loadInline(THROWING_FUNCTION_CODE, store);
    await expect(handler({ counter: 'throw' })).rejects.toThrow('ssm-smoke: thrown on purpose (invocation 1)');
    expect(JSON.parse(store.get(`/${STACK}/throw`)!)).toEqual({
      count: 1,
      seen: [{ attempt: null, type: 'undefined' }],
    });
  });
});

// ---- verdicts ----

const counter = (count: number, attempts: unknown[] = []): CounterValue => ({
  count,
  seen: attempts.map((attempt) => ({ attempt, type: typeof attempt })),
});

const step = (name: string, status = 'Success', outputs?: Record<string, string[]>, failure?: string) => ({
  name,
  status,
  ...(outputs ? { outputs } : {}),
  ...(failure ? { failureMessage: failure } : {}),
});

const payload = (returned: Record<string, unknown>) => ({ Payload: [JSON.stringify(returned)] });

/** What a run in which every documented expectation holds (and the old patterns work) would observe. */
function asDesigned(): SmokeObservations {
  const ended = (
    status: string,
    steps: DocumentObservation['execution'] extends infer E ? (E extends { steps: infer S } ? S : never) : never,
  ): DocumentObservation => ({
    created: true,
    execution: { status, ended: true, steps },
  });
  return {
    largestIterations: 81,
    documents: {
      loops: ended('Success', [
        step('loop1'),
        step('loop1_invoke'),
        step('loop1_outcome'),
        step('loop2'),
        step('loop2_invoke'),
        step('loop2_outcome'),
        step('loop3'),
        step('loop3_invoke', 'Success', payload({ Status: 'succeeded', Retry: false, ReportUrl: SMOKE_REPORT_URL })),
        step('loop3_outcome'),
      ]),
      failing: ended('Failed', [
        step('fail'),
        step('fail_invoke'),
        step('fail_outcome'),
        step('fail_failed', 'Failed', undefined, 'Assertion failed'),
      ]),
      throw: ended('Failed', [
        step('throwing', 'Failed', { FunctionError: ['Unhandled'] }, 'ssm-smoke: thrown on purpose'),
      ]),
      selector: ended('Success', [step('selector', 'Success', { ReportUrl: [SMOKE_REPORT_URL] })]),
      attempts: ended('Success', [step('attempts')]),
    },
    counters: {
      loop1: counter(3, [1, 2, 3]),
      loop2: counter(2, [1, 2]),
      loop3: counter(1, [1]),
      fail: counter(1, [1]),
      throw: counter(3),
      selector: counter(1),
      attempts: counter(1),
    },
  };
}

const verdictsOf = (observations: SmokeObservations) =>
  Object.fromEntries(judge(observations).map((v) => [v.id, v.verdict]));

describe('aws:smoke verdicts', () => {
  test('a run as designed confirms every behaviour, in the order runbooks/README.md lists them', () => {
    expect(judge(asDesigned()).map((v) => [v.id, v.verdict])).toEqual([
      ['document-accepted', 'confirmed'],
      ['loop-retry', 'confirmed'],
      ['iteration-in-payload', 'confirmed'],
      ['output-after-loop', 'confirmed'],
      ['loop-max-iterations', 'confirmed'],
      ['end-branch', 'confirmed'],
      ['failing-step', 'confirmed'],
      ['payload-listed', 'confirmed'],
      ['throw-fails-step', 'confirmed'],
      ['max-attempts-retries', 'confirmed'],
      ['payload-selector', 'confirmed'],
      ['max-attempts-81', 'confirmed'],
    ]);
  });

  test('the iteration arriving as text still counts, and the evidence says so', () => {
    const observations = {
      ...asDesigned(),
      counters: { ...asDesigned().counters, loop1: counter(3, ['1', '2', '3']) },
    };
    const verdict = judge(observations).find((v) => v.id === 'iteration-in-payload')!;
    expect(verdict).toMatchObject({ verdict: 'confirmed', evidence: 'received ["1","2","3"] (string)' });
  });

  test('old patterns that do not hold are contradicted, with the evidence', () => {
    // GIVEN a throw that does not fail the step, a refused $.Payload selector and a refused maxAttempts 81
    const base = asDesigned();
    const observations: SmokeObservations = {
      ...base,
      documents: {
        ...base.documents,
        throw: {
          created: true,
          execution: {
            status: 'Success',
            ended: true,
            steps: [step('throwing', 'Success', { FunctionError: ['Unhandled'] })],
          },
        },
        selector: { created: false, error: 'InvalidDocumentContent: Invalid selector $.Payload.ReportUrl' },
        attempts: { created: false, error: 'InvalidDocumentContent: maxAttempts must be at most 50' },
      },
      counters: { ...base.counters, throw: counter(1) },
    };
    // WHEN
    const verdicts = judge(observations);
    // THEN
    expect(verdicts.find((v) => v.id === 'throw-fails-step')).toMatchObject({
      verdict: 'contradicted',
      evidence: 'step throwing Success (FunctionError Unhandled); 1 invocation(s)',
    });
    expect(verdicts.find((v) => v.id === 'max-attempts-retries')?.verdict).toBe('could not decide');
    expect(verdicts.find((v) => v.id === 'payload-selector')).toMatchObject({
      verdict: 'contradicted',
      evidence: 'CreateDocument refused it: InvalidDocumentContent: Invalid selector $.Payload.ReportUrl',
    });
    expect(verdicts.find((v) => v.id === 'max-attempts-81')?.verdict).toBe('contradicted');
    expect(verdicts.find((v) => v.id === 'loop-retry')?.verdict).toBe('confirmed');
  });

  test('nested steps missing from the step list contradict the report-link path only; the counters still decide the loops', () => {
    const base = asDesigned();
    const loops = base.documents.loops!;
    const observations: SmokeObservations = {
      ...base,
      documents: {
        ...base.documents,
        loops: {
          ...loops,
          execution: { ...loops.execution!, steps: loops.execution!.steps.filter((s) => !s.name.endsWith('_invoke')) },
        },
      },
    };
    expect(verdictsOf(observations)).toMatchObject({
      'payload-listed': 'contradicted',
      'loop-retry': 'confirmed',
      'loop-max-iterations': 'confirmed',
      'output-after-loop': 'confirmed',
    });
  });

  test('a branch that misreads the nested output, and a loop that fails at MaxIterations, are contradicted', () => {
    const base = asDesigned();
    const observations: SmokeObservations = {
      ...base,
      documents: {
        ...base.documents,
        loops: {
          created: true,
          execution: {
            status: 'Failed',
            ended: true,
            steps: [step('loop1'), step('loop1_invoke'), step('loop1_outcome'), step('loop1_failed', 'Failed')],
          },
        },
      },
      counters: { ...base.counters, loop2: counter(0), loop3: counter(0) },
    };
    expect(verdictsOf(observations)).toMatchObject({
      'output-after-loop': 'contradicted',
      'loop-max-iterations': 'contradicted',
      'end-branch': 'contradicted',
    });
  });

  test('an execution still running, or a document refused, cannot decide what it would have shown', () => {
    const base = asDesigned();
    const observations: SmokeObservations = {
      ...base,
      documents: {
        ...base.documents,
        failing: { created: true, execution: { status: 'InProgress', ended: false, steps: [] } },
        loops: { created: false, error: 'InvalidDocumentContent: aws:loop is not supported' },
      },
      counters: {},
    };
    const verdicts = judge(observations);
    expect(verdicts.find((v) => v.id === 'failing-step')).toMatchObject({
      verdict: 'could not decide',
      evidence: 'document failing was still InProgress when the smoke test stopped waiting',
    });
    expect(verdicts.find((v) => v.id === 'document-accepted')?.verdict).toBe('contradicted');
    expect(verdicts.find((v) => v.id === 'loop-retry')?.verdict).toBe('could not decide');
  });
});

// ---- the run and its clean-up ----

const FUNCTION = `arn:aws:lambda:${REGION}:111111111111:function:${STACK}-OutcomeFunction`;
const stackOutputs = [
  { OutputKey: 'OutcomeFunctionArn', OutputValue: FUNCTION },
  { OutputKey: 'ThrowingFunctionArn', OutputValue: `${FUNCTION}-throwing` },
  { OutputKey: 'AutomationRoleArn', OutputValue: 'arn:aws:iam::111111111111:role/smoke-automation' },
];
const execId = (key: SmokeDocument) => `exec-${key}`;

/** A sandbox where everything goes as designed; `steps` per document as SSM would list them. */
function sandbox(options: { final?: boolean; refuse?: SmokeDocument[]; stack?: 'ok' | 'rollback' | 'exists' } = {}) {
  let deleted = false;
  if (options.stack === 'exists') {
    cfn.on(CreateStackCommand).rejects(
      new CloudFormationServiceException({
        name: 'AlreadyExistsException',
        $fault: 'client',
        $metadata: {},
        message: `Stack [${STACK}] already exists`,
      }),
    );
  } else
    cfn.on(CreateStackCommand).resolves({ StackId: `arn:aws:cloudformation:${REGION}:111111111111:stack/${STACK}/1` });
  let describes = 0;
  cfn.on(DescribeStacksCommand).callsFake(() => {
    if (deleted) {
      throw new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: {},
        message: `Stack with id ${STACK} does not exist`,
      });
    }
    describes++;
    if (describes === 1)
      return { Stacks: [{ StackName: STACK, StackStatus: 'CREATE_IN_PROGRESS', CreationTime: new Date() }] };
    return options.stack === 'rollback'
      ? {
          Stacks: [
            {
              StackName: STACK,
              StackStatus: 'ROLLBACK_COMPLETE',
              StackStatusReason: 'The following resource(s) failed to create: [OutcomeFunction]',
              CreationTime: new Date(),
            },
          ],
        }
      : {
          Stacks: [
            { StackName: STACK, StackStatus: 'CREATE_COMPLETE', Outputs: stackOutputs, CreationTime: new Date() },
          ],
        };
  });
  cfn.on(DeleteStackCommand).callsFake(() => {
    deleted = true;
    return {};
  });
  ssm.on(CreateDocumentCommand).callsFake((input: { Name: string }) => {
    const key = input.Name.slice(STACK.length + 1) as SmokeDocument;
    if (options.refuse?.includes(key)) {
      throw new SSMServiceException({
        name: 'InvalidDocumentContent',
        $fault: 'client',
        $metadata: {},
        message: `refused ${key}`,
      });
    }
    return { DocumentDescription: { Name: input.Name } };
  });
  ssm.on(StartAutomationExecutionCommand).callsFake((input: { DocumentName: string }) => ({
    AutomationExecutionId: execId(input.DocumentName.slice(STACK.length + 1) as SmokeDocument),
  }));
  const designed = asDesigned();
  ssm.on(GetAutomationExecutionCommand).callsFake((input: { AutomationExecutionId: string }) => {
    const key = input.AutomationExecutionId.slice(5) as SmokeDocument;
    const status = options.final === false ? 'InProgress' : designed.documents[key]!.execution!.status;
    return {
      AutomationExecution: { AutomationExecutionId: input.AutomationExecutionId, AutomationExecutionStatus: status },
    };
  });
  ssm.on(DescribeAutomationStepExecutionsCommand).callsFake((input: { AutomationExecutionId: string }) => {
    const key = input.AutomationExecutionId.slice(5) as SmokeDocument;
    return {
      StepExecutions: designed.documents[key]!.execution!.steps.map(
        (s): StepExecution => ({
          StepName: s.name,
          StepStatus: s.status as 'Success',
          ...(s.outputs ? { Outputs: s.outputs as Record<string, string[]> } : {}),
          ...(s.failureMessage ? { FailureMessage: s.failureMessage } : {}),
        }),
      ),
    };
  });
  ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    const key = input.Name.slice(STACK.length + 2) as SmokeCounter;
    return { Parameter: { Name: input.Name, Value: JSON.stringify(designed.counters[key] ?? counter(0)) } };
  });
  ssm.on(DeleteDocumentCommand).resolves({});
  ssm.on(StopAutomationExecutionCommand).resolves({});
}

const deletedDocuments = () =>
  ssm
    .commandCalls(DeleteDocumentCommand)
    .map((c) => c.args[0].input.Name)
    .sort();
const allDocuments = (except: SmokeDocument[] = []) =>
  SMOKE_DOCUMENTS.filter((d) => !except.includes(d))
    .map((d) => `${STACK}-${d}`)
    .sort();

describe('aws:smoke run and clean-up', () => {
  test('a run as designed prints every behaviour confirmed, exits 0, and deletes the documents and the stack', async () => {
    sandbox();
    const result = await run(['--region', REGION]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'confirmed         loop-retry: the loop invokes the function again while it returns Retry: true, and stops when Retry is false',
    );
    expect(result.stdout.at(-1)).toBe('12 confirmed, 0 contradicted, 0 could not decide');
    expect(cfn).toHaveReceivedCommandWith(CreateStackCommand, { StackName: STACK, Capabilities: ['CAPABILITY_IAM'] });
    expect(ssm).toHaveReceivedCommandTimes(CreateDocumentCommand, SMOKE_DOCUMENTS.length);
    expect(ssm).toHaveReceivedCommandWith(CreateDocumentCommand, {
      Name: `${STACK}-loops`,
      DocumentType: 'Automation',
      DocumentFormat: 'JSON',
    });
    expect(deletedDocuments()).toEqual(allDocuments());
    expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    expect(ssm).not.toHaveReceivedCommand(StopAutomationExecutionCommand);
  });

  test('a refused document is reported contradicted, never deleted (it does not exist), the rest cleaned up', async () => {
    // The $.Payload selector is a pattern the documents no longer use: reported, but it does not fail the run.
    sandbox({ refuse: ['selector'] });
    const result = await run(['--region', REGION]);
    expect(result.code).toBe(0);
    expect(result.stdout.join('\n')).toMatch(
      /^contradicted {6}payload-selector: .*\n {18}CreateDocument refused it: refused selector$/m,
    );
    expect(deletedDocuments()).toEqual(allDocuments(['selector']));
    expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
  });

  test('a refused document the runbooks rely on fails the run (exit 1)', async () => {
    sandbox({ refuse: ['loops'] });
    const result = await run(['--region', REGION]);
    expect(result.code).toBe(1);
    expect(result.stdout.join('\n')).toMatch(/^contradicted {6}document-accepted: /m);
  });

  test('a stack that fails to create is deleted, no document is created, and the run exits 1 with the reason', async () => {
    sandbox({ stack: 'rollback' });
    const result = await run(['--region', REGION]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `error: the smoke test stopped: stack ${STACK} ended ROLLBACK_COMPLETE: The following resource(s) failed to create: [OutcomeFunction]`,
    );
    expect(ssm).not.toHaveReceivedCommand(CreateDocumentCommand);
    expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
  });

  test('a stack of that name that already exists is not ours: it is not deleted', async () => {
    sandbox({ stack: 'exists' });
    const result = await run(['--region', REGION]);
    expect(result.code).toBe(1);
    expect(cfn).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  test('executions that do not end in time are stopped, then everything is deleted; the behaviours are undecided', async () => {
    sandbox({ final: false });
    const result = await run(['--region', REGION, '--timeout-minutes', '1', '--poll-seconds', '10']);
    expect(result.code).toBe(1);
    expect(ssm).toHaveReceivedCommandTimes(StopAutomationExecutionCommand, SMOKE_DOCUMENTS.length);
    expect(ssm).toHaveReceivedCommandWith(StopAutomationExecutionCommand, {
      AutomationExecutionId: 'exec-loops',
      Type: 'Cancel',
    });
    expect(deletedDocuments()).toEqual(allDocuments());
    expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    // The counters the functions kept still decide the loops; what only the ended executions show is undecided.
    expect(result.stdout.at(-1)).toBe('5 confirmed, 0 contradicted, 7 could not decide');
    expect(result.stdout).toContain(
      'could not decide  end-branch: the end branch (a Not choice and isEnd) ends the execution as Success when the step succeeded',
    );
    expect(result.stdout).toContain(
      '                  document loops was still InProgress when the smoke test stopped waiting',
    );
  });

  test('Ctrl-C while the executions run: they are stopped, the documents and the stack deleted, exit 130', async () => {
    sandbox({ final: false });
    const controller = new AbortController();
    let waits = 0;
    const result = await run(['--region', REGION], {
      signal: controller.signal,
      sleep: async (_ms, signal) => {
        waits++;
        // the first wait is the stack's; Ctrl-C comes during the second (the executions')
        if (waits === 2) {
          controller.abort();
          if (signal?.aborted) throw new Error('The operation was aborted');
        }
      },
    });
    expect(result.code).toBe(130);
    expect(ssm).toHaveReceivedCommandTimes(StopAutomationExecutionCommand, SMOKE_DOCUMENTS.length);
    expect(deletedDocuments()).toEqual(allDocuments());
    expect(cfn).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
  });

  test('what cannot be deleted is listed for the user to delete by hand; exit 1', async () => {
    sandbox();
    ssm.on(DeleteDocumentCommand, { Name: `${STACK}-throw` }).rejects(
      new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'not allowed',
      }),
    );
    const result = await run(['--region', REGION]);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      'Could not delete (delete by hand):',
      `  - SSM document ${STACK}-throw (not allowed)`,
    ]);
  });
});
