import { InputError } from '../../../.github/actions/cli-support/action-inputs';
import { readFailoverInputs } from '../../../.github/actions/failover/failover-inputs';
import { COMMIT, jobMinutes, loadPipeline, PipelineWorld, PRIMARY, ranSteps, STANDBY } from './pipeline-world';
import type { Workflow } from './workflow-model';
import { type RunRecord, type StepOracle, WorkflowSimulator } from './workflow-run-simulator';

// Issue 17, failback readiness: a failback refuses while the returning Region is not ready, unless the input
// `overrides` waives a condition (runbooks/README.md, "Failback readiness"). failover.yml offers it as a dispatch
// input; the failover CLI validates it in the step that runs before the role is assumed (here its own code answers
// that step) and passes it to the failback document as `Overrides` (test/pipeline/failover-dispatch.test.ts).

let failover: Workflow;

const dispatch = (action: string, region: string, overrides?: string) => ({
  name: 'workflow_dispatch',
  sha: COMMIT.release,
  ref: 'refs/heads/main',
  inputs: {
    action,
    region,
    dry_run: false,
    reason: 'INC-77: us-east-1 is back, canary alarm flapping',
    ...(overrides === undefined ? {} : { overrides }),
  },
});

/** `core.getInput` over a step's evaluated env, as the CLI reads it (`INPUT_<NAME>`, trimmed). */
const inputsOf = (env: Readonly<Record<string, string>>) => (name: string) =>
  (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();

/** The failover CLI's steps that ran: the validation, then the one that starts and follows the automation. */
const cliSteps = (run: RunRecord) => ranSteps(run).filter((step) => step.env['INPUT_ACTION'] !== undefined);

/** Whether a step of the run assumed the AWS role (configure-aws-credentials). */
const assumedRole = (run: RunRecord) =>
  ranSteps(run).some((step) => /configure-aws-credentials/.test(String(step.uses ?? '')));

/** The world's oracle, except that the validation step is the CLI's own input validation (exit 2 on an InputError). */
function simulator(world: PipelineWorld) {
  const oracle: StepOracle = (call) => {
    if (call.env['INPUT_VALIDATE_ONLY'] === 'true') {
      try {
        readFailoverInputs(inputsOf(call.env));
        return 'success';
      } catch (error) {
        if (error instanceof InputError) return 'failure';
        throw error;
      }
    }
    return world.oracle(call);
  };
  return new WorkflowSimulator({ oracle, onQueue: world.onQueue, jobMinutes });
}

beforeAll(async () => {
  ({ failover } = await loadPipeline());
});

describe('failover.yml: failback overrides (issue 17)', () => {
  test('GIVEN a failback dispatched with overrides THEN the validation accepts them and the runbook step hands them to the CLI', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    const run = sim.queue({
      workflow: failover,
      event: dispatch('failback', PRIMARY, 'canaries-green, healthy-long-enough'),
      label: 'failback',
    });
    sim.runUntilIdle();

    expect(run.conclusion).toBe('success');
    const [validate, runbook] = cliSteps(run);
    expect(validate?.env['INPUT_VALIDATE_ONLY']).toBe('true');
    expect(runbook?.env['INPUT_OVERRIDES']).toBe('canaries-green, healthy-long-enough');
    expect(readFailoverInputs(inputsOf(runbook!.env)).overrides).toEqual(['canaries-green', 'healthy-long-enough']);
    expect(world.automations.map((a) => [a.action, a.target])).toEqual([['failback', PRIMARY]]);
  });

  test('GIVEN a failback dispatched without overrides THEN the CLI gets an empty value: every condition must hold', () => {
    const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
    const sim = simulator(world);
    const run = sim.queue({ workflow: failover, event: dispatch('failback', PRIMARY), label: 'failback' });
    sim.runUntilIdle();

    expect(run.conclusion).toBe('success');
    const [, runbook] = cliSteps(run);
    expect(runbook?.env['INPUT_OVERRIDES']).toBe('');
    expect(readFailoverInputs(inputsOf(runbook!.env)).overrides).toBeUndefined();
  });

  test.each([
    ['a failover with overrides', 'failover', STANDBY, 'all'],
    ['a failback with an override that does not exist', 'failback', PRIMARY, 'replication-caught-up'],
  ])(
    'GIVEN %s THEN the run fails at the validation, before the role is assumed, and starts no automation',
    (_, action, region, overrides) => {
      const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
      const sim = simulator(world);
      const run = sim.queue({ workflow: failover, event: dispatch(action, region, overrides), label: action });
      sim.runUntilIdle();

      expect(run.conclusion).toBe('failure');
      const ran = cliSteps(run);
      expect(ran.map((step) => [step.env['INPUT_VALIDATE_ONLY'], step.outcome])).toEqual([['true', 'failure']]);
      expect(() => readFailoverInputs(inputsOf(ran[0]!.env))).toThrow(/overrides: /);
      expect(assumedRole(run)).toBe(false);
      expect(world.automations).toEqual([]);
      expect(world.freezeWrittenAt).toBeUndefined();
    },
  );
});
