import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { failover } from '../../../runbooks/orchestrations';
import type { Topology } from '../../../runbooks/topology';

const topology = (mode: 'arc-cluster' | 'region-switch'): Topology => {
  const t = demoTopology('us-east-1', 'us-west-2');
  return mode === 'arc-cluster'
    ? t
    : {
        ...t,
        routing: {
          ...t.routing,
          mode,
          regionSwitch: { planParameterName: '/shop/dev/region-switch-plan', timeoutMinutes: 60 },
        },
      };
};

// runbooks/README "Order decisions": "failover moves traffic first: the failed Region may be half alive and still taking
// writes that will be lost"; "failover fences the failed Region ... right after traffic moves", before the writers move.
test.each(['arc-cluster', 'region-switch'] as const)(
  'GIVEN routing mode %s WHEN failover runs THEN the failed Region is fenced before its writers are failed over',
  (mode) => {
    const names = failover.steps(topology(mode)).map((s) => s.name);
    const fence = names.indexOf('fence-failed-region');
    // the first step that fails a writer over: failover-<db>-database (arc-cluster) or the plan (region-switch)
    const writersMove = names.findIndex((n) => n.startsWith('failover-') || n === 'run-region-switch-plan');
    expect(fence).toBeGreaterThanOrEqual(0);
    expect(fence).toBeLessThan(writersMove); // region-switch: it came after the plan (review M7)
  },
);
