import { createAwsPorts } from '../../../runbooks/adapters/aws/aws-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { failover } from '../../../runbooks/orchestrations';
import { automationDocument } from '../../../runbooks/ssm/automation-document';
import { AwsModel } from '../aws-model/aws-model';
import { type ShopFixture, seedShop } from '../aws-model/shop-seed';
import { withFakeTimers } from '../aws-scenarios/jest-timers';
import { type ExecutionResult, executeAutomation } from './automation-interpreter';
import { type Invocation, runbookFunctions, runbookTargets } from './runbook-functions';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

describe('SSM Automation interpreter: the failover document on the AWS model, with the real AWS adapters', () => {
  let clock: ManualClock;
  let model: AwsModel;
  let shop: ShopFixture;

  beforeEach(() => {
    clock = new ManualClock('2026-01-27T10:00:00.000Z');
    model = new AwsModel({ clock });
    shop = seedShop(model);
    model.install();
  });
  afterEach(() => model.restore());

  /** Runs the failover document in `region` as SSM would, the Lambda handler on createAwsPorts. */
  async function runFailoverDocument(region: string): Promise<{ result: ExecutionResult; invocations: Invocation[] }> {
    const topology = shop.topology(region);
    const ports = createAwsPorts({ topology, clock, region, bucket: shop.buckets[region]! });
    const invocations: Invocation[] = [];
    const result = await withFakeTimers(() =>
      executeAutomation({
        document: automationDocument(failover, topology, runbookTargets(region)),
        parameters: { TargetRegion: region, Reason: 'us-east-1 is down', DryRun: 'false' },
        executionId: 'b7e1c2d3-0000-4000-8000-000000000011',
        clock,
        functions: runbookFunctions({ region, topology, clock, ports, invocations }),
      }),
    );
    return { result, invocations };
  }

  test('with us-east-1 down, the failover document run in us-west-2 moves the writers and the traffic there, without the ARC control plane', async () => {
    // GIVEN us-east-1 (the writers' Region) is down, and so is the ARC control plane
    model.regionDown(EAST);
    model.controlPlaneDown();
    const marker = model.calls.mark();
    // WHEN the failover document runs in us-west-2
    const { result, invocations } = await runFailoverDocument(WEST);
    // THEN it succeeded through every step, and the model ends with the writers and the traffic in us-west-2
    expect(result.status).toBe('Success');
    expect([...new Set(invocations.map((i) => i.event.step))]).toEqual(
      failover.steps(shop.topology(WEST)).map((s) => s.name),
    );
    model.settle();
    expect(Object.values(shop.writers())).toEqual([WEST, WEST]);
    expect(shop.routing()).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
    const calls = model.calls.since(marker);
    expect(model.calls.controlPlaneCalls(calls)).toEqual([]);
    expect(
      calls.filter((c) => c.operation === 'FailoverGlobalCluster' && c.outcome === 'ok').map((c) => c.region),
    ).toEqual([WEST, WEST]);
    // and the report link the failover workflow reads is the S3 folder of this execution
    const payload = JSON.parse(result.outputs['store_summary_invoke.Payload'] as string);
    expect(payload.ReportUrl).toBe(`s3://${shop.buckets[WEST]}/runs/failover/b7e1c2d3-0000-4000-8000-000000000011/`);
    expect(result.unverified).toEqual(['integer-variable-in-string-map', 'nested-output-read-after-loop']);
  });
});
