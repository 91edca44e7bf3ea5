import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { failover, switchover } from '../../../runbooks/orchestrations';
import { automationDocument, LAMBDA_WORK_SECONDS } from '../../../runbooks/ssm/automation-document';
import { parseTopology, type Topology } from '../../../runbooks/topology';
import { runbookTargets } from './runbook-functions';

const topology: Topology = (() => {
  const t = demoTopology('us-east-1', 'us-west-2');
  return {
    ...t,
    routing: {
      ...t.routing,
      mode: 'region-switch',
      regionSwitch: { planParameterName: '/shop/dev/region-switch-plan', timeoutMinutes: 60 },
    },
  };
})();

// On AWS the runbook runs as SSM Automation: each invocation of the step works LAMBDA_WORK_SECONDS (270 s) and the
// step's aws:loop allows MaxIterations invocations. routing.regionSwitch.timeoutMinutes (default 60) says how long the
// plan's execution may be followed.
test.each([failover, switchover].map((o) => [o.name, o] as const))(
  'GIVEN routing mode region-switch with timeoutMinutes 60 WHEN %s is synthesized as an SSM document THEN the plan step may follow the execution for 60 minutes',
  (_name, orchestration) => {
    const doc = automationDocument(orchestration as never, topology, runbookTargets('us-west-2'));
    const loop = doc.mainSteps.find((s) => s.name === 'run_region_switch_plan') as unknown as {
      inputs: { MaxIterations: number };
    };
    expect(loop).toBeDefined();
    // It had 3 (ACTION_INVOCATIONS): 3 x 270 s = 13.5 min, then the automation failed while the plan still ran (review M1).
    expect(loop.inputs.MaxIterations * LAMBDA_WORK_SECONDS).toBeGreaterThanOrEqual(60 * 60);
  },
);

test('GIVEN a plan timeout over 6 hours THEN the topology refuses it, naming the field and what is accepted', () => {
  expect(() =>
    parseTopology(
      { ...topology, routing: { ...topology.routing, regionSwitch: { planParameterName: '/p', timeoutMinutes: 361 } } },
      'test',
    ),
  ).toThrow(/routing\.regionSwitch\.timeoutMinutes: .*360/);
});
