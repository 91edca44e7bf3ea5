import { demoTopology } from '../../adapters/local/demo-topology';
import { ORCHESTRATION_NAMES, ORCHESTRATIONS } from '../../orchestrations';
import type { Topology } from '../../topology';
import {
  type AutomationDocument,
  type AutomationStep,
  automationDocument,
  endBranch,
  failingStep,
  invokeLoop,
  invokeStep,
  outcomeBranch,
} from '../automation-document';
import { SMOKE_REPORT_URL, type SmokeCounter } from './smoke-template';

/** The throwaway documents, by key (the document is named `<stack>-<key>`). */
export const SMOKE_DOCUMENTS = ['loops', 'failing', 'throw', 'selector', 'attempts'] as const;

/** One of {@link SMOKE_DOCUMENTS}. */
export type SmokeDocument = (typeof SMOKE_DOCUMENTS)[number];

/** The `maxAttempts` of the old documents (recover's longest wait), which the review asked about. */
export const OLD_MAX_ATTEMPTS = 81;

/** What the documents invoke and assume. */
export interface SmokeTargets {
  readonly outcomeFunction: string;
  readonly throwingFunction: string;
  readonly automationRoleArn: string;
}

/** The largest `MaxIterations` of any generated document (every orchestration, the default topology). */
export function largestLoopIterations(topology: Topology = demoTopology()): number {
  const targets = { stepFunction: 'step', databaseFunction: 'database', automationRoleArn: 'role' };
  let largest = 1;
  for (const name of ORCHESTRATION_NAMES) {
    for (const step of automationDocument(ORCHESTRATIONS[name]!, topology, targets).mainSteps) {
      if (step.action === 'aws:loop') largest = Math.max(largest, step.inputs.MaxIterations as number);
    }
  }
  return largest;
}

const document = (description: string, targets: SmokeTargets, mainSteps: AutomationStep[]): AutomationDocument => ({
  schemaVersion: '0.3',
  description: `multi-region-shop aws:smoke (throwaway): ${description}`,
  assumeRole: '{{AutomationAssumeRole}}',
  parameters: {
    AutomationAssumeRole: {
      type: 'String',
      description: 'Role SSM Automation assumes to invoke the smoke functions.',
      default: targets.automationRoleArn,
    },
  },
  mainSteps,
});

/** An invoke of the outcome function counting in `counter`, with the loop's iteration when inside `loop`. */
const outcomePayload = (counter: SmokeCounter, extra: Record<string, string>, loop?: string) => ({
  counter,
  ...(loop ? { attempt: `{{ ${loop}.CurrentIteration }}` } : {}),
  ...extra,
});

/**
 * The documents, built with the same builders as the generated runbook documents (automation-document.ts):
 *
 * - `loops`: loop1 (MaxIterations = the largest the generated documents use) invokes a function that answers
 *   pending, pending, succeeded; its branch goes on to loop2 on `succeeded`. loop2 (MaxIterations 2) stays pending;
 *   its branch goes on to loop3 on `pending` (the loop stopped at MaxIterations and the execution went on). loop3
 *   succeeds at once; its end branch (a `Not` choice and `isEnd`) ends the execution. Expected: Success, no
 *   `*_failed` step run, counts 3, 2, 1, iterations 1..3 received.
 * - `failing`: a loop whose function fails at once; the branch's Default goes to the failing assertion. Expected:
 *   Failed at `fail_failed`, one invocation.
 * - `throw` (old pattern): one invoke of a function that throws, `maxAttempts: 3`. Expected by the old documents:
 *   the step Failed, invoked 3 times.
 * - `selector` (old pattern): an invoke step output selecting `$.Payload.ReportUrl`. Expected by the old documents:
 *   the document is accepted and the output holds the link.
 * - `attempts` (old pattern): an invoke step with `maxAttempts: 81`. Expected by the old documents: accepted.
 */
export function smokeDocuments(
  targets: SmokeTargets,
  largest = largestLoopIterations(),
): Record<SmokeDocument, AutomationDocument> {
  const fn = targets.outcomeFunction;
  return {
    loops: document('aws:loop, its branch, the end branch', targets, [
      invokeLoop(
        'loop1',
        'pending, pending, succeeded',
        largest,
        invokeStep('loop1_invoke', fn, outcomePayload('loop1', { succeedAt: '3' }, 'loop1')),
      ),
      outcomeBranch('loop1_outcome', 'loop1_invoke', 'loop2', 'loop1_failed'),
      failingStep('loop1_failed', 'loop1', 'loop1_invoke'),
      invokeLoop(
        'loop2',
        'pending until MaxIterations',
        2,
        invokeStep('loop2_invoke', fn, outcomePayload('loop2', { succeedAt: '0' }, 'loop2')),
      ),
      {
        name: 'loop2_outcome',
        action: 'aws:branch',
        inputs: {
          Choices: [{ NextStep: 'loop3', Variable: '{{ loop2_invoke.Status }}', StringEquals: 'pending' }],
          Default: 'loop2_failed',
        },
      },
      failingStep('loop2_failed', 'loop2', 'loop2_invoke'),
      invokeLoop(
        'loop3',
        'succeeds at once',
        1,
        invokeStep('loop3_invoke', fn, outcomePayload('loop3', { succeedAt: '1' }, 'loop3')),
      ),
      endBranch('loop3_outcome', 'loop3_invoke', 'loop3_failed'),
      failingStep('loop3_failed', 'loop3', 'loop3_invoke'),
    ]),
    failing: document('the failing end step', targets, [
      invokeLoop(
        'fail',
        'fails at once',
        3,
        invokeStep('fail_invoke', fn, outcomePayload('fail', { mode: 'failed' }, 'fail')),
      ),
      outcomeBranch('fail_outcome', 'fail_invoke', 'fail_unexpected', 'fail_failed'),
      failingStep('fail_failed', 'fail', 'fail_invoke'),
      failingStep('fail_unexpected', 'fail (unexpected path)', 'fail_invoke'),
    ]),
    throw: document('old pattern: a throwing function and maxAttempts', targets, [
      {
        name: 'throwing',
        action: 'aws:invokeLambdaFunction',
        maxAttempts: 3,
        timeoutSeconds: 120,
        onFailure: 'Abort',
        inputs: { FunctionName: targets.throwingFunction, InputPayload: { counter: 'throw' } },
      },
    ]),
    selector: document('old pattern: a $.Payload selector', targets, [
      invokeStep('selector', fn, { counter: 'selector', succeedAt: '1' }, [
        { Name: 'ReportUrl', Selector: '$.Payload.ReportUrl', Type: 'String' },
      ]),
    ]),
    attempts: document(`old pattern: maxAttempts ${OLD_MAX_ATTEMPTS}`, targets, [
      {
        name: 'attempts',
        action: 'aws:invokeLambdaFunction',
        maxAttempts: OLD_MAX_ATTEMPTS,
        timeoutSeconds: 120,
        onFailure: 'Abort',
        inputs: { FunctionName: fn, InputPayload: { counter: 'attempts', succeedAt: '1' } },
      },
    ]),
  };
}

/** The link the `selector` document's output should hold. */
export const EXPECTED_REPORT_URL = SMOKE_REPORT_URL;
