import { loadConfig, type RoutingMode } from '../../../config';
import { failoverWorkflow } from '../../../pipeline/failover-workflow';
import { COMMIT, jobMinutes, PipelineWorld, PRIMARY, STANDBY } from './pipeline-world';
import { parseWorkflowText } from './workflow-model';
import { WorkflowSimulator } from './workflow-run-simulator';

// Issue 18: failover.yml in both routing modes. The workflow generated from each mode's configuration is simulated:
// the same dispatches start the same runbook automations (what those runbooks do in each mode is shown by
// test/pipeline/failover-dispatch.test.ts and the runbooks' own tests).

const dispatch = (action: string, region: string) => ({
  name: 'workflow_dispatch',
  sha: COMMIT.release,
  ref: 'refs/heads/main',
  inputs: { action, region, dry_run: false, reason: 'INC-18: us-east-1 is failing' },
});

const MODES: readonly RoutingMode[] = ['arc-cluster', 'region-switch'];

describe('failover.yml in both routing modes (issue 18)', () => {
  test('THEN the workflow generated from each mode is the same text', () => {
    const [arc, regionSwitch] = MODES.map((routingMode) => failoverWorkflow({ ...loadConfig(), routingMode }).toYaml());
    expect(regionSwitch).toBe(arc);
  });

  test.each(MODES)(
    'GIVEN routing mode %s WHEN a failover to the standby, then a failback to the primary, are dispatched THEN each run succeeds and starts its runbook automation in its Region once',
    async (routingMode) => {
      const workflow = await parseWorkflowText(
        'failover.yml',
        failoverWorkflow({ ...loadConfig(), routingMode }).toYaml(),
      );
      const world = new PipelineWorld({ knownGood: COMMIT.knownGood });
      const sim = new WorkflowSimulator({ oracle: world.oracle, onQueue: world.onQueue, jobMinutes });
      const over = sim.queue({ workflow, event: dispatch('failover', STANDBY), label: 'failover' });
      sim.runUntilIdle();
      const back = sim.queue({ workflow, event: dispatch('failback', PRIMARY), label: 'failback' });
      sim.runUntilIdle();

      expect([over.conclusion, back.conclusion]).toEqual(['success', 'success']);
      expect(world.automations.map((a) => [a.action, a.target])).toEqual([
        ['failover', STANDBY],
        ['failback', PRIMARY],
      ]);
    },
  );
});
