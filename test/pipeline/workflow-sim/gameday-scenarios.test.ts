import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderText } from '../../../.github/actions/cli-support/job-summary';
import { decideApproval } from '../../../.github/actions/gameday/gameday-approval';
import { type GameDayCliInputs, readGameDayInputs } from '../../../.github/actions/gameday/gameday-inputs';
import { phaseStepResult, refusedStep, validateStep } from '../../../.github/actions/gameday/gameday-step';
import { loadConfig } from '../../../config';
import { gameDayWorkflow } from '../../../pipeline/gameday-workflow';
import type { GameDayPhase, PhaseOutcome } from '../../../runbooks/gameday/gameday-phases';
import { COMMIT, PRIMARY, STANDBY, WORKFLOW_DIR } from './pipeline-world';
import { parseWorkflowText, type Workflow } from './workflow-model';
import { type RunRecord, type StepOracle, WorkflowSimulator } from './workflow-run-simulator';

// Issue 16: gameday.yml runs the game day's phases, one job each (start-traffic and inject share one), behind one
// approval; clean-up after all of them whenever the game day was approved. Each gameday CLI step is answered by the
// CLI's own code (readGameDayInputs, validateStep, phaseStepResult) over the outcome the scenario gives its phase, so
// what a step reports, outputs and exits with is the CLI's, not the test's.

const CLI = 'node .github/actions/dist/gameday.cjs';
const NOW = new Date('2026-12-07T04:30:00Z');

/** gameday.yml as synth writes it with game days enabled (WORKFLOW_SIM_DIR may point at another copy). */
async function loadGameDay(): Promise<Workflow> {
  const given = join(WORKFLOW_DIR, 'gameday.yml');
  if (process.env['WORKFLOW_SIM_DIR'] && existsSync(given)) {
    return parseWorkflowText(given, readFileSync(given, 'utf8'));
  }
  const config = loadConfig({ base: { gameDays: { enabled: true } } });
  return parseWorkflowText('gameday.yml', gameDayWorkflow(config).toYaml());
}

/** `core.getInput` over a step's evaluated env, as the CLI reads it (`INPUT_<NAME>`, trimmed). */
const inputsOf = (env: Readonly<Record<string, string>>) => (name: string) =>
  (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

/** One gameday CLI step as it ran: what it was asked and what it reported. */
interface CliCall {
  readonly job: string;
  readonly phase: string;
  readonly validateOnly: boolean;
  readonly inputs?: GameDayCliInputs;
  readonly problem?: string;
  readonly summary?: string;
  readonly exitCode: number;
  /** The Region of the credentials step before it in its job. */
  readonly credentialsRegion?: string;
}

/**
 * The world of a game day: the phases' outcomes by phase (default: succeeded; score: PASSED with an evidence link),
 * and every CLI call in order.
 */
class GameDayWorld {
  readonly calls: CliCall[] = [];
  /** Who starts a re-run (GITHUB_TRIGGERING_ACTOR), once one is started. */
  rerunBy?: string;

  /** A list gives the outcome of each call of the phase in turn (the last one repeats). */
  constructor(
    private readonly outcomes: Partial<Record<GameDayPhase, Partial<PhaseOutcome> | Partial<PhaseOutcome>[]>> = {},
  ) {}

  readonly oracle: StepOracle = (call) => {
    // The approve job's step writes `attempt=$GITHUB_RUN_ATTEMPT` to its outputs (run in bash in
    // gameday-workflow.test.ts); GitHub sets GITHUB_RUN_ATTEMPT to the run's attempt.
    if (call.job.id === 'approve') {
      return { outcome: 'success', outputs: { attempt: String(call.run.github['run_attempt']) } };
    }
    if (call.step.run !== CLI) return 'success';
    const record = call.run.jobs.get(call.job.id);
    const credentialsRegion = record?.steps.find((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials'),
    )?.with['aws-region'];
    let inputs: GameDayCliInputs;
    try {
      inputs = readGameDayInputs(inputsOf(call.env));
    } catch (error) {
      this.calls.push({
        job: call.job.id,
        phase: call.env['INPUT_PHASE'] ?? '',
        validateOnly: call.env['INPUT_VALIDATE_ONLY'] === 'true',
        problem: (error as Error).message,
        exitCode: 2,
      });
      return 'failure';
    }
    const context = { actor: 'octocat', approver: 'reviewer-bob' };
    // The CLI's approval gate over this attempt, with a review history in which reviewer-bob approved.
    const decision = inputs.validateOnly
      ? undefined
      : decideApproval({
          phase: inputs.phase,
          environment: 'shop-dev-gameday',
          approval: { kind: 'approved', by: [{ login: 'reviewer-bob', comment: '' }] },
          actor: 'octocat',
          triggeringActor: this.rerunBy ?? 'octocat',
          runAttempt: String(call.run.github['run_attempt']),
          ...(inputs.approvedAttempt === undefined ? {} : { approvedAttempt: inputs.approvedAttempt }),
        });
    const result = inputs.validateOnly
      ? validateStep(inputs, { ...context, now: NOW, random: () => 0.5 })
      : decision?.kind === 'refused'
        ? refusedStep(inputs, decision.problems, context)
        : phaseStepResult(inputs, this.outcomeOf(inputs.phase), context);
    this.calls.push({
      job: call.job.id,
      phase: inputs.phase,
      validateOnly: inputs.validateOnly,
      inputs,
      summary: renderText(result.summary),
      exitCode: result.exitCode,
      ...(credentialsRegion === undefined ? {} : { credentialsRegion }),
    });
    return { outcome: result.exitCode === 0 ? 'success' : 'failure', outputs: { ...result.outputs } };
  };

  /** The phases that ran (not the validation), in order. */
  get phases(): string[] {
    return this.calls.filter((call) => !call.validateOnly).map((call) => call.phase);
  }

  private outcomeOf(phase: GameDayPhase): PhaseOutcome {
    const entry = this.outcomes[phase] ?? {};
    const calls = this.calls.filter((call) => call.phase === phase && !call.validateOnly).length;
    const given = Array.isArray(entry) ? (entry[Math.min(calls, entry.length - 1)] ?? {}) : entry;
    const score: Partial<PhaseOutcome> =
      phase === 'score'
        ? { verdict: 'PASSED', evidenceUrl: 'https://console.aws.amazon.com/s3/object/report?prefix=evidence.html' }
        : {};
    return { phase, status: 'succeeded', summary: `**${phase}**: done`, ...score, ...given };
  }
}

let gameday: Workflow;

beforeAll(async () => {
  gameday = await loadGameDay();
});

const dispatch = (inputs: Record<string, string | boolean>) => ({
  name: 'workflow_dispatch',
  sha: COMMIT.release,
  ref: 'refs/heads/main',
  inputs: { failed_region: PRIMARY, reason: 'CHG-16: first game day in the sandbox', ...inputs },
});

/** Runs one dispatch to its end. */
function simulate(
  world: GameDayWorld,
  inputs: Record<string, string | boolean>,
  options: { plan?: Parameters<WorkflowSimulator['queue']>[0]['plan']; cancelAt?: number } = {},
): RunRecord {
  const sim = new WorkflowSimulator({ oracle: world.oracle, jobMinutes: () => 10 });
  const run = sim.queue({
    workflow: gameday,
    event: dispatch(inputs),
    label: 'gameday',
    ...(options.plan ? { plan: options.plan } : {}),
  });
  if (options.cancelAt !== undefined) sim.cancel(run, options.cancelAt);
  sim.runUntilIdle();
  return run;
}

const result = (run: RunRecord, job: string) => run.jobs.get(job)?.result;
const PHASE_JOBS = ['preflight', 'inject', 'failover', 'await-return', 'recover', 'score'];

describe('gameday.yml, simulated', () => {
  test('GIVEN a dry run (the default) THEN only preflight runs, as a dry run, after the approval; nothing to clean up', () => {
    const world = new GameDayWorld();
    const run = simulate(world, {});

    expect(run.conclusion).toBe('success');
    expect(world.phases).toEqual(['preflight']);
    const preflight = world.calls.find((call) => call.phase === 'preflight' && !call.validateOnly)!;
    expect(preflight.inputs?.dryRun).toBe(true);
    expect(preflight.summary).toContain('(dry run)');
    expect(PHASE_JOBS.slice(1).map((job) => result(run, job))).toEqual(Array(5).fill('skipped'));
    expect(result(run, 'clean-up')).toBe('skipped');
  });

  test('GIVEN a real game day where every phase succeeds THEN the phases run in order on one game day, in the surviving Region, and the score’s PASSED reaches the clean-up', () => {
    const world = new GameDayWorld();
    const run = simulate(world, { dry_run: false });

    expect(run.conclusion).toBe('success');
    expect(world.phases).toEqual([
      'preflight',
      'start-traffic',
      'inject',
      'failover',
      'await-return',
      'recover',
      'score',
      'clean-up',
    ]);
    const [validate, ...phases] = world.calls;
    expect(validate?.job).toBe('validate');
    const id = run.jobs.get('validate')?.outputs['game_day_id'];
    expect(id).toMatch(/^gd-20261207T043000Z-[a-z0-9]{4}$/);
    for (const call of phases) {
      expect([call.phase, call.inputs?.gameDayId, call.inputs?.dryRun, call.credentialsRegion]).toEqual([
        call.phase,
        id,
        false,
        STANDBY,
      ]);
    }
    const score = phases.find((call) => call.phase === 'score')!;
    expect(score.summary).toContain('Verdict: PASSED');
    expect(score.summary).toContain('Evidence pack (evidence.html): https://console.aws.amazon.com/');
    expect(run.jobs.get('score')?.outputs['evidence_url']).toMatch(/^https:\/\/console\.aws\.amazon\.com\//);
    const cleanUp = phases.find((call) => call.phase === 'clean-up')!;
    expect(cleanUp.inputs?.verdict).toBe('PASSED');
    expect(cleanUp.summary).toContain('Verdict: PASSED');
    // every phase's summary names the verdict, reached or not
    for (const call of phases) expect([call.phase, /Verdict/.test(call.summary ?? '')]).toEqual([call.phase, true]);
  });

  test('GIVEN standby as the Region to fail THEN the credentials are taken in the primary, which takes over', () => {
    const world = new GameDayWorld();
    simulate(world, { dry_run: false, failed_region: STANDBY });
    const phases = world.calls.filter((call) => !call.validateOnly);
    expect(new Set(phases.map((call) => call.credentialsRegion))).toEqual(new Set([PRIMARY]));
    expect(new Set(phases.map((call) => call.inputs?.survivingRegion))).toEqual(new Set([PRIMARY]));
  });

  test('GIVEN preflight INCONCLUSIVE (a precondition not met) THEN its job fails, no later phase runs, the clean-up runs told INCONCLUSIVE', () => {
    const world = new GameDayWorld({
      preflight: { status: 'inconclusive', verdict: 'INCONCLUSIVE', summary: 'no fresh backup in us-east-1' },
    });
    const run = simulate(world, { dry_run: false });

    expect(run.conclusion).toBe('failure');
    expect(result(run, 'preflight')).toBe('failure');
    expect(PHASE_JOBS.slice(1).map((job) => result(run, job))).toEqual(Array(5).fill('skipped'));
    expect(world.phases).toEqual(['preflight', 'clean-up']);
    const preflight = world.calls.find((call) => call.phase === 'preflight' && !call.validateOnly)!;
    expect(preflight.summary).toContain('Verdict: INCONCLUSIVE');
    expect(preflight.exitCode).toBe(1);
    expect(world.calls.at(-1)?.inputs?.verdict).toBe('INCONCLUSIVE');
  });

  test('GIVEN the failover phase fails mid-way THEN recover and score never run, the clean-up runs, and no job says PASSED', () => {
    const world = new GameDayWorld({ failover: { status: 'failed', summary: 'the failover automation failed' } });
    const run = simulate(world, { dry_run: false });

    expect(run.conclusion).toBe('failure');
    expect(world.phases).toEqual(['preflight', 'start-traffic', 'inject', 'failover', 'clean-up']);
    expect(['await-return', 'recover', 'score'].map((job) => result(run, job))).toEqual([
      'skipped',
      'skipped',
      'skipped',
    ]);
    const failover = world.calls.find((call) => call.phase === 'failover')!;
    expect(failover.summary).toContain('resume_at failover');
    expect(world.calls.some((call) => /PASSED/.test(call.summary ?? ''))).toBe(false);
    expect(result(run, 'clean-up')).toBe('success');
  });

  test('GIVEN a FAILED verdict from the score THEN the score job fails (exit 1) and the clean-up still runs, told FAILED', () => {
    const world = new GameDayWorld({
      score: { verdict: 'FAILED', summary: 'recall 0.9: 3 lost orders not in the report' },
    });
    const run = simulate(world, { dry_run: false });

    expect(result(run, 'score')).toBe('failure');
    expect(run.conclusion).toBe('failure');
    expect(world.calls.at(-1)).toMatchObject({ phase: 'clean-up', inputs: { verdict: 'FAILED' } });
    // clean-up's own exit says whether it cleaned up: the score job is the one that failed on the verdict
    expect(result(run, 'clean-up')).toBe('success');
  });

  test('GIVEN the run is cancelled while the failover runs THEN the later phases never start and the clean-up runs every step', () => {
    const world = new GameDayWorld();
    // validate, approve, preflight, inject take 10 minutes each: the failover runs from 40 to 50
    const run = simulate(world, { dry_run: false }, { cancelAt: 45 });

    expect(run.conclusion).toBe('cancelled');
    expect(result(run, 'failover')).toBe('cancelled');
    expect(['await-return', 'recover', 'score'].map((job) => run.jobs.get(job)?.started)).toEqual([
      false,
      false,
      false,
    ]);
    const cleanUp = run.jobs.get('clean-up')!;
    expect(cleanUp.started).toBe(true);
    expect(cleanUp.steps.map((step) => step.outcome)).toEqual(cleanUp.steps.map(() => 'success'));
    expect(world.phases.at(-1)).toBe('clean-up');
  });

  test('GIVEN the run is cancelled while it waits for its approval THEN no phase and no clean-up runs', () => {
    const world = new GameDayWorld();
    // validate runs from 0 to 10, the approval from 10 to 20
    const run = simulate(world, { dry_run: false }, { cancelAt: 15 });

    expect(run.conclusion).toBe('cancelled');
    expect(world.phases).toEqual([]);
    expect(run.jobs.get('clean-up')?.started).toBe(false);
  });

  test('GIVEN the approval is rejected THEN no phase runs and there is nothing to clean up', () => {
    const world = new GameDayWorld();
    const run = simulate(world, { dry_run: false }, { plan: { approve: 'failure' } });

    expect(world.phases).toEqual([]);
    expect(result(run, 'clean-up')).toBe('skipped');
  });

  test('GIVEN invalid inputs THEN the validate job fails naming them, before the approval and any credentials', () => {
    const world = new GameDayWorld();
    const run = simulate(world, { dry_run: false, resume_at: 'recover', reason: 'two\nlines' });

    expect(result(run, 'validate')).toBe('failure');
    expect(run.jobs.get('approve')?.started).toBe(false);
    expect(world.calls).toHaveLength(1);
    expect(world.calls[0]?.problem).toContain('resume_at: "recover" without game_day_id');
    expect(world.calls[0]?.problem).toContain('reason: "two\\nlines" has control characters');
    expect(
      [...run.jobs.values()].some((job) =>
        job.steps.some((step) => step.uses?.includes('credentials') && step.outcome !== 'skipped'),
      ),
    ).toBe(false);
  });

  test('GIVEN the old Region has not returned after await-return’s 50 minutes THEN its job fails naming how to resume, and the clean-up runs without a verdict', () => {
    // runbooks/gameday/phases.ts awaitReturnPhase: status failed, "does not answer yet after 50 minutes"
    const world = new GameDayWorld({
      'await-return': { status: 'failed', summary: '**await-return**: us-east-1 does not answer yet after 50 minutes' },
    });
    const run = simulate(world, { dry_run: false });

    expect(result(run, 'await-return')).toBe('failure');
    const wait = world.calls.find((call) => call.phase === 'await-return')!;
    const id = run.jobs.get('validate')?.outputs['game_day_id'];
    expect(wait.inputs?.waitMinutes).toBe(50);
    expect(wait.summary).toContain('Verdict: not yet (the score phase gives it).');
    expect(wait.summary).toContain(`game_day_id ${id} and resume_at await-return`);
    expect(world.phases.slice(-2)).toEqual(['await-return', 'clean-up']);
    expect(world.calls.at(-1)?.inputs?.verdict).toBeUndefined();
    expect(world.calls.at(-1)?.summary).toContain('Verdict: none (the game day stopped before a verdict');
  });

  // Review 16d G1. GitHub, "Re-running workflows and jobs": "You can re-run ... up to 30 days after its initial run";
  // "Jobs that aren't included keep their outputs from the previous attempt": the approve job is not re-run, so nobody
  // is asked again. The phases refuse to act in an attempt their approval was not given in; only clean-up runs.
  test.each([
    ['await-return ran out of time', 'await-return' as const, 300],
    ['preflight failed (an AWS throttle)', 'preflight' as const, 29 * 24 * 60],
  ])(
    'GIVEN %s WHEN the failed jobs are re-run THEN no phase acts without a new approval, clean-up still runs, and the summary says to dispatch again',
    (_, failing, at) => {
      const world = new GameDayWorld({ [failing]: [{ status: 'failed', summary: `${failing} did not finish` }, {}] });
      const sim = new WorkflowSimulator({ oracle: world.oracle, jobMinutes: () => 10 });
      const first = sim.queue({ workflow: gameday, event: dispatch({ dry_run: false }), label: 'gameday' });
      sim.runUntilIdle();
      const before = world.calls.length;
      world.rerunBy = 'mallory';
      const again = sim.rerunFailedJobs(first, { at });
      sim.runUntilIdle();

      expect(first.conclusion).toBe('failure');
      expect(again.conclusion).toBe('failure');
      // validate and approve keep their results and outputs from attempt 1
      expect(again.jobs.get('approve')?.attempt).toBe(1);
      const rerun = world.calls.slice(before);
      expect(rerun.map((call) => [call.phase, call.exitCode])).toEqual([
        [failing === 'preflight' ? 'preflight' : 'await-return', 2],
        ['clean-up', 0],
      ]);
      expect(rerun[0]?.summary).toContain('run attempt 2: shop-dev-gameday was approved in attempt 1, not in this one');
      expect(rerun[0]?.summary).toContain('dispatch gameday.yml again');
      // no summary, before or after, advises a re-run
      for (const call of world.calls) expect(call.summary ?? '').not.toMatch(/or re-run the failed jobs/);
    },
  );

  test('GIVEN a failed preflight THEN its summary says to dispatch a new game day, not to resume at preflight (review 16d G7)', () => {
    const world = new GameDayWorld({ preflight: { status: 'failed', summary: 'preflight could not read the record' } });
    simulate(world, { dry_run: false });
    const preflight = world.calls.find((call) => call.phase === 'preflight' && !call.validateOnly)!;
    expect(preflight.summary).toContain('dispatch gameday.yml again for a new game day (no game_day_id)');
    expect(preflight.summary).not.toContain('resume_at preflight');
  });

  test('GIVEN a dispatch that resumes a game day at await-return THEN it runs from await-return on, on that game day', () => {
    const world = new GameDayWorld();
    const id = 'gd-20261207T013000Z-k3p9';
    const run = simulate(world, { dry_run: false, game_day_id: id, resume_at: 'await-return' });

    expect(run.conclusion).toBe('success');
    expect(run.jobs.get('validate')?.outputs['game_day_id']).toBe(id);
    expect(['preflight', 'inject', 'failover'].map((job) => result(run, job))).toEqual([
      'skipped',
      'skipped',
      'skipped',
    ]);
    expect(world.phases).toEqual(['await-return', 'recover', 'score', 'clean-up']);
    for (const call of world.calls.filter((c) => !c.validateOnly)) expect(call.inputs?.gameDayId).toBe(id);
  });

  test('GIVEN a dispatch that resumes at inject THEN start-traffic is skipped and inject runs in the same job', () => {
    const world = new GameDayWorld();
    simulate(world, { dry_run: false, game_day_id: 'gd-20261207T013000Z-k3p9', resume_at: 'inject' });
    expect(world.phases).toEqual(['inject', 'failover', 'await-return', 'recover', 'score', 'clean-up']);
  });

  test('GIVEN a resume left as a dry run THEN the validation refuses it: a dry run only checks a new game day', () => {
    const world = new GameDayWorld();
    const run = simulate(world, { game_day_id: 'gd-20261207T013000Z-k3p9', resume_at: 'recover' });
    expect(result(run, 'validate')).toBe('failure');
    expect(world.calls[0]?.problem).toContain('dry_run: "true" with game_day_id');
    expect(world.phases).toEqual([]);
  });
});
