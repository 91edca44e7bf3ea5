import {
  type CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CreateDocumentCommand,
  DeleteDocumentCommand,
  DescribeAutomationStepExecutionsCommand,
  GetAutomationExecutionCommand,
  GetParameterCommand,
  type SSMClient,
  StartAutomationExecutionCommand,
  type StepExecution,
  StopAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { messageOf } from '../../core/errors';
import { largestLoopIterations, SMOKE_DOCUMENTS, type SmokeDocument, smokeDocuments } from './smoke-documents';
import { type CounterValue, SMOKE_COUNTERS, SMOKE_OUTPUTS, type SmokeCounter, smokeTemplate } from './smoke-template';
import {
  type BehaviourVerdict,
  type DocumentObservation,
  judge,
  type ObservedStep,
  type SmokeObservations,
} from './smoke-verdicts';

/** What the smoke test runs with (validated flags). */
export interface SmokeOptions {
  readonly region: string;
  readonly stackName: string;
  /** How long to wait for the stack and for the executions. */
  readonly timeoutMinutes: number;
  readonly pollSeconds: number;
}

/** What the smoke test needs from the outside world. */
export interface SmokeDependencies {
  readonly cloudFormation: CloudFormationClient;
  readonly ssm: SSMClient;
  readonly log: (line: string) => void;
  /** Waits; rejects when `signal` aborts. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now: () => number;
  /** Aborted on Ctrl-C: the run stops waiting and cleans up. */
  readonly signal?: AbortSignal;
}

/** How a smoke run ended. */
export interface SmokeResult {
  /** The verdicts (empty when the run stopped before the documents ran). */
  readonly verdicts: readonly BehaviourVerdict[];
  /** Why the run stopped early (stack failed, interrupted), if it did. */
  readonly stopped?: string;
  readonly interrupted: boolean;
  /** What could not be deleted (the user must delete it by hand). */
  readonly leftBehind: readonly string[];
}

/** Final statuses of an automation execution. */
const FINAL = new Set([
  'Success',
  'CompletedWithSuccess',
  'Failed',
  'Cancelled',
  'TimedOut',
  'CompletedWithFailure',
  'Rejected',
  'ChangeCalendarOverrideRejected',
  'Exited',
]);

class Interrupted extends Error {
  constructor() {
    super('interrupted (Ctrl-C)');
    this.name = 'Interrupted';
  }
}

/**
 * Deploys the throwaway stack, creates and runs the throwaway documents, judges each behaviour, and deletes
 * everything it created, whatever happened (an error, a timeout, Ctrl-C). It deletes only what it created: a stack
 * of the same name that already existed is left alone.
 */
export async function runSmoke(options: SmokeOptions, deps: SmokeDependencies): Promise<SmokeResult> {
  const { cloudFormation, ssm, log } = deps;
  const created = { stack: false, documents: [] as string[], executions: new Map<SmokeDocument, string>() };
  const observations: { -readonly [K in keyof SmokeObservations]: SmokeObservations[K] } = {
    largestIterations: largestLoopIterations(),
    documents: {},
    counters: {},
  };
  const finished = new Set<string>();
  const deadline = deps.now() + options.timeoutMinutes * 60_000;
  const wait = async () => {
    if (deps.signal?.aborted) throw new Interrupted();
    try {
      await deps.sleep(options.pollSeconds * 1000, deps.signal);
    } catch (error) {
      if (deps.signal?.aborted) throw new Interrupted();
      throw error;
    }
  };
  let verdicts: BehaviourVerdict[] = [];
  let stopped: string | undefined;
  let interrupted = false;
  try {
    log(`Creating the throwaway stack ${options.stackName} in ${options.region}`);
    await cloudFormation.send(
      new CreateStackCommand({
        StackName: options.stackName,
        TemplateBody: JSON.stringify(smokeTemplate(options.stackName)),
        Capabilities: ['CAPABILITY_IAM'],
        Tags: [{ Key: 'purpose', Value: 'multi-region-shop aws:smoke (throwaway)' }],
      }),
    );
    created.stack = true;
    const stack = await waitForStack(options.stackName, deps, wait, deadline);
    const output = (key: string) => {
      const value = stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
      if (!value) throw new Error(`stack ${options.stackName} has no output ${key}`);
      return value;
    };
    const documents = smokeDocuments(
      {
        outcomeFunction: output(SMOKE_OUTPUTS.outcomeFunction),
        throwingFunction: output(SMOKE_OUTPUTS.throwingFunction),
        automationRoleArn: output(SMOKE_OUTPUTS.automationRole),
      },
      observations.largestIterations,
    );
    for (const key of SMOKE_DOCUMENTS) {
      const name = `${options.stackName}-${key}`;
      try {
        await ssm.send(
          new CreateDocumentCommand({
            Name: name,
            DocumentType: 'Automation',
            DocumentFormat: 'JSON',
            Content: JSON.stringify(documents[key]),
          }),
        );
        created.documents.push(name);
        log(`Created document ${name}`);
      } catch (error) {
        observations.documents[key] = { created: false, error: messageOf(error) };
        log(`CreateDocument ${name} refused it: ${messageOf(error)}`);
        continue;
      }
      try {
        const started = await ssm.send(new StartAutomationExecutionCommand({ DocumentName: name }));
        if (!started.AutomationExecutionId) throw new Error('StartAutomationExecution returned no execution id');
        created.executions.set(key, started.AutomationExecutionId);
        observations.documents[key] = { created: true };
        log(`Started ${name}: execution ${started.AutomationExecutionId}`);
      } catch (error) {
        observations.documents[key] = { created: true, error: messageOf(error) };
        log(`StartAutomationExecution ${name} refused it: ${messageOf(error)}`);
      }
    }
    // Follow the executions until each ends (or the time is up).
    for (;;) {
      for (const [key, id] of created.executions) {
        if (finished.has(id)) continue;
        const status = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id })))
          .AutomationExecution?.AutomationExecutionStatus;
        if (status && FINAL.has(status)) {
          finished.add(id);
          log(`${options.stackName}-${key}: ${status}`);
        }
      }
      if (finished.size === created.executions.size || deps.now() >= deadline) break;
      await wait();
    }
    for (const [key, id] of created.executions) {
      observations.documents[key] = { created: true, execution: await observe(ssm, id) };
    }
    for (const counter of SMOKE_COUNTERS) {
      const value = await readCounter(ssm, options.stackName, counter);
      if (value) observations.counters[counter] = value;
    }
    verdicts = judge(observations);
  } catch (error) {
    interrupted = error instanceof Interrupted;
    stopped = messageOf(error);
    log(`Stopped: ${stopped}`);
  }
  const leftBehind = await cleanUp(options, deps, created, finished);
  return { verdicts, ...(stopped ? { stopped } : {}), interrupted, leftBehind };
}

/** Waits until the stack is created; throws on a failed creation or at the deadline. */
async function waitForStack(
  name: string,
  deps: SmokeDependencies,
  wait: () => Promise<void>,
  deadline: number,
): Promise<Stack> {
  for (;;) {
    const stack = (await deps.cloudFormation.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (status === 'CREATE_COMPLETE') {
      deps.log(`Stack ${name}: ${status}`);
      return stack!;
    }
    if (status !== 'CREATE_IN_PROGRESS') {
      throw new Error(`stack ${name} ended ${status}${stack?.StackStatusReason ? `: ${stack.StackStatusReason}` : ''}`);
    }
    if (deps.now() >= deadline) throw new Error(`stack ${name} is still ${status} after the timeout`);
    await wait();
  }
}

/** The execution with every step (`DescribeAutomationStepExecutions`, all pages). */
async function observe(ssm: SSMClient, id: string): Promise<NonNullable<DocumentObservation['execution']>> {
  const execution = (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id })))
    .AutomationExecution;
  const steps: StepExecution[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(
      new DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: id, MaxResults: 50, NextToken: nextToken }),
    );
    steps.push(...(page.StepExecutions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const status = execution?.AutomationExecutionStatus ?? 'Unknown';
  return {
    status,
    ended: FINAL.has(status),
    ...(execution?.FailureMessage ? { failureMessage: execution.FailureMessage } : {}),
    steps: steps.map(
      (s): ObservedStep => ({
        name: s.StepName ?? '',
        status: s.StepStatus ?? 'Unknown',
        ...(s.Outputs ? { outputs: s.Outputs } : {}),
        ...(s.FailureMessage ? { failureMessage: s.FailureMessage } : {}),
      }),
    ),
  };
}

async function readCounter(ssm: SSMClient, stack: string, counter: SmokeCounter): Promise<CounterValue | undefined> {
  try {
    const value = (await ssm.send(new GetParameterCommand({ Name: `/${stack}/${counter}` }))).Parameter?.Value;
    return value ? (JSON.parse(value) as CounterValue) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops the executions still running, deletes the documents and the stack (and waits for the stack to be gone).
 * Never throws: what it could not delete is returned, for the user to delete by hand.
 */
async function cleanUp(
  options: SmokeOptions,
  deps: SmokeDependencies,
  created: { stack: boolean; documents: string[]; executions: Map<SmokeDocument, string> },
  finished: Set<string>,
): Promise<string[]> {
  const { cloudFormation, ssm, log } = deps;
  const leftBehind: string[] = [];
  for (const id of created.executions.values()) {
    if (finished.has(id)) continue;
    try {
      await ssm.send(new StopAutomationExecutionCommand({ AutomationExecutionId: id, Type: 'Cancel' }));
      log(`Stopped execution ${id}`);
    } catch (error) {
      log(`Could not stop execution ${id}: ${messageOf(error)}`);
    }
  }
  for (const name of created.documents) {
    try {
      await ssm.send(new DeleteDocumentCommand({ Name: name }));
      log(`Deleted document ${name}`);
    } catch (error) {
      leftBehind.push(`SSM document ${name} (${messageOf(error)})`);
    }
  }
  if (!created.stack) return leftBehind;
  try {
    await cloudFormation.send(new DeleteStackCommand({ StackName: options.stackName }));
    // Ctrl-C must not stop the clean-up: it waits on its own deadline, ignoring the signal.
    const deadline = deps.now() + 15 * 60_000;
    for (;;) {
      let status: string | undefined;
      try {
        status = (await cloudFormation.send(new DescribeStacksCommand({ StackName: options.stackName }))).Stacks?.[0]
          ?.StackStatus;
      } catch (error) {
        // DescribeStacks answers a ValidationError "Stack with id … does not exist" once the stack is gone.
        if (/does not exist/.test(messageOf(error))) status = 'DELETE_COMPLETE';
        else throw error;
      }
      if (status === 'DELETE_COMPLETE' || status === undefined) {
        log(`Deleted stack ${options.stackName}`);
        break;
      }
      if (status === 'DELETE_FAILED') throw new Error(`stack ${options.stackName} ended DELETE_FAILED`);
      if (deps.now() >= deadline) throw new Error(`stack ${options.stackName} is still ${status}`);
      await deps.sleep(options.pollSeconds * 1000);
    }
  } catch (error) {
    leftBehind.push(`CloudFormation stack ${options.stackName} in ${options.region} (${messageOf(error)})`);
  }
  return leftBehind;
}
