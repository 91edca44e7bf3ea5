import { join } from 'node:path';
import { renderText } from '../../../.github/actions/cli-support/job-summary';
import { readReadinessInputs } from '../../../.github/actions/readiness/readiness-inputs';
import { ISSUE_MARKER, READINESS_ISSUE_LABEL } from '../../../.github/actions/readiness/readiness-issue';
import type { LatestReadiness } from '../../../.github/actions/readiness/readiness-reader';
import { type ReadinessRunResult, runReadiness } from '../../../.github/actions/readiness/readiness-run';
import { FakeIssues, found, readinessRecord } from '../readiness-fixtures';
import { COMMIT, PRIMARY, STANDBY, WORKFLOW_DIR } from './pipeline-world';
import { loadWorkflow, type Workflow } from './workflow-model';
import {
  type JobPlan,
  type RunEvent,
  type RunRecord,
  type StepCall,
  type StepOracle,
  simulateRun,
  WorkflowSimulator,
} from './workflow-run-simulator';

// Issue 17: readiness.yml, generated and committed, run by GitHub's parser and the workflow simulator. The CLI steps
// are answered by the CLI's own code (readReadinessInputs, runReadiness) over a world of readiness records and an
// in-memory issue tracker, so what a run opens, updates or closes, and how it ends, is the CLI's, not the test's.

const CLI = 'node .github/actions/dist/readiness.cjs';
/** Simulated minute 0. */
const START = new Date('2026-12-07T08:00:00Z');
const at = (minute: number) => new Date(START.getTime() + minute * 60_000);

/** `core.getInput` over a step's evaluated env, as the CLI reads it (`INPUT_<NAME>`, trimmed). */
const inputsOf = (env: Readonly<Record<string, string>>) => (name: string) =>
  (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

const isCli = (call: Pick<StepCall, 'step'>) => call.step.run === CLI;
const isJudge = (call: Pick<StepCall, 'step' | 'env'>) => isCli(call) && call.env['INPUT_VALIDATE_ONLY'] !== 'true';

/**
 * GitHub docs, "Events that trigger workflows" › schedule: a scheduled run has no `inputs` ("The inputs context …
 * is only available in a workflow triggered by workflow_dispatch", Contexts › inputs); the simulator fills every
 * dispatch input with its default, so a scheduled run is given them empty.
 */
const SCHEDULE: RunEvent = { name: 'schedule', sha: COMMIT.release, inputs: { max_age_minutes: '' } };
const dispatch = (inputs: Record<string, string>): RunEvent => ({
  name: 'workflow_dispatch',
  sha: COMMIT.release,
  inputs,
});

/** The AWS side: each Region's latest record as the reader would return it (undefined: never written). */
class ReadinessWorld {
  readonly latest = new Map<string, LatestReadiness>();
  readonly issues = new FakeIssues();
  /** Every judge step: what it was given and what the CLI's code made of it. */
  readonly judged: {
    readonly minute: number;
    readonly env: Record<string, string>;
    readonly result: ReadinessRunResult;
  }[] = [];

  /** The scheduled readiness in `region` wrote a record finished at `minute` with these check verdicts. */
  wrote(region: string, minute: number, verdicts: Record<string, 'GREEN' | 'RED' | 'INCONCLUSIVE'> = {}): void {
    const checks = Object.entries({ 'image-parity': 'GREEN', 'capacity-headroom': 'GREEN', ...verdicts } as const).map(
      ([name, verdict]) => ({ name, verdict }),
    );
    const other = region === PRIMARY ? STANDBY : PRIMARY;
    this.latest.set(region, found(readinessRecord(region, other, at(minute), checks)));
  }

  read = async (region: string): Promise<LatestReadiness> =>
    this.latest.get(region) ?? {
      kind: 'missing',
      region,
      detail: `s3://shop-dev-${region}-runbooks-reportsbucket-abc/readiness/latest.json does not exist (the scheduled readiness never wrote it)`,
    };

  /** The validation step, answered by the CLI's own input reader (exit 2 on invalid inputs). */
  validate: StepOracle = (call) => {
    if (!isCli(call) || isJudge(call)) return undefined;
    try {
      readReadinessInputs(inputsOf(call.env));
      return 'success';
    } catch {
      return 'failure';
    }
  };

  /**
   * One run of readiness.yml at `minute`. The simulator's oracle is synchronous and the CLI is not, so the run is
   * simulated twice: once to learn what the judge step is given (its env, evaluated), then the CLI's code runs on
   * it (the only time the issue tracker is touched), then the same run again with the judge step ending as the CLI
   * ended (exit 0 success, else failure) with its `verdict` output. The simulation is deterministic: both passes
   * give the judge step the same env (asserted).
   */
  async run(minute: number, event: RunEvent, plan: Record<string, JobPlan> = {}): Promise<RunRecord> {
    const workflow = await readinessWorkflow();
    let given: Record<string, string> | undefined;
    simulateRun(
      { workflow, event, plan, at: minute },
      {
        oracle: (call) => {
          if (!isJudge(call)) return this.validate(call);
          given = { ...call.env };
          return 'success';
        },
      },
    );
    let result: ReadinessRunResult | undefined;
    if (given) {
      result = await runReadiness(readReadinessInputs(inputsOf(given)), {
        read: this.read,
        tracker: this.issues,
        now: at(minute),
        runUrl: `https://github.com/octo/multi-region-shop/actions/runs/${minute}`,
      });
      this.judged.push({ minute, env: given, result });
    }
    return simulateRun(
      { workflow, event, plan, at: minute },
      {
        oracle: (call) => {
          if (!isJudge(call)) return this.validate(call);
          expect(call.env).toEqual(given);
          return {
            outcome: result!.exitCode === 0 ? 'success' : 'failure',
            outputs: { verdict: result!.verdict },
          };
        },
      },
    );
  }

  /** The open issues labelled readiness that readiness.yml owns. */
  get openIssues() {
    return this.issues.open.filter(
      (issue) => issue.labels.includes(READINESS_ISSUE_LABEL) && issue.body.includes(ISSUE_MARKER),
    );
  }
}

let loaded: Promise<Workflow> | undefined;
/** The committed readiness.yml (WORKFLOW_SIM_DIR may point at another copy), parsed by GitHub's parser. */
function readinessWorkflow(): Promise<Workflow> {
  loaded ??= loadWorkflow(join(WORKFLOW_DIR, 'readiness.yml'));
  return loaded;
}

const stepsOf = (run: RunRecord) => run.jobs.get('readiness')!.steps;
const stepOutcomes = (run: RunRecord) => stepsOf(run).map((step) => [step.id, step.outcome]);

describe('readiness.yml as GitHub would run it (issue 17)', () => {
  test('GIVEN GitHub’s parser WHEN it reads readiness.yml THEN it runs on schedule and dispatch, one job in its Environment', async () => {
    const workflow = await readinessWorkflow();
    expect([...workflow.on].sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.dispatchInputs).toEqual({ max_age_minutes: { type: 'string', default: '60' } });
    expect([...workflow.jobs.keys()]).toEqual(['readiness']);
    expect(workflow.jobs.get('readiness')!.environment).toBe('shop-dev-readiness');
  });

  test('GIVEN a day of scheduled runs WHEN a Region turns RED, then INCONCLUSIVE, then its record goes stale, then both are GREEN THEN one issue is opened, kept up to date, commented on each change, and closed once green', async () => {
    const world = new ReadinessWorld();
    const runs: { minute: number; run: RunRecord }[] = [];
    const tick = async (minute: number) => runs.push({ minute, run: await world.run(minute, SCHEDULE) });

    // GIVEN both Regions GREEN, a minute old
    world.wrote(PRIMARY, -1);
    world.wrote(STANDBY, -1);
    await tick(0);
    // WHEN us-west-2's capacity-headroom turns RED
    world.wrote(PRIMARY, 29);
    world.wrote(STANDBY, 29, { 'capacity-headroom': 'RED' });
    await tick(30);
    // AND stays RED at the next run
    world.wrote(PRIMARY, 59);
    world.wrote(STANDBY, 59, { 'capacity-headroom': 'RED' });
    await tick(60);
    // AND then cannot decide (INCONCLUSIVE)
    world.wrote(PRIMARY, 89);
    world.wrote(STANDBY, 89, { 'capacity-headroom': 'INCONCLUSIVE' });
    await tick(90);
    // AND us-east-1's scheduled readiness stops writing (its last record finished at minute 89) while us-west-2 is
    // GREEN again: at minute 150 the record is 61 minutes old, more than twice the 30-minute schedule
    world.wrote(STANDBY, 119);
    await tick(120);
    world.wrote(STANDBY, 149);
    await tick(150);
    // AND us-east-1 writes again: both GREEN
    world.wrote(PRIMARY, 179);
    world.wrote(STANDBY, 179);
    await tick(180);
    await tick(210);

    // THEN each run ends as the CLI judged: failure while not green, so the Actions list shows it too
    expect(runs.map(({ minute, run }) => [minute, run.conclusion])).toEqual([
      [0, 'success'],
      [30, 'failure'],
      [60, 'failure'],
      [90, 'failure'],
      [120, 'success'],
      [150, 'failure'],
      [180, 'success'],
      [210, 'success'],
    ]);
    expect(world.judged.map(({ minute, result }) => [minute, result.judgement.regions.map((r) => r.status)])).toEqual([
      [0, ['GREEN', 'GREEN']],
      [30, ['GREEN', 'RED']],
      [60, ['GREEN', 'RED']],
      [90, ['GREEN', 'INCONCLUSIVE']],
      [120, ['GREEN', 'GREEN']],
      [150, ['STALE', 'GREEN']],
      [180, ['GREEN', 'GREEN']],
      [210, ['GREEN', 'GREEN']],
    ]);
    // AND the issues: opened at 30, refreshed at 60 (same state: no comment), commented at 90 (changed), closed at
    // 120, a new one at 150 (stale), closed at 180; never two open at once; nothing at 0 and 210
    expect(world.judged.map(({ minute, result }) => [minute, result.issue.kind])).toEqual([
      [0, 'none'],
      [30, 'opened'],
      [60, 'updated'],
      [90, 'updated'],
      [120, 'closed'],
      [150, 'opened'],
      [180, 'closed'],
      [210, 'none'],
    ]);
    expect(world.issues.calls).toEqual([
      `list ${READINESS_ISSUE_LABEL}`,
      `list ${READINESS_ISSUE_LABEL}`,
      'create #1',
      `list ${READINESS_ISSUE_LABEL}`,
      'update #1',
      `list ${READINESS_ISSUE_LABEL}`,
      'update #1',
      'comment #1',
      `list ${READINESS_ISSUE_LABEL}`,
      'comment #1',
      'update #1 closed',
      `list ${READINESS_ISSUE_LABEL}`,
      'create #2',
      `list ${READINESS_ISSUE_LABEL}`,
      'comment #2',
      'update #2 closed',
      `list ${READINESS_ISSUE_LABEL}`,
    ]);
    expect(world.openIssues).toEqual([]);
    const [first, second] = world.issues.issues;
    expect(first!.labels).toEqual(['readiness']);
    expect(first!.body).toContain('capacity-headroom');
    expect(first!.body).toContain('INCONCLUSIVE');
    expect(first!.comments.at(-1)).toMatch(/^Green again at 2026-12-07T10:00:00Z/);
    // (the issue's cells are inert Markdown: punctuation backslash-escaped, markdownText)
    expect(second!.body).toContain(
      '| us\\-east\\-1 | STALE | the latest record \\(GREEN\\) finished 1h01m00s ago, more than 60 minutes',
    );
  });

  test('GIVEN a scheduled run (no inputs) THEN the stale limit is twice the schedule; GIVEN a dispatch THEN its max_age_minutes', async () => {
    const world = new ReadinessWorld();
    world.wrote(PRIMARY, -20);
    world.wrote(STANDBY, -20);

    const scheduled = await world.run(0, SCHEDULE);
    const tight = await world.run(0, dispatch({ max_age_minutes: '15' }));
    const defaulted = await world.run(0, dispatch({}));

    expect(world.judged.map(({ env }) => env['INPUT_MAX_AGE_MINUTES'])).toEqual(['60', '15', '60']);
    expect([scheduled.conclusion, tight.conclusion, defaulted.conclusion]).toEqual(['success', 'failure', 'success']);
    expect(world.judged[1]!.result.judgement.regions.map((r) => r.status)).toEqual(['STALE', 'STALE']);
  });

  test.each([
    ['soon', 'max_age_minutes: "soon"'],
    ['2000', 'max_age_minutes: "2000"'],
  ])(
    'GIVEN a dispatch with max_age_minutes %s THEN the validation step fails before the role is assumed, and nothing is read or touched',
    async (value) => {
      const world = new ReadinessWorld();
      const run = await world.run(0, dispatch({ max_age_minutes: value }));

      expect(run.conclusion).toBe('failure');
      expect(stepOutcomes(run).slice(2)).toEqual([
        ['__run', 'failure'],
        ['credentials', 'skipped'],
        ['judge', 'skipped'],
      ]);
      expect(world.judged).toEqual([]);
      expect(world.issues.calls).toEqual([]);
      // AND the CLI's own reader says why, naming the input, the value and what is accepted
      expect(() => readReadinessInputs(inputsOf(stepsOf(run)[2]!.env))).toThrow(
        `max_age_minutes: ${JSON.stringify(value)}`,
      );
    },
  );

  test('GIVEN the readiness role cannot be assumed THEN the judge step still runs, told so, both Regions are UNREADABLE and the issue is opened', async () => {
    const world = new ReadinessWorld();
    world.wrote(PRIMARY, -1);
    world.wrote(STANDBY, -1);

    const run = await world.run(0, SCHEDULE, { readiness: { failAt: 'credentials' } });

    expect(stepOutcomes(run).slice(2)).toEqual([
      ['__run', 'success'],
      ['credentials', 'failure'],
      ['judge', 'failure'],
    ]);
    expect(run.conclusion).toBe('failure');
    expect(world.judged[0]!.env['INPUT_CREDENTIALS']).toBe('failure');
    expect(world.judged[0]!.result.judgement.regions.map((r) => [r.region, r.status])).toEqual([
      [PRIMARY, 'UNREADABLE'],
      [STANDBY, 'UNREADABLE'],
    ]);
    expect(world.openIssues).toHaveLength(1);
    expect(renderText(world.judged[0]!.result.summary)).toContain(
      "the job's AWS credentials step ended failure (the readiness role could not be assumed)",
    );
  });

  test('GIVEN a Region whose scheduled readiness never wrote a record THEN not green: MISSING, and the issue says so', async () => {
    const world = new ReadinessWorld();
    world.wrote(PRIMARY, -1);

    const run = await world.run(0, SCHEDULE);

    expect(run.conclusion).toBe('failure');
    expect(world.judged[0]!.result.judgement.regions.map((r) => r.status)).toEqual(['GREEN', 'MISSING']);
    expect(world.openIssues[0]!.body).toContain(
      '| us\\-west\\-2 | MISSING | no readiness record: s3://shop\\-dev\\-us\\-west\\-2\\-runbooks',
    );
  });

  test('GIVEN a scheduled run in progress WHEN a dispatch and a second schedule arrive THEN none is cancelled in progress: one runs, one waits, the one replaced is the older pending one', async () => {
    const workflow = await readinessWorkflow();
    const simulator = new WorkflowSimulator({ oracle: () => 'success', jobMinutes: () => 4 });
    const first = simulator.queue({ workflow, event: SCHEDULE, at: 0, label: 'schedule 0' });
    const dispatched = simulator.queue({ workflow, event: dispatch({}), at: 1, label: 'dispatch 1' });
    const second = simulator.queue({ workflow, event: SCHEDULE, at: 2, label: 'schedule 2' });
    simulator.runUntilIdle();

    // GitHub docs, "Control the concurrency of workflows and jobs": "there can be at most one running and one
    // pending job in a concurrency group at any time" and a new queued run replaces the pending one; with
    // cancel-in-progress false the running one finishes. Two runs never keep the issue at the same time.
    expect([first.conclusion, first.startedAt, first.endedAt]).toEqual(['success', 0, 4]);
    expect([dispatched.conclusion, dispatched.cancelledBy]).toEqual([
      'cancelled',
      'schedule 2 (replaced the pending run)',
    ]);
    expect([second.conclusion, second.startedAt]).toEqual(['success', 4]);
  });
});
