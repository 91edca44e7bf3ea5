import { EXPECTED_REPORT_URL, OLD_MAX_ATTEMPTS, type SmokeDocument } from './smoke-documents';
import type { CounterValue, SmokeCounter } from './smoke-template';

/** What the smoke test concludes about one behaviour. */
export type Verdict = 'confirmed' | 'contradicted' | 'could not decide';

/** One step execution as SSM listed it. */
export interface ObservedStep {
  readonly name: string;
  readonly status: string;
  readonly outputs?: Readonly<Record<string, readonly string[]>>;
  readonly failureMessage?: string;
}

/** What happened to one throwaway document. */
export interface DocumentObservation {
  /** `CreateDocument` accepted it. */
  readonly created: boolean;
  /** Why `CreateDocument` (or `StartAutomationExecution`) refused it. */
  readonly error?: string;
  /** The execution as last seen. */
  readonly execution?: {
    readonly status: string;
    /** Whether the status is final (otherwise the smoke test stopped waiting). */
    readonly ended: boolean;
    readonly failureMessage?: string;
    readonly steps: readonly ObservedStep[];
  };
}

/** Everything the verdicts rest on. */
export interface SmokeObservations {
  /** The `MaxIterations` of loop1 (the largest the generated documents use). */
  readonly largestIterations: number;
  readonly documents: Partial<Record<SmokeDocument, DocumentObservation>>;
  /** The counters the functions kept (absent when they could not be read). */
  readonly counters: Partial<Record<SmokeCounter, CounterValue>>;
}

/** A behaviour and what the smoke test found. */
export interface BehaviourVerdict {
  /** Short id, the one runbooks/README.md lists. */
  readonly id: string;
  readonly behaviour: string;
  readonly verdict: Verdict;
  readonly evidence: string;
}

const FINAL_SUCCESS = new Set(['Success', 'CompletedWithSuccess']);

/**
 * Behaviours the generated documents no longer use (the review's questions about the old documents): reported, but
 * they do not decide the smoke test's exit code. Every other behaviour is one the documents rely on.
 */
export const INFORMATIONAL_BEHAVIOURS: readonly string[] = ['payload-selector', 'max-attempts-81'];

/** The verdict of each behaviour, in the order runbooks/README.md lists them. */
export function judge(observations: SmokeObservations): BehaviourVerdict[] {
  const { documents, counters } = observations;
  const verdicts: BehaviourVerdict[] = [];
  const add = (id: string, behaviour: string, verdict: Verdict, evidence: string) =>
    verdicts.push({ id, behaviour, verdict, evidence });

  /** The document's execution when it ended, or the reason there is none (a could-not-decide evidence). */
  const ended = (key: SmokeDocument) => {
    const document = documents[key];
    if (!document) return { reason: `document ${key} was not tried` };
    if (!document.created) return { reason: `document ${key} was refused: ${document.error ?? 'no reason given'}` };
    if (!document.execution) return { reason: `document ${key} did not start: ${document.error ?? 'no reason given'}` };
    if (!document.execution.ended) {
      return { reason: `document ${key} was still ${document.execution.status} when the smoke test stopped waiting` };
    }
    return { execution: document.execution };
  };
  const ran = (steps: readonly ObservedStep[], name: string) => steps.some((s) => s.name === name);
  const count = (counter: SmokeCounter) => counters[counter]?.count;

  // 1. The generated shape is accepted.
  const loops = documents.loops;
  const shape = `CreateDocument accepts aws:loop (MaxIterations ${observations.largestIterations}) around aws:invokeLambdaFunction with outputs $.Retry (Boolean) and $.Status (String), aws:branch on the nested output, and the aws:assertAwsResourceProperty end step`;
  if (!loops) add('document-accepted', shape, 'could not decide', 'document loops was not tried');
  else if (loops.created) add('document-accepted', shape, 'confirmed', 'CreateDocument accepted document loops');
  else
    add('document-accepted', shape, 'contradicted', `CreateDocument refused it: ${loops.error ?? 'no reason given'}`);

  const loopRun = ended('loops');
  const loopSteps = loopRun.execution?.steps ?? [];

  // 2. Retry drives the loop.
  const retry = 'the loop invokes the function again while it returns Retry: true, and stops when Retry is false';
  const loop1 = count('loop1');
  if (loop1 === undefined) add('loop-retry', retry, 'could not decide', 'the loop1 counter could not be read');
  else if (loop1 === 3) add('loop-retry', retry, 'confirmed', 'loop1: 3 invocations (pending, pending, succeeded)');
  else if (loop1 === 0 && !loopRun.execution) add('loop-retry', retry, 'could not decide', loopRun.reason!);
  else add('loop-retry', retry, 'contradicted', `loop1: ${loop1} invocation(s), expected 3`);

  // 3. The iteration reaches the function.
  const iteration = 'the InputPayload value "{{ loop1.CurrentIteration }}" reaches the function as 1, 2, 3';
  const seen = counters.loop1?.seen ?? [];
  if (seen.length === 0) {
    add('iteration-in-payload', iteration, 'could not decide', loopRun.reason ?? 'loop1 was not invoked');
  } else {
    const values = seen.map((s) => s.attempt);
    const types = [...new Set(seen.map((s) => s.type))].join('/');
    const numbers = values.map((v) => (typeof v === 'number' || typeof v === 'string' ? Number(v) : Number.NaN));
    add(
      'iteration-in-payload',
      iteration,
      numbers.every((n, i) => n === i + 1) ? 'confirmed' : 'contradicted',
      `received ${JSON.stringify(values)} (${types})`,
    );
  }

  // 4. A step after the loop reads the nested step's output.
  const after = 'an aws:branch after the loop reads the nested invoke step\'s output ("{{ loop1_invoke.Status }}")';
  if (!loopRun.execution && !count('loop2')) add('output-after-loop', after, 'could not decide', loopRun.reason!);
  else if (ran(loopSteps, 'loop1_failed')) {
    add('output-after-loop', after, 'contradicted', 'the branch went to loop1_failed although loop1 succeeded');
  } else if ((count('loop2') ?? 0) > 0 || ran(loopSteps, 'loop2')) {
    add('output-after-loop', after, 'confirmed', 'the branch read "succeeded" and went on to loop2');
  } else {
    const failed = loopSteps.find((s) => s.name === 'loop1_outcome' && !FINAL_SUCCESS.has(s.status));
    add(
      'output-after-loop',
      after,
      failed ? 'contradicted' : 'could not decide',
      failed ? `loop1_outcome ${failed.status}: ${failed.failureMessage ?? ''}` : 'loop2 never ran',
    );
  }

  // 5. MaxIterations stops the loop and the execution goes on.
  const max =
    'the loop stops after MaxIterations while Retry is still true, and the execution goes on to the next step';
  const loop2 = count('loop2');
  if (loop2 === undefined || (loop2 === 0 && !loopRun.execution)) {
    add('loop-max-iterations', max, 'could not decide', loopRun.reason ?? 'the loop2 counter could not be read');
  } else if (loop2 !== 2) add('loop-max-iterations', max, 'contradicted', `loop2: ${loop2} invocation(s), expected 2`);
  else if ((count('loop3') ?? 0) > 0 || ran(loopSteps, 'loop3')) {
    add('loop-max-iterations', max, 'confirmed', 'loop2: 2 invocations, then loop3 ran');
  } else if (loopRun.execution) {
    add(
      'loop-max-iterations',
      max,
      'contradicted',
      `loop2: 2 invocations, then the execution ended ${loopRun.execution.status}`,
    );
  } else add('loop-max-iterations', max, 'could not decide', loopRun.reason!);

  // 6. The end branch ends the execution as Success.
  const end = 'the end branch (a Not choice and isEnd) ends the execution as Success when the step succeeded';
  if (!loopRun.execution) add('end-branch', end, 'could not decide', loopRun.reason!);
  else if (FINAL_SUCCESS.has(loopRun.execution.status) && !loopSteps.some((s) => s.name.endsWith('_failed'))) {
    add('end-branch', end, 'confirmed', `execution ${loopRun.execution.status}, no failing step ran`);
  } else {
    add(
      'end-branch',
      end,
      'contradicted',
      `execution ${loopRun.execution.status}${describeFailure(loopRun.execution)}`,
    );
  }

  // 7. The failing end step.
  const failing = 'the aws:assertAwsResourceProperty that cannot hold ends the execution as Failed at that step';
  const failRun = ended('failing');
  if (!failRun.execution) {
    const refused = documents.failing && !documents.failing.created;
    add('failing-step', failing, refused ? 'contradicted' : 'could not decide', failRun.reason!);
  } else {
    const atStep = failRun.execution.steps.find((s) => s.name === 'fail_failed');
    const ok = failRun.execution.status === 'Failed' && atStep?.status === 'Failed';
    add(
      'failing-step',
      failing,
      ok ? 'confirmed' : 'contradicted',
      `execution ${failRun.execution.status}; fail_failed ${atStep?.status ?? 'did not run'}${atStep?.failureMessage ? `: ${atStep.failureMessage}` : ''}`,
    );
  }

  // 8. The nested invoke steps are listed with their Payload (the failover workflow reads ReportUrl there).
  const listed =
    'GetAutomationExecution / DescribeAutomationStepExecutions list the invoke steps nested in loops, with Outputs.Payload holding the JSON the function returned';
  if (!loopRun.execution) add('payload-listed', listed, 'could not decide', loopRun.reason!);
  else {
    const nested = loopSteps.filter((s) => s.name === 'loop3_invoke');
    const payload = nested.map((s) => s.outputs?.Payload?.[0]).find((p) => p !== undefined);
    const link = payload === undefined ? undefined : reportUrlIn(payload);
    if (nested.length === 0) {
      add(
        'payload-listed',
        listed,
        'contradicted',
        `no step loop3_invoke among ${loopSteps.map((s) => s.name).join(', ')}`,
      );
    } else if (link === EXPECTED_REPORT_URL) {
      add('payload-listed', listed, 'confirmed', `loop3_invoke Payload has ReportUrl ${link}`);
    } else {
      add(
        'payload-listed',
        listed,
        'contradicted',
        `loop3_invoke outputs: ${JSON.stringify(nested[0]!.outputs ?? {})}`,
      );
    }
  }

  // 9-10. A function error (an invocation that times out or crashes, the one case the handler cannot answer for):
  // the documents rely on it failing the invoke step and on maxAttempts invoking it again.
  const throwRun = ended('throw');
  const throws = 'a function error (a throw, a Lambda timeout) fails its aws:invokeLambdaFunction step';
  const reinvoked = 'maxAttempts invokes a failed aws:invokeLambdaFunction step again';
  const thrown = count('throw');
  if (!throwRun.execution) {
    add('throw-fails-step', throws, 'could not decide', throwRun.reason!);
    add('max-attempts-retries', reinvoked, 'could not decide', throwRun.reason!);
  } else {
    const step = throwRun.execution.steps.filter((s) => s.name === 'throwing').at(-1);
    const functionError = step?.outputs?.FunctionError?.[0];
    const evidence = `step throwing ${step?.status ?? 'not listed'}${functionError ? ` (FunctionError ${functionError})` : ''}; ${thrown ?? '?'} invocation(s)`;
    if (step?.status === 'Failed') add('throw-fails-step', throws, 'confirmed', evidence);
    else if (step && FINAL_SUCCESS.has(step.status)) add('throw-fails-step', throws, 'contradicted', evidence);
    else add('throw-fails-step', throws, 'could not decide', evidence);
    if (step?.status !== 'Failed') {
      add('max-attempts-retries', reinvoked, 'could not decide', `${evidence}: the step did not fail`);
    } else if (thrown === 3) add('max-attempts-retries', reinvoked, 'confirmed', evidence);
    else if (thrown === undefined) add('max-attempts-retries', reinvoked, 'could not decide', evidence);
    else add('max-attempts-retries', reinvoked, 'contradicted', `${evidence}, expected 3`);
  }

  // 11. Old pattern: a custom $.Payload selector.
  const selector = 'old: a custom output selecting $.Payload.ReportUrl on an invoke step is accepted and resolved';
  const selectorDoc = documents.selector;
  const selectorRun = ended('selector');
  if (selectorDoc && !selectorDoc.created) {
    add('payload-selector', selector, 'contradicted', `CreateDocument refused it: ${selectorDoc.error ?? ''}`);
  } else if (!selectorRun.execution) add('payload-selector', selector, 'could not decide', selectorRun.reason!);
  else {
    const value = selectorRun.execution.steps.find((s) => s.name === 'selector')?.outputs?.ReportUrl?.[0];
    add(
      'payload-selector',
      selector,
      value === EXPECTED_REPORT_URL ? 'confirmed' : 'contradicted',
      `execution ${selectorRun.execution.status}; output ReportUrl ${JSON.stringify(value ?? null)}`,
    );
  }

  // 12. Old pattern: maxAttempts 81.
  const attempts = `old: maxAttempts ${OLD_MAX_ATTEMPTS} is accepted`;
  const attemptsDoc = documents.attempts;
  const attemptsRun = ended('attempts');
  if (attemptsDoc && !attemptsDoc.created) {
    add('max-attempts-81', attempts, 'contradicted', `CreateDocument refused it: ${attemptsDoc.error ?? ''}`);
  } else if (attemptsDoc?.created && !attemptsDoc.execution) {
    add('max-attempts-81', attempts, 'contradicted', `StartAutomationExecution refused it: ${attemptsDoc.error ?? ''}`);
  } else if (!attemptsRun.execution) add('max-attempts-81', attempts, 'could not decide', attemptsRun.reason!);
  else {
    const ok = FINAL_SUCCESS.has(attemptsRun.execution.status);
    add('max-attempts-81', attempts, ok ? 'confirmed' : 'contradicted', `execution ${attemptsRun.execution.status}`);
  }
  return verdicts;
}

function describeFailure(execution: NonNullable<DocumentObservation['execution']>): string {
  const failed = execution.steps.filter((s) => s.status === 'Failed' || s.status === 'TimedOut');
  if (failed.length === 0) return execution.failureMessage ? `: ${execution.failureMessage}` : '';
  return `; failed at ${failed.map((s) => `${s.name}${s.failureMessage ? ` (${s.failureMessage})` : ''}`).join(', ')}`;
}

function reportUrlIn(payload: string): unknown {
  try {
    return (JSON.parse(payload) as { ReportUrl?: unknown }).ReportUrl;
  } catch {
    return undefined;
  }
}
