import { conditionHolds } from './workflow-expressions';
import { parseWorkflowText, type Workflow } from './workflow-model';
import { simulateRun, WorkflowSimulator } from './workflow-run-simulator';

// The simulator's own rules, on small workflows: each test pins one documented GitHub behaviour the deploy
// scenarios rely on.

const SHA = '1'.repeat(40);
const push = { name: 'push', sha: SHA };

const graph = `
name: graph
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      hash: \${{ steps.publish.outputs.hash }}
    steps:
      - id: publish
        run: echo publish
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo deploy
        env:
          TEMPLATE: https://bucket/\${{ needs.build.outputs.hash }}.json
  bake:
    needs: deploy
    runs-on: ubuntu-latest
    steps:
      - id: watch
        run: echo watch
      - id: record
        run: echo record
        env:
          INPUT_SHA: \${{ github.sha }}
  after:
    needs: bake
    runs-on: ubuntu-latest
    steps: [{ run: echo next }]
  on-bake-failure:
    needs: bake
    if: \${{ failure() && needs.bake.result == 'failure' }}
    runs-on: ubuntu-latest
    steps: [{ run: echo rollback }]
  on-any-failure:
    needs: bake
    if: failure()
    runs-on: ubuntu-latest
    steps: [{ run: echo any }]
  cleanup:
    needs: bake
    if: always()
    runs-on: ubuntu-latest
    steps: [{ run: echo cleanup }]
`;

let workflow: Workflow;
beforeAll(async () => {
  workflow = await parseWorkflowText('graph.yml', graph);
});

const results = (run: ReturnType<typeof simulateRun>) =>
  Object.fromEntries([...run.jobs.values()].map((job) => [job.id, job.result]));

describe('loading a workflow with GitHub’s parser', () => {
  test('GIVEN a job with a non-numeric timeout WHEN it is parsed THEN the parser’s error fails the load', async () => {
    const bad = 'on: push\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: abc\n    steps: [{ run: echo }]\n';
    await expect(parseWorkflowText('bad.yml', bad)).rejects.toThrow(/bad\.yml.*Unexpected value 'abc'/);
  });

  test('GIVEN needs naming a missing job WHEN it is parsed THEN the load fails naming both', async () => {
    const bad =
      'on: push\njobs:\n  b:\n    runs-on: x\n    steps: [{ run: echo }]\n  a:\n    runs-on: x\n    needs: [nope]\n    steps: [{ run: echo }]\n';
    await expect(parseWorkflowText('bad.yml', bad)).rejects.toThrow(/bad\.yml.*nope/);
  });

  test('GIVEN the graph WHEN it is parsed THEN needs, if, steps, env and with are exposed', () => {
    expect(workflow.jobs.get('bake')?.needs).toEqual(['deploy']);
    expect(workflow.jobs.get('deploy')?.if).toBe('success()');
    expect(workflow.jobs.get('on-bake-failure')?.if).toBe("failure() && needs.bake.result == 'failure'");
    expect(workflow.jobs.get('bake')?.steps.map((s) => s.id)).toEqual(['watch', 'record']);
    expect(workflow.jobs.get('bake')?.steps[1]?.env['INPUT_SHA']).toEqual({ expr: 'github.sha' });
  });
});

describe('if: conditions', () => {
  const needs = { a: { result: 'failure', outputs: {} } };
  test.each([
    ["needs.a.result == 'failure'", { success: false, failure: true, cancelled: false }, false],
    ["failure() && needs.a.result == 'failure'", { success: false, failure: true, cancelled: false }, true],
    ['always()', { success: false, failure: false, cancelled: true }, true],
    ["!cancelled() && contains(needs.*.result, 'failure')", { success: false, failure: true, cancelled: false }, true],
    ["'success()' == 'x'", { success: true, failure: false, cancelled: false }, false],
  ])('GIVEN %s WHEN evaluated THEN %#', (condition, status, expected) => {
    expect(conditionHolds(condition, { needs }, status)).toBe(expected);
  });
});

describe('one run', () => {
  test('GIVEN every job succeeds THEN the failure jobs are skipped and outputs flow through needs', () => {
    const run = simulateRun({ workflow, event: push, plan: { build: { outputs: { publish: { hash: 'abc' } } } } });
    expect(results(run)).toEqual({
      build: 'success',
      deploy: 'success',
      bake: 'success',
      after: 'success',
      'on-bake-failure': 'skipped',
      'on-any-failure': 'skipped',
      cleanup: 'success',
    });
    expect(run.jobs.get('deploy')?.steps[0]?.env['TEMPLATE']).toBe('https://bucket/abc.json');
    expect(run.jobs.get('bake')?.steps[1]?.env['INPUT_SHA']).toBe(SHA);
    expect(run.conclusion).toBe('success');
  });

  test('GIVEN the bake fails at its watch THEN the later step is skipped, dependents skipped, failure jobs run', () => {
    const run = simulateRun({ workflow, event: push, plan: { bake: { failAt: 'watch' } } });
    expect(run.jobs.get('bake')?.steps.map((s) => s.outcome)).toEqual(['failure', 'skipped']);
    expect(results(run)).toMatchObject({ after: 'skipped', 'on-bake-failure': 'success', 'on-any-failure': 'success' });
  });

  test('GIVEN an ancestor fails THEN failure() holds but needs.bake.result is skipped', () => {
    const run = simulateRun({ workflow, event: push, plan: { deploy: 'failure' } });
    expect(results(run)).toMatchObject({
      bake: 'skipped',
      'on-bake-failure': 'skipped',
      'on-any-failure': 'success',
      cleanup: 'success',
    });
  });

  test('GIVEN the run is cancelled while the bake runs THEN the bake is cancelled and only always() runs', () => {
    const run = simulateRun({ workflow, event: push, plan: { bake: 'cancelled' } });
    expect(results(run)).toMatchObject({
      bake: 'cancelled',
      after: 'cancelled',
      'on-bake-failure': 'cancelled',
      'on-any-failure': 'cancelled',
      cleanup: 'success',
    });
    expect(run.conclusion).toBe('cancelled');
  });
});

describe('re-run failed jobs', () => {
  test('GIVEN a failed bake WHEN its failed jobs are re-run THEN the bake and its dependents run again, same sha', () => {
    const simulator = new WorkflowSimulator();
    const first = simulator.queue({
      workflow,
      event: push,
      plan: { build: { outputs: { publish: { hash: 'h1' } } }, bake: { failAt: 'watch' } },
    });
    simulator.runUntilIdle();
    const second = simulator.rerunFailedJobs(first, {
      at: 60,
      plan: { build: { outputs: { publish: { hash: 'h2' } } } },
    });
    simulator.runUntilIdle();
    expect(second.attempt).toBe(2);
    expect(second.github['sha']).toBe(SHA);
    expect(second.github['run_attempt']).toBe('2');
    expect(second.jobs.get('build')?.attempt).toBe(1);
    expect(second.jobs.get('build')?.outputs['hash']).toBe('h1');
    expect(results(second)).toMatchObject({ bake: 'success', after: 'success', 'on-bake-failure': 'skipped' });
    expect(second.jobs.get('bake')?.attempt).toBe(2);
    expect(second.jobs.get('on-bake-failure')?.attempt).toBe(2);
  });
});

describe('concurrency', () => {
  const grouped = (cancel: string, queue = '') => `
name: g
on:
  workflow_dispatch:
    inputs:
      group: { type: string, required: true }
concurrency:
  group: \${{ inputs.group }}
  cancel-in-progress: ${cancel}
  ${queue}
jobs:
  work:
    runs-on: x
    steps: [{ run: echo }]
`;
  const inputs = (group: string) => ({ name: 'workflow_dispatch', sha: SHA, inputs: { group } });

  async function scenario(cancel: string, arrivals: [number, string][], queue = '') {
    const wf = await parseWorkflowText('g.yml', grouped(cancel, queue));
    const simulator = new WorkflowSimulator({ jobMinutes: () => 10 });
    const runs = arrivals.map(([at, group]) => simulator.queue({ workflow: wf, event: inputs(group), at }));
    simulator.runUntilIdle();
    return runs;
  }

  test('GIVEN one running WHEN two more are queued THEN the first pending is replaced by the second', async () => {
    const [a, b, c] = await scenario('false', [
      [0, 'g'],
      [1, 'g'],
      [2, 'G'],
    ]);
    expect([a?.conclusion, b?.conclusion, c?.conclusion]).toEqual(['success', 'cancelled', 'success']);
    expect(b?.jobs.size).toBe(0);
    expect(c?.startedAt).toBe(10);
  });

  test('GIVEN cancel-in-progress WHEN a run is queued THEN the running one is cancelled and the new one starts', async () => {
    const [a, b] = await scenario('true', [
      [0, 'g'],
      [3, 'g'],
    ]);
    expect(a?.conclusion).toBe('cancelled');
    expect(a?.jobs.get('work')?.result).toBe('cancelled');
    expect(b?.startedAt).toBe(3);
  });

  test('GIVEN queue: max WHEN two more are queued THEN both wait and run in order', async () => {
    const [a, b, c] = await scenario(
      'false',
      [
        [0, 'g'],
        [1, 'g'],
        [2, 'g'],
      ],
      'queue: max',
    );
    expect([a?.conclusion, b?.conclusion, c?.conclusion]).toEqual(['success', 'success', 'success']);
    expect([b?.startedAt, c?.startedAt]).toEqual([10, 20]);
  });

  test('GIVEN different groups THEN runs do not wait for each other', async () => {
    const [a, b] = await scenario('false', [
      [0, 'g'],
      [1, 'h'],
    ]);
    expect([a?.startedAt, b?.startedAt]).toEqual([0, 1]);
  });
});
