import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readFailoverInputs } from '../../../.github/actions/failover/failover-inputs';
import {
  COMMIT,
  jobMinutes,
  loadPipeline,
  PipelineWorld,
  PRIMARY,
  ranSteps,
  STANDBY,
  WORKFLOW_DIR,
} from './pipeline-world';
import type { Workflow } from './workflow-model';
import { type RunRecord, WorkflowSimulator } from './workflow-run-simulator';

// Issue 15 (review F2): failover.yml offers `recover` — restore the old primary's snapshot, reconcile, store the
// missing-transaction report — and hands it to the failover CLI like any other runbook action.

let deploy: Workflow;
let failover: Workflow;

const dispatch = (action: string, region: string, dryRun: boolean) => ({
  name: 'workflow_dispatch',
  sha: COMMIT.release,
  ref: 'refs/heads/main',
  inputs: { action, region, dry_run: dryRun, reason: 'INC-42: report what us-east-1 lost' },
});
const push = (sha: string) => ({ name: 'push', sha, ref: 'refs/heads/main' });

/** The failover CLI's steps that ran: the validation, then the one that starts and follows the automation. */
const cliSteps = (run: RunRecord) => ranSteps(run).filter((step) => step.env['INPUT_ACTION'] !== undefined);

/** `core.getInput` over a step's evaluated env, as the CLI reads it (`INPUT_<NAME>`, trimmed). */
const inputsOf = (env: Readonly<Record<string, string>>) => (name: string) =>
  (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

beforeAll(async () => {
  ({ deploy, failover } = await loadPipeline());
});

describe('failover.yml: the recover action', () => {
  test('GIVEN the dispatch form THEN recover is one of the actions offered', () => {
    const yaml = parse(readFileSync(join(WORKFLOW_DIR, 'failover.yml'), 'utf8')) as {
      on: { workflow_dispatch: { inputs: { action: { options: string[] } } } };
    };
    expect(yaml.on.workflow_dispatch.inputs.action.options).toContain('recover');
  });

  test('GIVEN recover dispatched to us-west-2, not a dry run THEN the inputs pass the CLI validation before the role is assumed, and the runbook step asks for recover in us-west-2', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
    const run = sim.queue({ workflow: failover, event: dispatch('recover', STANDBY, false), label: 'recover' });
    sim.runUntilIdle();

    expect(run.conclusion).toBe('success');
    const [validate, runbook] = cliSteps(run);
    expect(validate?.env['INPUT_VALIDATE_ONLY']).toBe('true');
    const names = ranSteps(run).map((step) => step.name);
    expect(names.indexOf(String(validate?.name))).toBeLessThan(
      names.findIndex((name) => /Authenticate/.test(String(name))),
    );
    // The real CLI validation accepts what the workflow passes.
    for (const step of [validate!, runbook!]) {
      expect(readFailoverInputs(inputsOf(step.env))).toMatchObject({
        action: 'recover',
        region: STANDBY,
        primaryRegion: PRIMARY,
        standbyRegion: STANDBY,
        dryRun: false,
        reason: 'INC-42: report what us-east-1 lost',
      });
    }
    expect(runbook?.env['INPUT_VALIDATE_ONLY']).toBeUndefined();
    expect(world.automations.map((a) => [a.run, a.action, a.target, a.dryRun])).toEqual([
      ['recover', 'recover', STANDBY, 'false'],
    ]);
  });

  test('GIVEN recover dispatched with failover_at THEN the CLI reads it, in UTC, and a failover dispatched with it is refused before the role is assumed', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
    const withTime = (action: string) => {
      const event = dispatch(action, STANDBY, false);
      return { ...event, inputs: { ...event.inputs, failover_at: '2026-01-27T11:15:00+01:00' } };
    };
    const run = sim.queue({ workflow: failover, event: withTime('recover'), label: 'recover' });
    const wrong = sim.queue({ workflow: failover, event: withTime('failover'), at: 30, label: 'failover' });
    sim.runUntilIdle();

    const [validate] = cliSteps(run);
    expect(readFailoverInputs(inputsOf(validate!.env)).failoverAt).toBe('2026-01-27T10:15:00.000Z');
    const [wrongValidate] = cliSteps(wrong);
    expect(() => readFailoverInputs(inputsOf(wrongValidate!.env))).toThrow(/failover_at: only recover takes it/);
  });

  test('GIVEN recover running WHEN a deploy is pushed THEN no freeze stops it (recover moves neither traffic nor writers)', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
    sim.queue({ workflow: failover, event: dispatch('recover', STANDBY, false), at: 0, label: 'recover' });
    const release = sim.queue({ workflow: deploy, event: push(COMMIT.release), at: 1, label: 'deploy' });
    sim.runUntilIdle();

    expect(world.freezeWrittenAt).toBeUndefined();
    expect(release.conclusion).toBe('success');
  });

  test('GIVEN a failback running WHEN recover is dispatched THEN it is refused: two runbooks never run at once', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
    sim.queue({ workflow: failover, event: dispatch('failback', PRIMARY, false), at: 0, label: 'failback' });
    const recover = sim.queue({
      workflow: failover,
      event: dispatch('recover', STANDBY, false),
      at: 1,
      label: 'recover',
    });
    sim.runUntilIdle();

    expect(recover.conclusion).toBe('failure');
    expect(world.refused).toEqual(['recover']);
  });
});
