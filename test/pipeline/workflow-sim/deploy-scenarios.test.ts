import {
  COMMIT,
  cloudFormationJobs,
  deployedStacks,
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
import { type RunRecord, type RunRequest, WorkflowSimulator } from './workflow-run-simulator';

// Scenario runs of the generated deploy.yml: GitHub's parser reads it, the simulator runs its job graph with GitHub's
// rules (workflow-run-simulator.ts), and PipelineWorld stands for AWS and the CLIs' contract. Each test asserts which
// jobs run and what the CLIs are asked (the env their step passes). A `test.failing` is a scenario where today's
// workflow does the wrong thing (review ../shared/reviews/pipeline-safety.md, finding named beside it): it states the
// right behaviour and turns into a plain `test` with the fix.

let deploy: Workflow;
beforeAll(async () => {
  ({ deploy } = await loadPipeline());
});

/** The bake job of a Region and its watch step (the first step that watches the Region; not a rollback's). */
function bake(region: string): { job: string; step: string } {
  for (const job of deploy.jobs.values()) {
    if (/rollback|roll back/i.test(`${job.id} ${String(job.name ?? '')}`)) continue;
    const step = job.steps.find((s) => s.env['INPUT_MODE'] === 'watch' && s.env['INPUT_REGION'] === region);
    if (step !== undefined) return { job: job.id, step: step.id };
  }
  throw new Error(`deploy.yml has no bake step for ${region}`);
}

/** The rollback job of a Region: the job whose plan step plans that Region's rollback. */
function rollbackJobOf(region: string): string {
  for (const job of deploy.jobs.values()) {
    if (job.steps.some((s) => s.env['INPUT_COMMAND'] === 'plan' && s.env['INPUT_REGION'] === region)) return job.id;
  }
  throw new Error(`deploy.yml has no rollback plan for ${region}`);
}

/** The plan of a bake that fails on its evidence: the watch step fails with the verdict `failed` (its output). */
function bakeFails(region: string): RunRequest['plan'] {
  const { job, step } = bake(region);
  return { [job]: { failAt: step, outputs: { [step]: { result: 'failed' } } } };
}

/** The job deploying the stack whose name ends with `suffix` (e.g. `-us-east-1-runbooks`). */
function stackJob(suffix: string): string {
  const found = cloudFormationJobs(deploy).find(({ stack }) => stack.endsWith(suffix));
  if (found === undefined) throw new Error(`deploy.yml deploys no stack ending ${suffix}`);
  return found.job;
}

function push(sha: string = COMMIT.release): RunRequest['event'] {
  return { name: 'push', sha, ref: 'refs/heads/main' };
}

function release(world: PipelineWorld, plan: RunRequest['plan'] = {}, sha: string = COMMIT.release) {
  const simulator = new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
  const run = simulator.queue({ workflow: deploy, event: push(sha), plan, label: `deploy ${sha.slice(0, 7)}` });
  simulator.runUntilIdle();
  return { simulator, run };
}

const stacksIn = (run: RunRecord, region: string) => deployedStacks(run).filter((s) => s.includes(`-${region}-`));
const records = (run: RunRecord) =>
  rollbackCliCalls(run)
    .filter((step) => step.env['INPUT_COMMAND']?.startsWith('record'))
    .map((step) => `${step.env['INPUT_REGION']}=${step.env['INPUT_SHA']}`);

describe('deploy.yml scenarios', () => {
  test('GIVEN the generated workflows WHEN parsed by GitHub’s parser THEN deploy.yml has both bakes and stack jobs in every Region', () => {
    expect(bake(PRIMARY).job).not.toBe(bake(STANDBY).job);
    const regions = new Set(cloudFormationJobs(deploy).map(({ region }) => region));
    expect(regions).toEqual(new Set([PRIMARY, STANDBY, 'global']));
  });

  // B1 (fixed in cee5b6e; fails on the workflows of 488e794): the runbooks stacks carry a named IAM role; without
  // CAPABILITY_NAMED_IAM CreateChangeSet fails and the bake, the rollback and the standby wave never run.
  test('GIVEN a first deploy ever (B1) WHEN it runs THEN every stack deploys and both Regions are recorded', () => {
    const world = new PipelineWorld({ checkCapabilities: true });
    const { run } = release(world);
    const failed = [...run.jobs.values()].filter((job) => job.result === 'failure').map((job) => job.id);
    expect(failed).toEqual([]);
    expect(deployedStacks(run).sort()).toEqual(
      cloudFormationJobs(deploy)
        .map(({ stack }) => stack)
        .sort(),
    );
    expect(records(run)).toEqual([`${PRIMARY}=${COMMIT.release}`, `${STANDBY}=${COMMIT.release}`]);
    expect(rollbackRan(run, PRIMARY) || rollbackRan(run, STANDBY)).toBe(false);
  });

  test('GIVEN a green release WHEN it runs THEN primary wave, bake, standby wave, routing, bake run in order and each Region records the commit', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world);
    expect(run.conclusion).toBe('success');
    expect(deployedStacks(run).sort()).toEqual(
      cloudFormationJobs(deploy)
        .map(({ stack }) => stack)
        .sort(),
    );
    const primaryBakeEnd = run.jobs.get(bake(PRIMARY).job)?.endedAt ?? Number.POSITIVE_INFINITY;
    for (const { job, region } of cloudFormationJobs(deploy).filter(({ region }) => region !== PRIMARY)) {
      expect({ job, region, startedAt: run.jobs.get(job)?.startedAt }).toEqual({
        job,
        region,
        startedAt: expect.any(Number),
      });
      expect(run.jobs.get(job)?.startedAt).toBeGreaterThanOrEqual(primaryBakeEnd);
    }
    const routing = cloudFormationJobs(deploy).find(({ region }) => region === 'global')!;
    expect(run.jobs.get(bake(STANDBY).job)?.startedAt).toBeGreaterThanOrEqual(run.jobs.get(routing.job)?.endedAt ?? 0);
    expect(records(run)).toEqual([`${PRIMARY}=${COMMIT.release}`, `${STANDBY}=${COMMIT.release}`]);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.release);
    expect(rollbackRan(run, PRIMARY) || rollbackRan(run, STANDBY)).toBe(false);
  });

  test('GIVEN the primary bake fails THEN us-east-1 rolls back to the known-good commit and the standby wave never starts', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, bakeFails(PRIMARY));
    expect(rollbackRan(run, PRIMARY)).toBe(true);
    expect(rollbackRan(run, STANDBY)).toBe(false);
    expect(rollbackCliCalls(run, 'plan').map((step) => step.env['INPUT_REGION'])).toEqual([PRIMARY]);
    // What the redeploy is given comes from the plan: the known-good commit, never the release.
    const rollbackEnv = ranSteps(run)
      .filter((step) => /rollback|roll back/i.test(`${step.job.id} ${String(deploy.jobs.get(step.job.id)?.name)}`))
      .flatMap((step) => Object.values(step.env));
    expect(rollbackEnv).toContain(COMMIT.knownGood);
    expect(stacksIn(run, STANDBY)).toEqual([]);
    expect(records(run)).toEqual([]);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.knownGood);
  });

  test('GIVEN the standby bake fails THEN us-west-2 rolls back', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, bakeFails(STANDBY));
    expect(rollbackRan(run, STANDBY)).toBe(true);
    expect(records(run)).toEqual([`${PRIMARY}=${COMMIT.release}`]);
  });

  // M5 (2) (fails on the workflows of 83cebd4): the final bake failing left us-east-1 on the release, already
  // recorded as known-good. Now record writes a candidate, the last bake confirms, and the primary's rollback needs
  // every job after its bake.
  test('GIVEN the standby bake fails (M5) THEN both Regions roll back and us-east-1 keeps the old known-good', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, bakeFails(STANDBY));
    expect(rollbackRan(run, STANDBY)).toBe(true);
    expect(rollbackRan(run, PRIMARY)).toBe(true);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.knownGood);
    expect(world.knownGood.get(STANDBY)).toBe(COMMIT.knownGood);
    expect(world.candidates.get(PRIMARY)).toBe(COMMIT.release);
    expect(rollbackCliCalls(run, 'confirm')).toEqual([]);
  });

  test('GIVEN a later stack of the primary wave fails THEN the bake and the standby wave do not run', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, { [stackJob(`-${PRIMARY}-runbooks`)]: 'failure' });
    expect(run.jobs.get(bake(PRIMARY).job)?.result).toBe('skipped');
    expect(stacksIn(run, STANDBY)).toEqual([]);
    expect(records(run)).toEqual([]);
  });

  // M5 (1): services and observability already changed, the bake is skipped, and nothing rolls back.
  test('GIVEN a later stack of the primary wave fails (M5) THEN us-east-1 rolls back', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, { [stackJob(`-${PRIMARY}-runbooks`)]: 'failure' });
    expect(rollbackRan(run, PRIMARY)).toBe(true);
  });

  test('GIVEN the primary bake is cancelled THEN nothing is recorded and the standby wave does not run', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, { [bake(PRIMARY).job]: 'cancelled' });
    expect(run.conclusion).toBe('cancelled');
    expect(run.jobs.get(bake(PRIMARY).job)?.result).toBe('cancelled');
    expect(stacksIn(run, STANDBY)).toEqual([]);
    expect(records(run)).toEqual([]);
  });

  // M5 (1): failure() is false when the bake was cancelled, so the unbaked release stays in us-east-1.
  test('GIVEN the primary bake is cancelled (M5) THEN us-east-1 rolls back', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, { [bake(PRIMARY).job]: 'cancelled' });
    expect(rollbackRan(run, PRIMARY)).toBe(true);
  });

  test('GIVEN a rolled-back release WHEN its failed jobs are re-run THEN the bake, the rollback and the standby wave are re-evaluated with the same commit', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { simulator, run } = release(world, bakeFails(PRIMARY));
    expect(rollbackRan(run, PRIMARY)).toBe(true);
    const again = simulator.rerunFailedJobs(run, { at: 120 });
    simulator.runUntilIdle();
    expect(again.github['sha']).toBe(COMMIT.release);
    expect(again.jobs.get(bake(PRIMARY).job)?.attempt).toBe(2);
    expect(again.jobs.get(stackJob(`-${PRIMARY}-services`))?.attempt).toBe(1);
  });

  // M1: the re-run bakes the rolled-back Region and passes, but record refuses the commit the rollback marked.
  test('GIVEN a rolled-back release WHEN its failed jobs are re-run (M1) THEN the bad commit is neither recorded nor deployed further', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { simulator, run } = release(world, bakeFails(PRIMARY));
    const again = simulator.rerunFailedJobs(run, { at: 120 });
    simulator.runUntilIdle();
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.knownGood);
    expect(stacksIn(again, STANDBY)).toEqual([]);
  });

  // M1: a re-run keeps GITHUB_SHA; an old run re-run days later redeploys an old commit over a newer release.
  test('GIVEN an old run whose commit is no longer the head WHEN its failed jobs are re-run (M1) THEN nothing is deployed or recorded', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { simulator, run } = release(world, { [stackJob(`-${PRIMARY}-network`)]: 'failure' });
    // Later, the next commit is pushed and released; then someone re-runs the old run.
    const next = simulator.queue({ workflow: deploy, event: push(COMMIT.next), at: 60, label: 'next' });
    simulator.runUntilIdle();
    expect(next.conclusion).toBe('success');
    const again = simulator.rerunFailedJobs(run, { at: 3 * 24 * 60 });
    simulator.runUntilIdle();
    expect(again.github['sha']).toBe(COMMIT.release);
    expect(deployedStacks(again)).toEqual([]);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.next);
  });

  // B2 / M11 (fixed in 5cab1ae; fails on 488e794): nothing in deploy.yml read a freeze; a deploy ran whatever a
  // failover was doing.
  test('GIVEN a freeze record in AWS (B2, M11) WHEN a push deploys THEN a freeze check stops it before any stack', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood, frozen: true });
    const { run } = release(world);
    expect(ranSteps(run).some((step) => /freeze/i.test(`${step.name} ${step.run} ${Object.keys(step.env)}`))).toBe(
      true,
    );
    expect(deployedStacks(run)).toEqual([]);
    expect(run.conclusion).not.toBe('success');
  });

  // M7 (fixed in 4b51d1d; fails on 488e794 and 5cab1ae): every deploy, bake and rollback job referenced the Region's
  // Environment, so reviewers there approved each job, and the rollback waited for a person.
  test('GIVEN a green release (M7) THEN approvals are one gate job per wave, in an Environment no working job uses', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world);
    const working = (id: string) =>
      run.workflow.jobs
        .get(id)!
        .steps.some(
          (step) =>
            step.uses?.startsWith('aws-actions/aws-cloudformation-github-deploy') === true ||
            step.env['INPUT_COMMAND'] !== undefined ||
            step.env['INPUT_MODE'] !== undefined,
        );
    const started = [...run.jobs.values()].filter((job) => job.started && job.environment !== undefined);
    const gates = started.filter((job) => !working(job.id));
    const gateEnvironments = new Set(gates.map((job) => job.environment));
    expect(gates.length).toBeGreaterThanOrEqual(1);
    expect(gates.length).toBeLessThanOrEqual(3);
    const workingInGateEnv = [...deploy.jobs.keys()].filter((id) => {
      const environment = deploy.jobs.get(id)?.environment;
      return working(id) && typeof environment === 'string' && gateEnvironments.has(environment);
    });
    expect(workingInGateEnv).toEqual([]);
  });

  // Review M4 (fails on the workflows of 1419158): the rollback rebuilt the known-good commit from source with the
  // current configuration. Now it redeploys the templates the known-good release's deploy jobs used, as recorded.
  test('GIVEN the primary bake fails (M4) THEN the rollback redeploys the recorded templates of services, observability and runbooks', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, bakeFails(PRIMARY));
    expect(redeployedStacks(run).map(({ stack, template }) => [stack, template])).toEqual(
      ['services', 'observability', 'runbooks'].map((kind) => {
        const stack = `shop-dev-${PRIMARY}-${kind}`;
        return [stack, `https://known-good.example/${COMMIT.knownGood}/${stack}.json`];
      }),
    );
    const scripts = ranSteps(run)
      .filter((step) => step.job.id === rollbackJobOf(PRIMARY))
      .map((step) => step.run ?? '')
      .join('\n');
    expect(scripts).not.toMatch(/\bgit\b|npm ci|\bcdk\b|docker/);
  });

  test('GIVEN a release recorded by an earlier run WHEN the next release fails its bake (M4) THEN each stack gets the exact template that run’s deploy job used', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const first = release(world).run;
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.release);
    const deployed = new Map(
      ranSteps(first)
        .filter((step) => step.uses?.startsWith('aws-actions/aws-cloudformation-github-deploy') === true)
        .map((step) => [step.with['name'], step.with['template']]),
    );
    const { run } = release(world, bakeFails(PRIMARY), COMMIT.next);
    const redeployed = redeployedStacks(run);
    expect(redeployed.map(({ stack }) => stack)).toEqual(
      ['services', 'observability', 'runbooks'].map((kind) => `shop-dev-${PRIMARY}-${kind}`),
    );
    for (const { stack, template } of redeployed) {
      expect([stack, template]).toEqual([stack, deployed.get(stack)]);
      expect(template).toMatch(
        new RegExp(
          `^https://cdk-hnb659fds-assets-\\d{12}-${PRIMARY}\\.s3\\.${PRIMARY}\\.amazonaws\\.com/assets-fileasset\\d+-${COMMIT.release.slice(0, 7)}\\.json$`,
        ),
      );
    }
  });

  // Review M5 (2): the global routing stack was never rolled back.
  test('GIVEN the standby bake fails (M5) THEN us-west-2 rolls back its stacks and the routing stack from their recorded templates', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, bakeFails(STANDBY));
    const standby = redeployedStacks(run).filter(({ job }) => job === rollbackJobOf(STANDBY));
    expect(standby.map(({ stack, template }) => [stack, template])).toEqual(
      [
        ...['services', 'observability', 'runbooks'].map((kind) => `shop-dev-${STANDBY}-${kind}`),
        'shop-dev-global-routing',
      ].map((stack) => [stack, `https://known-good.example/${COMMIT.knownGood}/${stack}.json`]),
    );
    expect(redeployedStacks(run).filter(({ stack }) => /-(data|network)$/.test(stack))).toEqual([]);
  });

  // Review m3: any failure of the bake job rolled back, an AWS error (B8, exit 3) or a failed record after a passed
  // bake (R8) included.
  test('GIVEN the bake cannot decide: an AWS error, no verdict (m3) THEN nothing rolls back, nothing is recorded, and the run fails saying so', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { job, step } = bake(PRIMARY);
    const { run } = release(world, { [job]: { failAt: step } });
    expect(rollbackRan(run, PRIMARY) || rollbackRan(run, STANDBY)).toBe(false);
    expect(run.conclusion).toBe('failure');
    expect(records(run)).toEqual([]);
    const said = ranSteps(run).filter((s) => s.job.id === job && /not rolled back/.test(s.name ?? ''));
    expect(said.map((s) => s.outcome)).toEqual(['success']);
  });

  test('GIVEN the bake passed but record failed (m3, R8) THEN the healthy release is not rolled back', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { job, step } = bake(PRIMARY);
    const { run } = release(world, { [job]: { failAt: 'Record', outputs: { [step]: { result: 'passed' } } } });
    expect(run.jobs.get(job)?.result).toBe('failure');
    expect(rollbackRan(run, PRIMARY)).toBe(false);
  });

  // Review M4 (3): no bake after a rollback, no notification.
  test('GIVEN a rollback whose own bake fails (M4(3)) THEN the rollback job fails and its last step reports the Region still broken', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const rollback = rollbackJobOf(PRIMARY);
    const { run } = release(world, { ...bakeFails(PRIMARY), [rollback]: { failAt: 'after the rollback' } });
    expect(run.jobs.get(rollback)?.result).toBe('failure');
    const steps = ranSteps(run).filter((s) => s.job.id === rollback);
    // The freeze check first (review-12 D1: no redeploy while a failover holds the freeze), then the rollback.
    expect(steps.map((s) => s.env['INPUT_COMMAND'] ?? s.env['INPUT_MODE']).filter(Boolean)).toEqual([
      'check',
      'plan',
      'verify',
      'watch',
    ]);
    expect(steps.at(-1)?.name).toMatch(/still broken/);
    expect(steps.at(-1)?.outcome).toBe('success');
  });

  test('GIVEN a rollback that passes its own bake THEN its report step does not run', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, bakeFails(PRIMARY));
    const rollback = rollbackJobOf(PRIMARY);
    expect(run.jobs.get(rollback)?.result).toBe('success');
    expect(ranSteps(run).filter((s) => s.job.id === rollback && /still broken/.test(s.name ?? ''))).toEqual([]);
  });
});

describe('deploy.yml scenarios: both Regions baked after routing, readiness in every bake (review M2(5), M12)', () => {
  /** The bakes after the routing stage: the jobs whose watch runs after the routing deploy, by Region. */
  function bakeAfterRouting(region: string): { job: string; step: string } {
    const routing = cloudFormationJobs(deploy).find(({ region: r }) => r === 'global')!.job;
    for (const job of deploy.jobs.values()) {
      if (/rollback|roll back/i.test(`${job.id} ${String(job.name ?? '')}`) || !job.needs.includes(routing)) continue;
      const step = job.steps.find((s) => s.env['INPUT_MODE'] === 'watch' && s.env['INPUT_REGION'] === region);
      if (step !== undefined) return { job: job.id, step: step.id };
    }
    throw new Error(`deploy.yml has no bake of ${region} after the routing stage`);
  }

  test('GIVEN a green release THEN both Regions are watched after routing, each in its own Region, and then confirmed', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world);
    expect(run.conclusion).toBe('success');
    const routing = cloudFormationJobs(deploy).find(({ region }) => region === 'global')!.job;
    const routed = run.jobs.get(routing)!.endedAt!;
    const watched = ranSteps(run)
      .filter((s) => s.env['INPUT_MODE'] === 'watch' && (s.job.startedAt ?? 0) >= routed && !/rollback/i.test(s.job.id))
      .map((s) => s.env['INPUT_REGION'])
      .sort();
    expect(watched).toEqual([PRIMARY, STANDBY]);
    const confirm = rollbackCliCalls(run, 'confirm');
    expect(confirm).toHaveLength(1);
    // Confirmed only once both bakes after routing ended.
    for (const region of [PRIMARY, STANDBY]) {
      expect(confirm[0]!.job.startedAt).toBeGreaterThanOrEqual(run.jobs.get(bakeAfterRouting(region).job)!.endedAt!);
    }
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.release);
    expect(world.knownGood.get(STANDBY)).toBe(COMMIT.release);
  });

  test('GIVEN the primary fails its bake after routing THEN both Regions roll back and nothing is confirmed', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { job, step } = bakeAfterRouting(PRIMARY);
    const { run } = release(world, { [job]: { failAt: step, outputs: { [step]: { result: 'failed' } } } });
    expect(rollbackRan(run, PRIMARY)).toBe(true);
    expect(rollbackRan(run, STANDBY)).toBe(true);
    expect(rollbackCliCalls(run, 'confirm')).toEqual([]);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.knownGood);
    expect(world.knownGood.get(STANDBY)).toBe(COMMIT.knownGood);
    expect(run.conclusion).toBe('failure');
  });

  test.each([PRIMARY, STANDBY])(
    'GIVEN the readiness dry run of %s fails in its bake THEN the bake gives the verdict failed and the Region rolls back',
    (region) => {
      const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
      const { job } = region === PRIMARY ? bake(PRIMARY) : bakeAfterRouting(STANDBY);
      const { run } = release(world, {
        [job]: { failAt: 'readiness', outputs: { readiness: { readiness: 'failed' } } },
      });
      expect(run.jobs.get(job)?.outputs['verdict']).toBe('failed');
      expect(rollbackRan(run, region)).toBe(true);
      expect(rollbackCliCalls(run, 'confirm')).toEqual([]);
      if (region === PRIMARY) expect(stacksIn(run, STANDBY)).toEqual([]);
    },
  );

  test('GIVEN the readiness dry run gives no outcome (an AWS error) THEN the bake fails without a verdict: nothing rolls back, nothing is recorded', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { job } = bake(PRIMARY);
    const { run } = release(world, { [job]: { failAt: 'readiness' } });
    expect(run.jobs.get(job)?.result).toBe('failure');
    expect(run.jobs.get(job)?.outputs['verdict']).toBe('');
    expect(rollbackRan(run, PRIMARY)).toBe(false);
    expect(records(run)).toEqual([]);
    expect(stacksIn(run, STANDBY)).toEqual([]);
  });
});

/** The job that bakes `region` after the routing stage (its watch runs after the routing deploy). */
function bakeAfterRoutingOf(region: string): { job: string; step: string } {
  const routing = cloudFormationJobs(deploy).find(({ region: r }) => r === 'global')!.job;
  for (const job of deploy.jobs.values()) {
    if (/rollback|roll back/i.test(`${job.id} ${String(job.name ?? '')}`) || !job.needs.includes(routing)) continue;
    const step = job.steps.find((s) => s.env['INPUT_MODE'] === 'watch' && s.env['INPUT_REGION'] === region);
    if (step !== undefined) return { job: job.id, step: step.id };
  }
  throw new Error(`deploy.yml has no bake of ${region} after the routing stage`);
}

/**
 * The approval job of the wave whose first stack deploys into `region` (`global`: the routing wave): of the jobs in an
 * Environment that stack's job needs, the latest (an earlier wave's approval is among them too).
 */
function approvalOf(region: string): string {
  const first = cloudFormationJobs(deploy).find((job) => job.region === region)!.job;
  const approvals = deploy.jobs
    .get(first)!
    .needs.map((id) => deploy.jobs.get(id)!)
    .filter((job) => job.environment !== undefined)
    .sort((a, b) => b.needs.length - a.needs.length);
  if (approvals[0] === undefined) throw new Error(`deploy.yml has no approval before ${first}`);
  return approvals[0].id;
}

const rollbacks = (run: RunRecord) => [PRIMARY, STANDBY].filter((region) => rollbackRan(run, region));

// Review-12 D2: the stale-run guard failed the next stack job of a running release as soon as main moved on; that
// failure rolled the primary back (and with approvals between waves, any push while a run waited did). A first attempt
// deploys the commit that was pushed (newer pushes queue behind it in the deploy group); only a re-run of a commit
// that is not the head is stopped, and such a stop never rolls back nor records.
describe('pushes during a release, and re-runs (review-12 D2)', () => {
  test.each([10, 40, 70])(
    'GIVEN a push %i minutes into a release THEN the release finishes, nothing rolls back, and the pushed commit deploys after it',
    (at) => {
      const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
      const simulator = new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
      const first = simulator.queue({ workflow: deploy, event: push(COMMIT.release), label: 'release' });
      const next = simulator.queue({ workflow: deploy, event: push(COMMIT.next), at, label: 'next' });
      simulator.runUntilIdle();
      expect(at).toBeLessThan(first.endedAt!);
      expect({ conclusion: first.conclusion, rollbacks: rollbacks(first) }).toEqual({
        conclusion: 'success',
        rollbacks: [],
      });
      expect(deployedStacks(first).sort()).toEqual(
        cloudFormationJobs(deploy)
          .map(({ stack }) => stack)
          .sort(),
      );
      expect(world.rolledBack.has(COMMIT.release)).toBe(false);
      expect(next.startedAt).toBe(first.endedAt);
      expect(next.conclusion).toBe('success');
      expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.next);
      expect(world.knownGood.get(STANDBY)).toBe(COMMIT.next);
    },
  );

  test('GIVEN an old run whose application stack failed and was rolled back WHEN its failed jobs are re-run after a newer release THEN the re-run is stopped: nothing deploys, rolls back or is recorded', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { simulator, run } = release(world, { [stackJob(`-${PRIMARY}-runbooks`)]: 'failure' });
    expect(rollbackRan(run, PRIMARY)).toBe(true);
    simulator.queue({ workflow: deploy, event: push(COMMIT.next), at: 200, label: 'next' });
    simulator.runUntilIdle();
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.next);
    const calls = world.calls.length;
    const again = simulator.rerunFailedJobs(run, { at: 3 * 24 * 60 });
    simulator.runUntilIdle();
    expect(again.conclusion).toBe('failure');
    expect(deployedStacks(again)).toEqual([]);
    expect(rollbacks(again)).toEqual([]);
    expect(redeployedStacks(again)).toEqual([]);
    expect(records(again)).toEqual([]);
    expect(world.calls.slice(calls).filter((call) => call.env['INPUT_COMMAND'] !== undefined)).toEqual([]);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.next);
    expect(world.candidates.get(PRIMARY)).toBe(COMMIT.next);
  });

  test('GIVEN an old run whose bake failed without a verdict WHEN its failed jobs are re-run after a newer release THEN the bake records nothing and nothing rolls back', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { job, step } = bake(PRIMARY);
    const { simulator, run } = release(world, { [job]: { failAt: step } });
    simulator.queue({ workflow: deploy, event: push(COMMIT.next), at: 200, label: 'next' });
    simulator.runUntilIdle();
    const again = simulator.rerunFailedJobs(run, { at: 3 * 24 * 60 });
    simulator.runUntilIdle();
    expect(records(again)).toEqual([]);
    expect(rollbacks(again)).toEqual([]);
    expect(deployedStacks(again)).toEqual([]);
    expect(world.candidates.get(PRIMARY)).toBe(COMMIT.next);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.next);
  });

  test('GIVEN an old run whose bake failed and whose rollback failed WHEN its failed jobs are re-run after a newer release THEN no rollback redeploys the old known-good over the newer release', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const rollback = rollbackJobOf(PRIMARY);
    const { simulator, run } = release(world, { ...bakeFails(PRIMARY), [rollback]: { failAt: 'Redeploy' } });
    expect(run.jobs.get(rollback)?.result).toBe('failure');
    simulator.queue({ workflow: deploy, event: push(COMMIT.next), at: 200, label: 'next' });
    simulator.runUntilIdle();
    const again = simulator.rerunFailedJobs(run, { at: 3 * 24 * 60 });
    simulator.runUntilIdle();
    expect(redeployedStacks(again)).toEqual([]);
    expect(rollbackCliCalls(again)).toEqual([]);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.next);
  });

  test('GIVEN a re-run of an old run WHEN the GitHub API cannot say the head THEN it is stopped as stale (fail closed) and nothing rolls back', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { simulator, run } = release(world, { [stackJob(`-${PRIMARY}-runbooks`)]: 'failure' });
    world.githubApiDown = true;
    const again = simulator.rerunFailedJobs(run, { at: 300 });
    simulator.runUntilIdle();
    expect(deployedStacks(again)).toEqual([]);
    expect(rollbacks(again)).toEqual([]);
  });

  test('GIVEN the head run failed on a stack before any application stack changed WHEN its failed jobs are re-run THEN the re-run deploys, bakes, records and confirms', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { simulator, run } = release(world, { [stackJob(`-${PRIMARY}-network`)]: 'failure' });
    expect(rollbacks(run)).toEqual([]);
    const again = simulator.rerunFailedJobs(run, { at: 120 });
    simulator.runUntilIdle();
    expect(again.github['run_attempt']).toBe('2');
    expect(again.conclusion).toBe('success');
    expect(stacksIn(again, PRIMARY)).toContain(`shop-dev-${PRIMARY}-network`);
    expect(stacksIn(again, STANDBY).length).toBeGreaterThan(0);
    expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.release);
    expect(world.knownGood.get(STANDBY)).toBe(COMMIT.release);
  });
});

// Review-12 D4: rejecting or cancelling a later wave's approval rolled back Regions that had passed their bake. Only
// failed or cancelled deploy and bake jobs, and a `failed` bake verdict, make a failed release; a declined wave leaves
// the baked Regions on their release (a candidate, not confirmed).
describe('a declined or cancelled approval is not a failed release (review-12 D4)', () => {
  test.each([
    ['standby', STANDBY, 'failure'],
    ['standby', STANDBY, 'cancelled'],
    ['global routing', 'global', 'failure'],
    ['global routing', 'global', 'cancelled'],
  ] as const)(
    'GIVEN the %s wave’s approval (before %s) ends %s THEN nothing rolls back and the baked Regions stay unconfirmed',
    (_name, region, result) => {
      const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
      const { run } = release(world, { [approvalOf(region)]: result });
      expect(run.jobs.get(approvalOf(region))?.result).toBe(result);
      expect(rollbacks(run)).toEqual([]);
      expect(redeployedStacks(run)).toEqual([]);
      expect(world.rolledBack.has(COMMIT.release)).toBe(false);
      expect(world.candidates.get(PRIMARY)).toBe(COMMIT.release);
      expect(world.knownGood.get(PRIMARY)).toBe(COMMIT.knownGood);
      expect(rollbackCliCalls(run, 'confirm')).toEqual([]);
    },
  );

  test('GIVEN the primary wave’s approval is declined THEN nothing deploys and nothing rolls back', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, { [approvalOf(PRIMARY)]: 'failure' });
    expect(deployedStacks(run)).toEqual([]);
    expect(rollbacks(run)).toEqual([]);
  });

  test.each([
    ['a standby stack deploy', () => stackJob(`-${STANDBY}-services`), [PRIMARY, STANDBY]],
    ['the routing deploy', () => stackJob('-global-routing'), [PRIMARY, STANDBY]],
    ['the standby bake', () => bakeAfterRoutingOf(STANDBY).job, [PRIMARY, STANDBY]],
    ['the primary bake after routing', () => bakeAfterRoutingOf(PRIMARY).job, [PRIMARY, STANDBY]],
  ])('GIVEN %s is cancelled THEN the Regions it leaves unbaked roll back', (_name, job, regions) => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const { run } = release(world, { [job()]: 'cancelled' });
    expect(rollbacks(run)).toEqual(regions);
  });
});
