import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { MemoryJournal } from '../../../runbooks/adapters/local/journals';
import { createLocalPorts } from '../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { type RunOptions, runOrchestration } from '../../../runbooks/core/engine';
import { CheckFailedError, NonRetriableError, RetriableError } from '../../../runbooks/core/errors';
import type { ProgressEvent } from '../../../runbooks/core/progress-event';
import type { Orchestration, Step, StepKind } from '../../../runbooks/core/step';
import { waitUntil } from '../../../runbooks/core/wait-until';
import type { RunbookPorts } from '../../../runbooks/ports';

interface Input {
  readonly n: number;
}

/** A step whose check and run are scripted, counting how often each is called. */
function scripted(
  name: string,
  kind: StepKind,
  script: { check?: () => 'done' | 'pending'; run?: (attempt: number) => void; outputs?: Record<string, string> } = {},
) {
  const calls = { check: 0, run: 0 };
  const step: Step<Input> = {
    name,
    kind,
    title: `${name} title`,
    uses: [],
    describe: () => `${name} would act`,
    ...(script.check
      ? {
          check: async () => {
            calls.check++;
            return script.check!() === 'done'
              ? {
                  state: 'done' as const,
                  detail: `${name} found done`,
                  ...(script.outputs ? { outputs: script.outputs } : {}),
                }
              : { state: 'pending' as const, detail: `${name} pending` };
          },
        }
      : {}),
    run: async () => {
      calls.run++;
      script.run?.(calls.run);
      return { detail: `${name} ran`, ...(script.outputs ? { outputs: script.outputs } : {}) };
    },
  };
  return { step, calls };
}

function orchestration(steps: Step<Input>[], extra: Partial<Orchestration<Input>> = {}): Orchestration<Input> {
  return {
    name: 'demo',
    title: 'demo',
    mutates: true,
    inputs: [],
    parseInput: (raw) => ({ n: Number(raw.n ?? 1) }),
    steps: () => steps,
    ...extra,
  };
}

function harness() {
  const clock = new ManualClock('2026-01-27T10:00:00.000Z');
  const topology = demoTopology();
  const journal = new MemoryJournal();
  const ports: RunbookPorts = { ...createLocalPorts({ topology, clock }).ports, journal };
  const events: ProgressEvent[] = [];
  const run = (o: Orchestration<Input>, options: Partial<RunOptions<Input>> = {}) =>
    runOrchestration({
      orchestration: o,
      input: { n: 1 },
      topology,
      ports,
      reason: 'test',
      retryDelayMs: 1,
      onProgress: (e) => events.push(e),
      ...options,
    });
  return { clock, journal, ports, events, run, topology };
}

describe('runOrchestration', () => {
  test('runs pending steps, records steps whose check finds them done, and passes outputs on', async () => {
    const h = harness();
    const a = scripted('a', 'action', { check: () => 'done', outputs: { id: 'x-1' } });
    let seen: unknown;
    const b: Step<Input> = {
      ...scripted('b', 'action').step,
      run: async (ctx) => {
        seen = ctx.output('a', 'id');
        return { detail: 'b ran' };
      },
    };
    const result = await h.run(orchestration([a.step, b]));
    expect(result.status).toBe('succeeded');
    expect(result.steps).toEqual([
      { step: 'a', status: 'already-done', detail: 'a found done', outputs: { id: 'x-1' } },
      { step: 'b', status: 'succeeded', detail: 'b ran' },
    ]);
    expect(a.calls).toEqual({ check: 1, run: 0 });
    expect(seen).toBe('x-1');
    expect((await h.journal.latest('demo'))?.status).toBe('succeeded');
  });

  test('a retriable failure is retried (check first each time) and reported as a retry', async () => {
    const h = harness();
    const a = scripted('a', 'action', {
      check: () => 'pending',
      run: (attempt) => {
        if (attempt < 3) throw new RetriableError(`blip ${attempt}`);
      },
    });
    const result = await h.run(orchestration([a.step]), { stepAttempts: 3 });
    expect(result.status).toBe('succeeded');
    expect(a.calls).toEqual({ check: 3, run: 3 });
    expect(
      h.events.filter((e) => e.type === 'step-retry').map((e) => (e.type === 'step-retry' ? e.error : '')),
    ).toEqual(['blip 1', 'blip 2']);
    expect((await h.journal.latest('demo'))?.steps.a).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  test('no retry starts after the deadline: the invocation hands back instead of running past its end', async () => {
    // GIVEN a step that fails retriably and a deadline (the end of a Lambda invocation) that has already passed
    const h = harness();
    const a = scripted('a', 'action', {
      check: () => 'pending',
      run: (attempt) => {
        throw new RetriableError(`blip ${attempt}`);
      },
    });
    // WHEN it runs with attempts left
    const result = await h.run(orchestration([a.step]), { stepAttempts: 5, deadline: h.clock.now() });
    // THEN it tried once and failed retriably, for the next invocation to resume
    expect(a.calls.run).toBe(1);
    expect(result.error).toEqual({ step: 'a', message: 'blip 1', retriable: true });
  });

  test('a retriable failure that persists fails the run; the next run resumes the same execution and skips recorded steps', async () => {
    const h = harness();
    let broken = true;
    const a = scripted('a', 'action', { check: () => 'pending' });
    const b = scripted('b', 'action', {
      check: () => 'pending',
      run: () => {
        if (broken) throw new Error('socket hang up');
      },
    });
    const o = orchestration([a.step, b.step]);
    const first = await h.run(o, { stepAttempts: 2 });
    expect(first.status).toBe('failed');
    expect(first.error).toEqual({ step: 'b', message: 'socket hang up', retriable: true });
    expect((await h.journal.latest('demo'))?.status).toBe('failed');

    broken = false;
    const second = await h.run(o);
    expect(second).toMatchObject({ status: 'succeeded', resumed: true, executionId: first.executionId });
    expect(second.steps[0]).toEqual({ step: 'a', status: 'recorded', detail: 'a ran' });
    expect(a.calls).toEqual({ check: 1, run: 1 });
  });

  test('a non-retriable failure is not retried, aborts the execution, and the next run starts a new one', async () => {
    const h = harness();
    const a = scripted('a', 'action', {
      check: () => 'pending',
      run: () => {
        throw new NonRetriableError('the target is gone');
      },
    });
    const next = scripted('next', 'action');
    const first = await h.run(orchestration([a.step, next.step]), { stepAttempts: 5 });
    expect(first.error).toEqual({ step: 'a', message: 'the target is gone', retriable: false });
    expect(first.steps[1]).toEqual({ step: 'next', status: 'not-run', detail: 'an earlier step failed' });
    expect(a.calls.run).toBe(1);
    expect((await h.journal.latest('demo'))?.status).toBe('aborted');
    h.clock.advance(1000);
    const second = await h.run(orchestration([a.step, next.step]));
    expect(second.resumed).toBe(false);
    expect(second.executionId).not.toBe(first.executionId);
  });

  test('check and verify steps run again on a resumed execution; action steps do not', async () => {
    const h = harness();
    const check = scripted('check', 'check');
    const action = scripted('action', 'action');
    const verify = scripted('verify', 'verify');
    const boom = scripted('boom', 'action', {
      run: (n) => {
        if (n === 1) throw new Error('crash');
      },
    });
    const o = orchestration([check.step, action.step, verify.step, boom.step]);
    await h.run(o, { stepAttempts: 1 });
    await h.run(o);
    expect([check.calls.run, action.calls.run, verify.calls.run, boom.calls.run]).toEqual([2, 1, 2, 2]);
  });

  test('a given execution id with another input is refused', async () => {
    const h = harness();
    const o = orchestration([scripted('a', 'action').step]);
    await h.run(o, { executionId: 'demo-1' });
    await expect(h.run(o, { executionId: 'demo-1', input: { n: 2 } })).rejects.toThrow(
      'executionId: "demo-1" was started with input {"n":1}; received {"n":2}; accepted: the same input, or a new execution id',
    );
  });

  test('an orchestration that changes things needs a reason', async () => {
    const h = harness();
    await expect(h.run(orchestration([scripted('a', 'action').step]), { reason: ' ' })).rejects.toThrow(
      'reason: required for demo; accepted: a short sentence saying why (kept in the journal and the summary)',
    );
  });

  test('one step at a time (SSM): refuses a step whose predecessor has not completed, runs it once it has', async () => {
    const h = harness();
    const a = scripted('a', 'action');
    const b = scripted('b', 'action');
    const o = orchestration([a.step, b.step]);
    await expect(h.run(o, { executionId: 'ssm-1', onlyStep: 'b' })).rejects.toThrow(
      'step b cannot run: the earlier step a has not run in execution ssm-1; steps run in order',
    );
    expect((await h.run(o, { executionId: 'ssm-1', onlyStep: 'a' })).status).toBe('succeeded');
    expect((await h.journal.load('demo', 'ssm-1'))?.status).toBe('running');
    expect((await h.run(o, { executionId: 'ssm-1', onlyStep: 'b' })).status).toBe('succeeded');
    expect((await h.journal.load('demo', 'ssm-1'))?.status).toBe('succeeded');
    expect([a.calls.run, b.calls.run]).toEqual([1, 1]);
    await expect(h.run(o, { onlyStep: 'c' })).rejects.toThrow('step: "c" is not a step of demo; accepted: a, b');
  });

  test('with continueAfterFailedCheck every check runs and every failure is reported', async () => {
    const h = harness();
    const fail = (message: string) => () => {
      throw new CheckFailedError([message], 'not ready');
    };
    const o = orchestration(
      [
        scripted('one', 'check', { run: fail('one is down') }).step,
        scripted('two', 'check').step,
        scripted('three', 'check', { run: fail('three is low') }).step,
      ],
      { continueAfterFailedCheck: true, mutates: false },
    );
    const result = await h.run(o);
    expect(result.status).toBe('failed');
    expect(result.steps.map((s) => s.status)).toEqual(['failed', 'succeeded', 'failed']);
    expect(result.error).toEqual({
      step: 'one, three',
      message: 'one: not ready:\n  - one is down\nthree: not ready:\n  - three is low',
      retriable: false,
    });
  });

  test('a dry run runs checks, only checks the actions, lists verifications, and records nothing', async () => {
    const h = harness();
    const check = scripted('check', 'check');
    const action = scripted('action', 'action', { check: () => 'pending' });
    const wait = scripted('wait', 'wait');
    const verify = scripted('verify', 'verify');
    const result = await h.run(orchestration([check.step, action.step, wait.step, verify.step]), {
      dryRun: true,
      reason: undefined,
    });
    expect(result.status).toBe('planned');
    expect(result.steps).toEqual([
      { step: 'check', status: 'succeeded', detail: 'check ran' },
      { step: 'action', status: 'planned', detail: 'action would act | pending: action pending' },
      { step: 'wait', status: 'planned', detail: 'wait would act | nothing to check beforehand' },
      { step: 'verify', status: 'planned', detail: 'verify would act | verified after the steps above have run' },
    ]);
    expect([check.calls.run, action.calls.run, wait.calls.run, verify.calls.run]).toEqual([1, 0, 0, 0]);
    expect(await h.journal.latest('demo')).toBeUndefined();
  });

  test('a step asking for an output no step produced fails non-retriably, naming both', async () => {
    const h = harness();
    const b: Step<Input> = {
      ...scripted('b', 'action').step,
      run: async (ctx) => ({ detail: String(ctx.output('a', 'id')) }),
    };
    const result = await h.run(orchestration([b]), { stepAttempts: 3 });
    expect(result.error).toEqual({
      step: 'b',
      retriable: false,
      message:
        'step b needs output "id" of step a, which has not produced it; run the whole orchestration (not a single step) or start a new execution',
    });
  });
});

describe('waitUntil', () => {
  test('polls through the clock until done, reporting each new observation once', async () => {
    const h = harness();
    let polls = 0;
    const wait: Step<Input> = {
      ...scripted('wait', 'wait').step,
      run: async (ctx) => {
        const seen = await waitUntil(ctx, {
          what: 'the thing',
          timeoutSeconds: 600,
          probe: async () => {
            polls++;
            return { done: polls === 4, detail: polls < 3 ? 'creating' : 'almost' };
          },
        });
        return { detail: seen.detail };
      },
    };
    const result = await h.run(orchestration([wait]), { settings: { pollIntervalSeconds: 10 } });
    expect(result.steps[0]).toEqual({ step: 'wait', status: 'succeeded', detail: 'almost' });
    expect(h.clock.now().toISOString()).toBe('2026-01-27T10:00:30.000Z');
    expect(
      h.events.filter((e) => e.type === 'step-progress').map((e) => (e.type === 'step-progress' ? e.message : '')),
    ).toEqual(['waiting: creating', 'waiting: almost']);
  });

  test('stops at the invocation deadline with a message saying so, and the engine does not retry a timed-out wait', async () => {
    const h = harness();
    let polls = 0;
    const wait: Step<Input> = {
      ...scripted('wait', 'wait').step,
      run: async (ctx) => {
        await waitUntil(ctx, {
          what: 'the copy',
          timeoutSeconds: 3600,
          probe: async () => {
            polls++;
            return { done: false, detail: 'copying 40%' };
          },
        });
        return { detail: 'never' };
      },
    };
    const result = await h.run(orchestration([wait]), {
      settings: { pollIntervalSeconds: 60 },
      deadline: new Date('2026-01-27T10:04:30.000Z'),
      stepAttempts: 3,
    });
    expect(result.error).toEqual({
      step: 'wait',
      retriable: true,
      message:
        'the copy did not finish before the end of this invocation (waited 4 min 30 s); last seen: copying 40%. It may still finish: run the orchestration again to keep waiting, or investigate in the console.',
    });
    expect(polls).toBe(6);
  });
});
