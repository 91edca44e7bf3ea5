// Issue 18, review M2: a running execution is followed only when it is the same move in the same mode.
import {
  RegionSwitchExecutions,
  type RegionSwitchRunRequest,
} from '../../../../runbooks/adapters/aws/region-switch-executions';
import { ManualClock } from '../../../../runbooks/adapters/local/manual-clock';
import { AwsModel } from '../../aws-model/aws-model';
import { QUICK_RETRY } from './sdk-calls';

const PLAN = 'arn:aws:arc-region-switch::111122223333:plan/shop-dev:abc123';
const EAST = 'us-east-1';
const WEST = 'us-west-2';

function setup() {
  const clock = new ManualClock('2026-12-07T10:00:00.000Z');
  const model = new AwsModel({ clock });
  model.regionSwitch.addPlan({
    arn: PLAN,
    regions: [EAST, WEST],
    workflows: [
      {
        action: 'activate',
        steps: [
          { name: 'scale-ecs', seconds: 60 },
          // a graceful switchover that waits on an impaired primary Region
          { name: 'aurora-global', seconds: 3600 },
          { name: 'route53-health-checks', seconds: 30 },
        ],
      },
    ],
  });
  const executions = new RegionSwitchExecutions({
    planArn: PLAN,
    planRegions: [EAST, WEST],
    clock,
    apiFor: (region) => model.regionSwitchApi(region),
    pollIntervalSeconds: 15,
    retry: QUICK_RETRY,
  });
  return { clock, model, executions };
}

const move = (overrides: Partial<RegionSwitchRunRequest> = {}): RegionSwitchRunRequest => ({
  targetRegion: WEST,
  action: 'activate',
  kind: 'planned',
  comment: 'move',
  timeoutSeconds: 1800,
  ...overrides,
});

describe('adoption of a running execution', () => {
  test('GIVEN a graceful activate of us-west-2 running WHEN an unplanned failover (ungraceful) to us-west-2 starts THEN it does not silently follow the graceful execution', async () => {
    const { executions } = setup();
    const planned = await executions.start(move({ kind: 'planned', clientToken: 'switchover-1' }));
    expect(planned.adopted).toBe(false);
    // The primary Region fails while the graceful switchover waits: on-call runs failover (ungraceful).
    const unplanned = executions.start(move({ kind: 'unplanned', clientToken: 'failover-1' }));
    // It followed the GRACEFUL execution, which waits on the dead primary (review M2).
    await expect(unplanned).rejects.toThrow(/graceful/);
  });

  test('GIVEN an ungraceful activate of us-west-2 running (a failover: data loss allowed) WHEN a switchover (planned, RPO 0) to us-west-2 starts THEN it is refused, not adopted', async () => {
    const { executions } = setup();
    await executions.start(move({ kind: 'unplanned', clientToken: 'failover-1' }));
    // It was adopted, and the switchover then recorded rpoSeconds 0 for a move with data loss (review M2).
    await expect(executions.start(move({ kind: 'planned', clientToken: 'switchover-1' }))).rejects.toThrow(
      /ungraceful/,
    );
  });
});
