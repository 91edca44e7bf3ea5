import {
  GetRoutingControlStateCommand,
  ListRoutingControlsCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import {
  DescribeClusterCommand,
  ListClustersCommand,
  Route53RecoveryControlConfigClient,
} from '@aws-sdk/client-route53-recovery-control-config';
import { type ModelUnderTest, modelUnderTest } from './model-test-setup';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

let t: ModelUnderTest;
afterEach(() => t?.model.restore());

const dataPlane = (region: string) => {
  const endpoint = t.model.arc.endpoints.find((e) => e.region === region)!.endpoint;
  return new Route53RecoveryClusterClient({ region, endpoint, maxAttempts: 1 });
};
// The control-config client is pinned to an older SDK whose command types differ from the newer clients'.
const controlPlane = (region = WEST) =>
  new Route53RecoveryControlConfigClient({ region, maxAttempts: 1 }) as unknown as {
    send(c: unknown): Promise<unknown>;
  };

const shift = (region: string, on: string, off: string, overrides?: string[]) =>
  dataPlane(region).send(
    new UpdateRoutingControlStatesCommand({
      UpdateRoutingControlStateEntries: [
        { RoutingControlArn: t.shop.controlArns[on], RoutingControlState: 'On' },
        { RoutingControlArn: t.shop.controlArns[off], RoutingControlState: 'Off' },
      ],
      ...(overrides ? { SafetyRulesToOverride: overrides } : {}),
    }),
  );

describe('Route 53 ARC model', () => {
  test('GIVEN the five endpoints WHEN the control states are read and changed on any endpoint THEN every endpoint sees the change', async () => {
    t = modelUnderTest();
    expect(t.model.arc.endpoints.map((e) => e.region).sort()).toEqual([
      'ap-northeast-1',
      'ap-southeast-2',
      'eu-west-1',
      'us-east-1',
      'us-west-2',
    ]);
    await shift('eu-west-1', WEST, EAST);
    for (const e of t.model.arc.endpoints) {
      const answer = await dataPlane(e.region).send(
        new GetRoutingControlStateCommand({ RoutingControlArn: t.shop.controlArns[WEST] }),
      );
      expect(answer.RoutingControlState).toBe('On');
    }
    expect(t.shop.routing()).toEqual({ [EAST]: 'Off', [WEST]: 'On' });
  });

  test('an endpoint in an unreachable Region, or marked down, fails like a network timeout; the others answer', async () => {
    t = modelUnderTest();
    t.model.regionDown(EAST);
    t.model.arcEndpointDown('eu-west-1');
    const get = (region: string) =>
      dataPlane(region).send(new GetRoutingControlStateCommand({ RoutingControlArn: t.shop.controlArns[EAST] }));
    await expect(get(EAST)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect(get('eu-west-1')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect((await get('ap-southeast-2')).RoutingControlState).toBe('On');
    // A client not pointed at a cluster endpoint reaches nothing.
    await expect(
      new Route53RecoveryClusterClient({ region: WEST, maxAttempts: 1 }).send(
        new GetRoutingControlStateCommand({ RoutingControlArn: t.shop.controlArns[EAST] }),
      ),
    ).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  test('UpdateRoutingControlStates is all-or-nothing: turning both Off breaks the safety rule, changes nothing, and names the rule', async () => {
    t = modelUnderTest();
    const bothOff = dataPlane(WEST).send(
      new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: [
          { RoutingControlArn: t.shop.controlArns[EAST], RoutingControlState: 'Off' },
          { RoutingControlArn: t.shop.controlArns[WEST], RoutingControlState: 'Off' },
        ],
      }),
    );
    await expect(bothOff).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(t.shop.safetyRuleArn),
    });
    expect(t.shop.routing()).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    await expect(
      dataPlane(WEST).send(
        new UpdateRoutingControlStatesCommand({
          UpdateRoutingControlStateEntries: [
            { RoutingControlArn: t.shop.controlArns[EAST], RoutingControlState: 'Off' },
            { RoutingControlArn: `${t.shop.controlArns[EAST]}x`, RoutingControlState: 'On' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(t.shop.routing()).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
  });

  test('the safety-rule error code is an option (unverified): ConflictException', async () => {
    t = modelUnderTest({ behaviours: { safetyRuleError: 'ConflictException' } });
    const both = dataPlane(WEST).send(
      new UpdateRoutingControlStatesCommand({
        UpdateRoutingControlStateEntries: [{ RoutingControlArn: t.shop.controlArns[EAST], RoutingControlState: 'Off' }],
      }),
    );
    await expect(both).rejects.toMatchObject({ name: 'ConflictException' });
    await shift(WEST, WEST, EAST, [t.shop.safetyRuleArn]);
  });

  test('the data plane lists routing controls with names, ARNs and states (no control plane needed)', async () => {
    t = modelUnderTest();
    const answer = await dataPlane('ap-northeast-1').send(new ListRoutingControlsCommand({}));
    expect(
      answer.RoutingControls?.map((c) => [
        c.RoutingControlName,
        c.RoutingControlArn,
        c.RoutingControlState,
        c.ControlPanelName,
      ]),
    ).toEqual([
      ['shop-dev-us-east-1', t.shop.controlArns[EAST], 'On', 'shop-dev-control-panel'],
      ['shop-dev-us-west-2', t.shop.controlArns[WEST], 'Off', 'shop-dev-control-panel'],
    ]);
  });

  test('the control plane answers only in us-west-2, and not when it (or us-west-2) is down', async () => {
    t = modelUnderTest();
    const cluster = (await controlPlane().send(new DescribeClusterCommand({ ClusterArn: t.model.arc.clusterArn }))) as {
      Cluster: { ClusterEndpoints: unknown[] };
    };
    expect(cluster.Cluster.ClusterEndpoints).toHaveLength(5);
    await expect(controlPlane(EAST).send(new ListClustersCommand({}))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    t.model.controlPlaneDown();
    await expect(controlPlane().send(new ListClustersCommand({}))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    t.model.controlPlaneUp();
    t.model.regionDown(WEST);
    await expect(controlPlane().send(new ListClustersCommand({}))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(t.model.calls.controlPlaneCalls().map((c) => `${c.operation} ${c.outcome}`)).toEqual([
      'DescribeCluster ok',
      'ListClusters ETIMEDOUT',
      'ListClusters ETIMEDOUT',
      'ListClusters ETIMEDOUT',
    ]);
  });
});
