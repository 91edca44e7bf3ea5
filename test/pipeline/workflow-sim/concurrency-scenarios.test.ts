import {
  COMMIT,
  cloudFormationJobs,
  jobMinutes,
  loadPipeline,
  PipelineWorld,
  PRIMARY,
  ranSteps,
  redeployedStacks,
  rollbackCliCalls,
  rollbackRan,
  STANDBY,
} from './pipeline-world';
import type { Workflow } from './workflow-model';
import { type RunRecord, WorkflowSimulator } from './workflow-run-simulator';

// Deploy pushes and failover dispatches arriving at given minutes, run together on one simulated clock with GitHub's
// concurrency rules (workflow-run-simulator.ts). PipelineWorld stands for AWS: the freeze record a failover writes
// and the deploy's freeze checks read. A `test.failing` states the right behaviour where today's workflows do the
// wrong thing (finding named beside it). Scenarios marked "fails on 488e794" were run against the workflows of the
// reviewed commit with WORKFLOW_SIM_DIR (see pipeline-world.ts) and failed there.

let deploy: Workflow;
let failover: Workflow;
/** Minutes (from the push) at which each phase of a green deploy is half done. */
let phases: [string, number][];

const push = (sha: string) => ({ name: 'push', sha, ref: 'refs/heads/main' });
const dispatch = (action: string, region: string, dryRun: boolean) => ({
  name: 'workflow_dispatch',
  sha: COMMIT.release,
  ref: 'refs/heads/main',
  inputs: { action, region, dry_run: dryRun, reason: 'INC-42' },
});

function simulator(world: PipelineWorld) {
  return new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
}

/** Start of the first CloudFormation deploy job into `region`, or undefined. */
function waveStart(run: RunRecord, region: string): number | undefined {
  const starts = cloudFormationJobs(run.workflow)
    .filter((job) => job.region === region)
    .map(({ job }) => run.jobs.get(job))
    .filter((job) => job?.started === true)
    .map((job) => job!.startedAt!);
  return starts.length === 0 ? undefined : Math.min(...starts);
}

function bakeJob(run: RunRecord, region: string) {
  return [...run.jobs.values()].find((job) =>
    job.steps.some((s) => s.env['INPUT_MODE'] !== undefined && s.env['INPUT_REGION'] === region),
  );
}

beforeAll(async () => {
  ({ deploy, failover } = await loadPipeline());
  const sim = simulator(new PipelineWorld({ knownGood: COMMIT.knownGood }));
  const green = sim.queue({ workflow: deploy, event: push(COMMIT.release) });
  sim.runUntilIdle();
  const mid = (a: number, b: number) => (a + b) / 2;
  const primaryBake = bakeJob(green, PRIMARY)!;
  const standbyBake = bakeJob(green, STANDBY)!;
  const routing = cloudFormationJobs(deploy).find(({ region }) => region === 'global')!;
  const routingJob = green.jobs.get(routing.job)!;
  phases = [
    ['synth and assets', mid(0, waveStart(green, PRIMARY)!)],
    ['primary wave', mid(waveStart(green, PRIMARY)!, primaryBake.startedAt!)],
    ['primary bake', mid(primaryBake.startedAt!, primaryBake.endedAt!)],
    ['standby wave', mid(waveStart(green, STANDBY)!, routingJob.startedAt!)],
    ['global routing', mid(routingJob.startedAt!, routingJob.endedAt!)],
    ['standby bake', mid(standbyBake.startedAt!, standbyBake.endedAt!)],
  ];
});

/** A deploy pushed at 0 and a real failover to us-west-2 dispatched in the middle of phase `index`. */
function deployWithFailoverAt(index: number) {
  const [, at] = phases[index]!;
  const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
  const sim = simulator(world);
  const run = sim.queue({ workflow: deploy, event: push(COMMIT.release), label: 'deploy' });
  const fo = sim.queue({ workflow: failover, event: dispatch('failover', STANDBY, false), at, label: 'failover' });
  sim.runUntilIdle();
  return { run, fo, at };
}

const cancelledJobs = (run: RunRecord) =>
  [...run.jobs.values()].filter((job) => job.result === 'cancelled').map((job) => job.id);
/** The failover CLI's step that starts or follows the automation (not the validation, not the freeze CLI). */
const runbookStep = (run: RunRecord) =>
  ranSteps(run).find(
    (step) =>
      step.env['INPUT_ACTION'] !== undefined &&
      step.env['INPUT_VALIDATE_ONLY'] === undefined &&
      step.env['INPUT_COMMAND'] === undefined,
  );

describe('deploy pushes and failover dispatches', () => {
  test('GIVEN a green deploy THEN every phase lies inside the run', () => {
    const times = phases.map(([, at]) => at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => Number.isFinite(t) && t > 0)).toBe(true);
  });

  // B2 (a) (fixed in 4c4a0be; fails on 488e794): the shared group with cancel-in-progress let the failover cancel the
  // deploy at queue time, mid-CloudFormation, before anyone approved the failover.
  test.each([0, 1, 2, 3, 4, 5])(
    'GIVEN a failover to us-west-2 dispatched during phase %i of a deploy (B2a) THEN neither run is cancelled and the failover starts at once',
    (index) => {
      const { run, fo, at } = deployWithFailoverAt(index);
      expect({ deploy: run.conclusion, cancelledJobs: cancelledJobs(run) }).toEqual({
        deploy: expect.not.stringMatching(/cancelled/),
        cancelledJobs: [],
      });
      expect({ startedAt: fo.startedAt, conclusion: fo.conclusion }).toEqual({ startedAt: at, conclusion: 'success' });
      expect(runbookStep(fo)?.env['INPUT_REGION']).toBe(STANDBY);
    },
  );

  // B2 / M11 (fixed in 5cab1ae; fails on 488e794 and 4c4a0be): the failover writes a freeze that every deploy wave
  // checks before it starts, so the deploy stops at the next wave boundary, never mid-CloudFormation. Phases 0-3 are
  // those with a wave still to start.
  test.each([0, 1, 2, 3])(
    'GIVEN a failover to us-west-2 dispatched during phase %i of a deploy (B2, M11) THEN no wave starts after it',
    (index) => {
      const { run, at } = deployWithFailoverAt(index);
      expect(run.conclusion).not.toBe('cancelled');
      const late = [PRIMARY, STANDBY, 'global'].filter(
        (region) => (waveStart(run, region) ?? Number.NEGATIVE_INFINITY) > at,
      );
      expect(late).toEqual([]);
      // A deploy stopped by the freeze is not a failed release: nothing is rolled back while the failover runs.
      expect([PRIMARY, STANDBY].filter((region) => rollbackRan(run, region))).toEqual([]);
    },
  );

  // B2 (b), M10 (fixed in 4c4a0be; fails on 488e794): the second real failover cancelled the running one, whose
  // automation kept running unfollowed. Now neither run is cancelled; the failover CLI refuses or attaches in AWS.
  // Review D10: the oracle models the CLI's dispatch lock (in-flight check and start as one step): of two identical
  // dispatches in the same minute one starts the automation and the other attaches to it; a failback dispatched while
  // that runs is refused (its job fails, nothing started).
  test('GIVEN two failovers dispatched at once and a failback a minute later (B2b, D10) THEN none is cancelled or dropped, one automation starts, the twin attaches, the failback is refused', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    const first = sim.queue({ workflow: failover, event: dispatch('failover', STANDBY, false), at: 0, label: 'first' });
    const second = sim.queue({
      workflow: failover,
      event: dispatch('failover', STANDBY, false),
      at: 0,
      label: 'second',
    });
    const third = sim.queue({ workflow: failover, event: dispatch('failback', PRIMARY, false), at: 1, label: 'third' });
    sim.runUntilIdle();
    for (const run of [first, second, third]) expect(runbookStep(run)).toBeDefined();
    expect([first, second, third].map((run) => [run.label, run.conclusion])).toEqual([
      ['first', 'success'],
      ['second', 'success'],
      ['third', 'failure'],
    ]);
    expect(world.automations.map((a) => [a.run, a.action, a.target])).toEqual([['first', 'failover', STANDBY]]);
    expect(world.attached).toEqual(['second']);
    expect(world.refused).toEqual(['third']);
  });

  test('GIVEN a failover and a switchover to us-west-2 dispatched in the same minute (D10) THEN exactly one automation starts and the other run is refused', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    sim.queue({ workflow: failover, event: dispatch('failover', STANDBY, false), at: 0, label: 'failover' });
    sim.queue({ workflow: failover, event: dispatch('switchover', STANDBY, false), at: 0, label: 'switchover' });
    sim.runUntilIdle();
    expect(world.automations).toHaveLength(1);
    expect(world.refused).toHaveLength(1);
  });

  // Review D6: a real failover waits a bounded time for CloudFormation operations on the target Region's stacks, then
  // refuses unless the dispatch sets ignore_stack_updates (the workflow passes the input to the CLI).
  test.each([
    [false, 'failure'],
    [true, 'success'],
  ])(
    'GIVEN the us-west-2 services stack still updating past the wait WHEN a failover is dispatched with ignore_stack_updates %s (D6) THEN the runbook step ends %s',
    (ignore, outcome) => {
      const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
      world.stuckStacks.add(`shop-dev-${STANDBY}-services`);
      const sim = simulator(world);
      const event = dispatch('failover', STANDBY, false);
      const fo = sim.queue({
        workflow: failover,
        event: { ...event, inputs: { ...event.inputs, ignore_stack_updates: ignore } },
        label: 'failover',
      });
      sim.runUntilIdle();
      expect(runbookStep(fo)?.env['INPUT_IGNORE_STACK_UPDATES']).toBe(String(ignore));
      expect(runbookStep(fo)?.outcome).toBe(outcome);
    },
  );

  // B2 (c) (fixed in 4c4a0be; fails on 488e794): a readiness check pending behind a deploy was replaced by the next
  // push and never ran.
  test('GIVEN a readiness dry run dispatched during a deploy and another push after it (B2c) THEN the readiness check runs', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    sim.queue({ workflow: deploy, event: push(COMMIT.release), label: 'deploy' });
    const readiness = sim.queue({
      workflow: failover,
      event: dispatch('readiness', STANDBY, true),
      at: 10,
      label: 'readiness',
    });
    sim.queue({ workflow: deploy, event: push(COMMIT.next), at: 12, label: 'next deploy' });
    sim.runUntilIdle();
    expect(readiness.conclusion).toBe('success');
    expect(runbookStep(readiness)?.env['INPUT_ACTION']).toBe('readiness');
  });

  // B2 (a) (fixed in 4c4a0be; fails on 488e794): the failover took the pending slot and dropped the queued deploy.
  test('GIVEN a deploy running, a second push pending and a failover dispatched THEN the pending deploy still runs', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    sim.queue({ workflow: deploy, event: push(COMMIT.release), label: 'deploy' });
    const pending = sim.queue({ workflow: deploy, event: push(COMMIT.next), at: 5, label: 'pending deploy' });
    sim.queue({ workflow: failover, event: dispatch('readiness', STANDBY, true), at: 6, label: 'readiness' });
    sim.runUntilIdle();
    expect(pending.conclusion).toBe('success');
  });

  test('GIVEN three pushes during one deploy THEN the middle one is replaced while pending and the newest deploys', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    const first = sim.queue({ workflow: deploy, event: push(COMMIT.knownGood), label: 'first' });
    const middle = sim.queue({ workflow: deploy, event: push(COMMIT.release), at: 5, label: 'middle' });
    const newest = sim.queue({ workflow: deploy, event: push(COMMIT.next), at: 10, label: 'newest' });
    sim.runUntilIdle();
    expect([first.conclusion, middle.conclusion, newest.conclusion]).toEqual(['success', 'cancelled', 'success']);
    expect(middle.jobs.size).toBe(0);
    expect(newest.startedAt).toBe(first.endedAt);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.next);
  });

  // M11 (fixed in 5cab1ae; fails on 488e794 and 4c4a0be): waves were static (primary first) and nothing read the
  // failover's state: the next push deployed the impaired us-east-1 first. Now the deploy refuses until the failback
  // lifts the freeze.
  test('GIVEN a failover to us-west-2 completed WHEN the next push deploys (M11) THEN no stack deploys until failback', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    sim.queue({ workflow: failover, event: dispatch('failover', STANDBY, false), label: 'failover' });
    const next = sim.queue({ workflow: deploy, event: push(COMMIT.next), at: 30, label: 'deploy after failover' });
    sim.runUntilIdle();
    expect(waveStart(next, PRIMARY)).toBeUndefined();
    expect(waveStart(next, STANDBY)).toBeUndefined();
    // After the failback lifts the freeze, the same commit deploys.
    sim.queue({ workflow: failover, event: dispatch('failback', PRIMARY, false), at: 60, label: 'failback' });
    const later = sim.queue({ workflow: deploy, event: push(COMMIT.next), at: 90, label: 'deploy after failback' });
    sim.runUntilIdle();
    expect(waveStart(later, PRIMARY)).toBeDefined();
  });
});

/** The bake jobs of deploy.yml (not a rollback's own bake): id, Region, and whether it runs after routing. */
function bakeJobsOf(workflow: Workflow): { job: string; step: string; region: string; afterRouting: boolean }[] {
  const routing = cloudFormationJobs(workflow).find(({ region }) => region === 'global')!.job;
  return [...workflow.jobs.values()].flatMap((job) => {
    if (/rollback|roll back/i.test(`${job.id} ${String(job.name ?? '')}`)) return [];
    const step = job.steps.find((s) => s.env['INPUT_MODE'] === 'watch');
    if (step === undefined) return [];
    return [
      {
        job: job.id,
        step: step.id,
        region: String(step.env['INPUT_REGION']),
        afterRouting: job.needs.includes(routing),
      },
    ];
  });
}

// Review-12 D1: a rollback read only this run's freeze guards, so a failover dispatched while a bake ran (exactly
// when a failing bake is likely: the Region is being failed over) met a rollback redeploying services, runbooks and
// the routing stack in the middle of it. Now the rollback reads the freeze first (both Regions, fail closed): while
// frozen it marks the commit rolled back (never promoted) and redeploys nothing, and says so.
describe('a bake fails while a failover holds the freeze (review-12 D1)', () => {
  const cases = () =>
    bakeJobsOf(deploy).map((bake) => ({
      ...bake,
      name: `${bake.region} ${bake.afterRouting ? 'after routing' : 'before routing'}`,
    }));

  test('GIVEN the generated deploy.yml THEN it has a bake of each Region after routing and one of the primary before', () => {
    expect(
      cases()
        .map((c) => c.name)
        .sort(),
    ).toEqual([`${PRIMARY} after routing`, `${PRIMARY} before routing`, `${STANDBY} after routing`]);
  });

  test.each([`${PRIMARY} before routing`, `${STANDBY} after routing`, `${PRIMARY} after routing`])(
    'GIVEN a failover dispatched while the bake of %s runs, and that bake fails THEN the commit is marked rolled back, nothing is redeployed, and the rollback says a failover holds the freeze',
    (name) => {
      const bake = cases().find((c) => c.name === name)!;
      const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
      const sim = simulator(world);
      // When that bake runs in a green release.
      const green = simulator(new PipelineWorld({ knownGood: COMMIT.knownGood }));
      const probe = green.queue({ workflow: deploy, event: push(COMMIT.release) });
      green.runUntilIdle();
      const { startedAt, endedAt } = probe.jobs.get(bake.job)!;
      const at = (startedAt! + endedAt!) / 2;
      const run = sim.queue({
        workflow: deploy,
        event: push(COMMIT.release),
        plan: { [bake.job]: { failAt: bake.step, outputs: { [bake.step]: { result: 'failed' } } } },
        label: 'deploy',
      });
      const fo = sim.queue({ workflow: failover, event: dispatch('failover', STANDBY, false), at, label: 'failover' });
      sim.runUntilIdle();
      expect(world.freezeWrittenAt).toBeLessThan(run.jobs.get(bake.job)!.endedAt!);
      expect(fo.conclusion).toBe('success');
      // The rollback ran (the bake failed) and marked the commit: it is never recorded or confirmed.
      const rolling = [PRIMARY, STANDBY].filter((region) => rollbackRan(run, region));
      expect(rolling.length).toBeGreaterThan(0);
      expect(world.rolledBack.has(COMMIT.release)).toBe(true);
      expect(rollbackCliCalls(run, 'confirm')).toEqual([]);
      // Nothing redeployed, verified or baked by a rollback while the failover holds the freeze.
      expect(redeployedStacks(run)).toEqual([]);
      const rollbackWork = ranSteps(run).filter(
        (step) =>
          /rollback|roll back/i.test(`${step.job.id} ${String(deploy.jobs.get(step.job.id)?.name)}`) &&
          (step.env['INPUT_COMMAND'] === 'verify' || step.env['INPUT_MODE'] !== undefined),
      );
      expect(rollbackWork).toEqual([]);
      // Each rollback that ran says why, and ends green (it did what it may).
      for (const job of [...run.jobs.values()].filter(
        (j) => j.started && /rollback/i.test(j.id) && j.steps.some((s) => s.outcome !== 'skipped'),
      )) {
        const said = job.steps.filter(
          (s) => s.outcome === 'success' && /failover holds the deploy freeze/i.test(`${s.name} ${s.run}`),
        );
        expect({ job: job.id, said: said.length, result: job.result }).toEqual({
          job: job.id,
          said: 1,
          result: 'success',
        });
      }
    },
  );

  test('GIVEN a failover dispatched while the routing stack deploys (phase 4), and the standby bake after it fails THEN nothing is redeployed', () => {
    const [, at] = phases[4]!;
    const bake = cases().find((c) => c.name === `${STANDBY} after routing`)!;
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    const run = sim.queue({
      workflow: deploy,
      event: push(COMMIT.release),
      plan: { [bake.job]: { failAt: bake.step, outputs: { [bake.step]: { result: 'failed' } } } },
    });
    sim.queue({ workflow: failover, event: dispatch('failover', STANDBY, false), at, label: 'failover' });
    sim.runUntilIdle();
    // The routing deploy was past its freeze guard: it finishes, the bakes run, the standby's fails.
    expect(rollbackRan(run, STANDBY)).toBe(true);
    expect(world.rolledBack.has(COMMIT.release)).toBe(true);
    expect(redeployedStacks(run)).toEqual([]);
  });

  test('GIVEN the freeze cannot be read when a bake fails THEN the rollback treats it as frozen (fail closed): marks the commit, redeploys nothing', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const bake = cases().find((c) => c.name === `${PRIMARY} before routing`)!;
    // The wave's freeze guard read the freeze; from the bake on, SSM cannot be read in a Region.
    const sim = new WorkflowSimulator({
      oracle: (call) => {
        if (call.job.id === bake.job) world.freezeUnreadable = true;
        return world.oracle(call);
      },
      onQueue: world.onQueue,
      jobMinutes,
    });
    const run = sim.queue({
      workflow: deploy,
      event: push(COMMIT.release),
      plan: { [bake.job]: { failAt: bake.step, outputs: { [bake.step]: { result: 'failed' } } } },
    });
    sim.runUntilIdle();
    expect(rollbackRan(run, PRIMARY)).toBe(true);
    expect(world.rolledBack.has(COMMIT.release)).toBe(true);
    expect(redeployedStacks(run)).toEqual([]);
  });
});
