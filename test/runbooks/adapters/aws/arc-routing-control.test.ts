import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  ThrottlingException,
  UpdateRoutingControlStatesCommand,
  ValidationException,
} from '@aws-sdk/client-route53-recovery-cluster';
import {
  DescribeClusterCommand,
  ListClustersCommand,
  ListControlPanelsCommand,
  ListRoutingControlsCommand,
  Route53RecoveryControlConfigClient,
} from '@aws-sdk/client-route53-recovery-control-config';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ArcEndpoint, AwsRoutingControl } from '../../../../runbooks/adapters/aws/arc-routing-control';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { NonRetriableError, RetriableError } from '../../../../runbooks/core/errors';
import { actionsSent, connectionRefused, QUICK_RETRY, serviceError } from './sdk-calls';

/**
 * The control-config client is pinned to an older SDK release whose smithy types differ from the mock library's;
 * the mock works at run time, only the types do not line up, so its commands are passed untyped.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above.
type LooseStub = AwsStub<any, any, any>;
const loose = (command: unknown) => command as never;

const CLUSTER = 'arn:aws:route53-recovery-control::111111111111:cluster/8d46a3e1-0000-4000-8000-000000000001';
const EAST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/east';
const WEST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/west';
const ENDPOINTS: ArcEndpoint[] = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'].map(
  (region) => ({
    region,
    endpoint: `https://host-${region}.route53-recovery-cluster.${region}.amazonaws.com/v1`,
  }),
);

function setup() {
  const clients = ENDPOINTS.map((e) => new Route53RecoveryClusterClient({ region: e.region, endpoint: e.endpoint }));
  const mocks = clients.map((c) => mockClient(c));
  const config = new Route53RecoveryControlConfigClient({ region: 'us-west-2' });
  const configMock = mockClient(config as never) as unknown as LooseStub;
  configMock.on(loose(DescribeClusterCommand), { ClusterArn: CLUSTER }).resolves({
    Cluster: {
      ClusterArn: CLUSTER,
      Name: 'shop-dev-cluster',
      Status: 'DEPLOYED',
      ClusterEndpoints: ENDPOINTS.map((e) => ({ Endpoint: e.endpoint, Region: e.region })),
    },
  });
  const adapter = new AwsRoutingControl({
    clusterArn: CLUSTER,
    controlConfigClient: config,
    clientFor: (endpoint) => clients[ENDPOINTS.findIndex((e) => e.endpoint === endpoint.endpoint)]!,
    retry: QUICK_RETRY,
  });
  return { adapter, mocks, configMock };
}

describe('AwsRoutingControl', () => {
  test('lists the cluster endpoints once and reads each control from the first endpoint', async () => {
    const { adapter, mocks, configMock } = setup();
    mocks[0]!
      .on(GetRoutingControlStateCommand, { RoutingControlArn: EAST })
      .resolves({ RoutingControlArn: EAST, RoutingControlState: 'On' })
      .on(GetRoutingControlStateCommand, { RoutingControlArn: WEST })
      .resolves({ RoutingControlArn: WEST, RoutingControlState: 'Off' });
    expect(await adapter.getStates([EAST, WEST])).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    expect(await adapter.getStates([EAST])).toEqual({ [EAST]: 'On' });
    expect(configMock).toHaveReceivedCommandTimes(loose(DescribeClusterCommand), 1);
    expect(configMock).toHaveReceivedCommandWith(loose(DescribeClusterCommand), { ClusterArn: CLUSTER });
    expect(mocks[0]).toHaveReceivedNthCommandWith(1, GetRoutingControlStateCommand, { RoutingControlArn: EAST });
    expect(mocks[0]).toHaveReceivedNthCommandWith(2, GetRoutingControlStateCommand, { RoutingControlArn: WEST });
    for (const other of mocks.slice(1)) expect(other).not.toHaveReceivedAnyCommand();
  });

  test('sets both Regions in ONE UpdateRoutingControlStates request', async () => {
    const { adapter, mocks } = setup();
    mocks[0]!.on(UpdateRoutingControlStatesCommand).resolves({});
    await adapter.setStates([
      { control: WEST, state: 'On' },
      { control: EAST, state: 'Off' },
    ]);
    expect(mocks[0]).toHaveReceivedCommandTimes(UpdateRoutingControlStatesCommand, 1);
    expect(mocks[0]).toHaveReceivedCommandWith(UpdateRoutingControlStatesCommand, {
      UpdateRoutingControlStateEntries: [
        { RoutingControlArn: WEST, RoutingControlState: 'On' },
        { RoutingControlArn: EAST, RoutingControlState: 'Off' },
      ],
    });
    expect(mocks[0]!.commandCalls(UpdateRoutingControlStatesCommand)[0]!.args[0].input).not.toHaveProperty(
      'SafetyRulesToOverride',
    );
  });

  test('an endpoint that is down moves the request to the next endpoint', async () => {
    const { adapter, mocks } = setup();
    mocks[0]!.on(UpdateRoutingControlStatesCommand).rejects(connectionRefused('host-us-east-1'));
    mocks[1]!
      .on(UpdateRoutingControlStatesCommand)
      .rejects(serviceError('EndpointTemporarilyUnavailableException', 'server'));
    mocks[2]!.on(UpdateRoutingControlStatesCommand).resolves({});
    await adapter.setStates([{ control: WEST, state: 'On' }]);
    // Unavailability is not retried on the same endpoint: the next one is tried at once.
    expect(mocks[0]).toHaveReceivedCommandTimes(UpdateRoutingControlStatesCommand, 1);
    expect(mocks[1]).toHaveReceivedCommandTimes(UpdateRoutingControlStatesCommand, 1);
    expect(mocks[2]).toHaveReceivedCommandWith(UpdateRoutingControlStatesCommand, {
      UpdateRoutingControlStateEntries: [{ RoutingControlArn: WEST, RoutingControlState: 'On' }],
    });
    expect(mocks[3]).not.toHaveReceivedAnyCommand();
  });

  test('throttling is retried with backoff on the same endpoint', async () => {
    const { adapter, mocks } = setup();
    const throttled = new ThrottlingException({ message: 'Rate exceeded', $metadata: {} });
    mocks[0]!
      .on(GetRoutingControlStateCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ RoutingControlArn: EAST, RoutingControlState: 'On' });
    expect(await adapter.getStates([EAST])).toEqual({ [EAST]: 'On' });
    expect(mocks[0]).toHaveReceivedCommandTimes(GetRoutingControlStateCommand, 3);
    expect(mocks[1]).not.toHaveReceivedAnyCommand();
  });

  test('throttling that persists on one endpoint moves on to the next', async () => {
    const { adapter, mocks } = setup();
    mocks[0]!
      .on(GetRoutingControlStateCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    mocks[1]!.on(GetRoutingControlStateCommand).resolves({ RoutingControlArn: EAST, RoutingControlState: 'Off' });
    expect(await adapter.getStates([EAST])).toEqual({ [EAST]: 'Off' });
    expect(mocks[0]).toHaveReceivedCommandTimes(GetRoutingControlStateCommand, 3);
  });

  test('when every endpoint fails, the retriable error lists each endpoint and its failure', async () => {
    const { adapter, mocks } = setup();
    for (const [i, mock] of mocks.entries()) {
      mock.on(UpdateRoutingControlStatesCommand).rejects(connectionRefused(`host-${ENDPOINTS[i]!.region}`));
    }
    const error = await adapter.setStates([{ control: WEST, state: 'On' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriableError);
    expect((error as Error).message).toBe(
      [
        `UpdateRoutingControlStates ${WEST}=On failed on all 5 ARC cluster endpoints:`,
        ...ENDPOINTS.map((e) => `  - ${e.region} ${e.endpoint}: Error: connect ECONNREFUSED host-${e.region}:443`),
      ].join('\n'),
    );
  });

  test('a request the service rejects (a safety rule, a bad ARN) is not tried elsewhere and is not retriable', async () => {
    const { adapter, mocks } = setup();
    mocks[0]!
      .on(UpdateRoutingControlStatesCommand)
      .rejects(new ValidationException({ message: 'Cannot perform operation: safety rule violated', $metadata: {} }));
    const error = await adapter
      .setStates([
        { control: WEST, state: 'Off' },
        { control: EAST, state: 'Off' },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe(
      `UpdateRoutingControlStates ${WEST}=Off, ${EAST}=Off via us-east-1 (${ENDPOINTS[0]!.endpoint}): ValidationException: Cannot perform operation: safety rule violated`,
    );
    expect(mocks[1]).not.toHaveReceivedAnyCommand();
  });

  test('resolves a cluster and controls given by name on the control plane', async () => {
    const clients = ENDPOINTS.map((e) => new Route53RecoveryClusterClient({ region: e.region }));
    const mocks = clients.map((c) => mockClient(c));
    const config = new Route53RecoveryControlConfigClient({ region: 'us-west-2' });
    const configMock = mockClient(config as never) as unknown as LooseStub;
    configMock
      .on(loose(ListClustersCommand), {})
      .resolves({ Clusters: [{ Name: 'other', ClusterArn: 'arn:other' }], NextToken: 't1' })
      .on(loose(ListClustersCommand), { NextToken: 't1' })
      .resolves({
        Clusters: [
          {
            Name: 'shop-dev-cluster',
            ClusterArn: CLUSTER,
            ClusterEndpoints: ENDPOINTS.map((e) => ({ Endpoint: e.endpoint, Region: e.region })),
          },
        ],
      })
      .on(loose(ListControlPanelsCommand), { ClusterArn: CLUSTER })
      .resolves({ ControlPanels: [{ Name: 'shop-dev-control-panel', ControlPanelArn: 'arn:panel' }] })
      .on(loose(ListRoutingControlsCommand), { ControlPanelArn: 'arn:panel' })
      .resolves({
        RoutingControls: [
          { Name: 'shop-dev-us-east-1', RoutingControlArn: EAST },
          { Name: 'shop-dev-us-west-2', RoutingControlArn: WEST },
        ],
      });
    mocks[0]!
      .on(GetRoutingControlStateCommand, { RoutingControlArn: WEST })
      .resolves({ RoutingControlArn: WEST, RoutingControlState: 'On' });
    const adapter = new AwsRoutingControl({
      clusterName: 'shop-dev-cluster',
      controlPanelName: 'shop-dev-control-panel',
      controlConfigClient: config,
      clientFor: (endpoint) => clients[ENDPOINTS.findIndex((e) => e.endpoint === endpoint.endpoint)]!,
      retry: QUICK_RETRY,
    });
    expect(await adapter.getStates(['shop-dev-us-west-2'])).toEqual({ 'shop-dev-us-west-2': 'On' });
    expect(configMock).toHaveReceivedCommandWith(loose(ListControlPanelsCommand), { ClusterArn: CLUSTER });
    await expect(adapter.getStates(['shop-dev-eu-west-1'])).rejects.toThrow(
      'routing control "shop-dev-eu-west-1" not found in control panel "shop-dev-control-panel"; found: shop-dev-us-east-1, shop-dev-us-west-2',
    );
    expect(actionsSent('route53-recovery-control-config', configMock)).toEqual(
      [...REQUIRED_ACTIONS['routing.getStates']]
        .filter((a) => a.startsWith('route53-recovery-control-config:List'))
        .sort(),
    );
  });

  test('the actions it sends are the ones it declares for IAM', async () => {
    const { adapter, mocks, configMock } = setup();
    mocks[0]!.on(GetRoutingControlStateCommand).resolves({ RoutingControlArn: EAST, RoutingControlState: 'On' });
    mocks[0]!.on(UpdateRoutingControlStatesCommand).resolves({});
    await adapter.getStates([EAST]);
    await adapter.setStates([{ control: EAST, state: 'On' }]);
    const sent = [
      ...actionsSent('route53-recovery-control-config', configMock),
      ...actionsSent('route53-recovery-cluster', ...mocks),
    ];
    const declared = new Set([...REQUIRED_ACTIONS['routing.getStates'], ...REQUIRED_ACTIONS['routing.setStates']]);
    expect(sent.filter((a) => !declared.has(a))).toEqual([]);
  });
});
