import {
  GetRoutingControlStateCommand,
  ListRoutingControlsCommand,
  Route53RecoveryClusterClient,
  ThrottlingException,
  UpdateRoutingControlStatesCommand,
  ValidationException,
} from '@aws-sdk/client-route53-recovery-cluster';
import { Route53RecoveryControlConfigClient } from '@aws-sdk/client-route53-recovery-control-config';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ArcEndpoint, AwsRoutingControl } from '../../../../runbooks/adapters/aws/arc-routing-control';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { NonRetriableError, RetriableError } from '../../../../runbooks/core/errors';
import { actionsSent, connectionRefused, QUICK_RETRY, serviceError } from './sdk-calls';

const CLUSTER = 'arn:aws:route53-recovery-control::111111111111:cluster/8d46a3e1-0000-4000-8000-000000000001';
const EAST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/east';
const WEST = 'arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/west';
const ENDPOINTS: ArcEndpoint[] = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'ap-southeast-2'].map(
  (region) => ({
    region,
    endpoint: `https://host-${region}.route53-recovery-cluster.${region}.amazonaws.com/v1`,
  }),
);
const PARAMETER = '/shop/dev/arc-routing';
/** The parameter as the routing stack writes it (endpoints in CloudFormation's ClusterEndpoints shape). */
const PARAMETER_VALUE = JSON.stringify({
  clusterArn: CLUSTER,
  endpoints: ENDPOINTS.map((e) => ({ Region: e.region, Endpoint: e.endpoint })),
  routingControls: { 'shop-dev-us-east-1': EAST, 'shop-dev-us-west-2': WEST },
});

/** The adapter over five mocked endpoint clients; the SSM parameter in us-east-1 holds the cluster's endpoints. */
function setup(options: { random?: number; parameter?: string | Error } = {}) {
  const clients = ENDPOINTS.map((e) => new Route53RecoveryClusterClient({ region: e.region, endpoint: e.endpoint }));
  const mocks = clients.map((c) => mockClient(c));
  const ssm = new SSMClient({ region: 'us-east-1' });
  const ssmMock = mockClient(ssm);
  const parameter = options.parameter ?? PARAMETER_VALUE;
  if (parameter instanceof Error) ssmMock.on(GetParameterCommand).rejects(parameter);
  else
    ssmMock.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Name: PARAMETER, Value: parameter } });
  const adapter = new AwsRoutingControl({
    parameterName: PARAMETER,
    parameterRegion: 'us-east-1',
    controlPanelName: 'shop-dev-control-panel',
    ssmClient: ssm,
    clientFor: (endpoint) => clients[ENDPOINTS.findIndex((e) => e.endpoint === endpoint.endpoint)]!,
    random: () => options.random ?? 0,
    retry: QUICK_RETRY,
  });
  return { adapter, mocks, ssmMock };
}

describe('AwsRoutingControl', () => {
  test('reads the endpoints and ARNs once from the SSM parameter of its own Region and each control from an endpoint', async () => {
    const { adapter, mocks, ssmMock } = setup();
    mocks[0]!
      .on(GetRoutingControlStateCommand, { RoutingControlArn: EAST })
      .resolves({ RoutingControlArn: EAST, RoutingControlState: 'On' })
      .on(GetRoutingControlStateCommand, { RoutingControlArn: WEST })
      .resolves({ RoutingControlArn: WEST, RoutingControlState: 'Off' });
    expect(await adapter.getStates([EAST, WEST])).toEqual({ [EAST]: 'On', [WEST]: 'Off' });
    expect(await adapter.getStates([EAST])).toEqual({ [EAST]: 'On' });
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: PARAMETER });
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

  test('with the ARC control plane down, a failover still reads and sets controls given by name (data plane only)', async () => {
    // The control plane lives in us-west-2 only; any call to it fails as if that Region were down.
    const controlPlane = mockClient(Route53RecoveryControlConfigClient as never) as unknown as {
      rejects(e: Error): void;
      calls(): unknown[];
    };
    controlPlane.rejects(connectionRefused('route53-recovery-control-config.us-west-2.amazonaws.com'));
    const { adapter, mocks } = setup();
    mocks[0]!.on(GetRoutingControlStateCommand, { RoutingControlArn: WEST }).resolves({ RoutingControlState: 'Off' });
    mocks[0]!.on(UpdateRoutingControlStatesCommand).resolves({});
    expect(await adapter.getStates(['shop-dev-us-west-2'])).toEqual({ 'shop-dev-us-west-2': 'Off' });
    await adapter.setStates([
      { control: 'shop-dev-us-west-2', state: 'On' },
      { control: 'shop-dev-us-east-1', state: 'Off' },
    ]);
    expect(mocks[0]).toHaveReceivedCommandWith(UpdateRoutingControlStatesCommand, {
      UpdateRoutingControlStateEntries: [
        { RoutingControlArn: WEST, RoutingControlState: 'On' },
        { RoutingControlArn: EAST, RoutingControlState: 'Off' },
      ],
    });
    expect(controlPlane.calls()).toHaveLength(0);
  });

  test('starts at a random endpoint and rotates through the others from there', async () => {
    // random 0.5 of five endpoints starts at the third (eu-west-1), then ap-northeast-1, ap-southeast-2, us-east-1 …
    const { adapter, mocks } = setup({ random: 0.5 });
    mocks[2]!.on(GetRoutingControlStateCommand).rejects(connectionRefused('host-eu-west-1'));
    mocks[3]!.on(GetRoutingControlStateCommand).rejects(connectionRefused('host-ap-northeast-1'));
    mocks[4]!.on(GetRoutingControlStateCommand).rejects(connectionRefused('host-ap-southeast-2'));
    mocks[0]!.on(GetRoutingControlStateCommand).resolves({ RoutingControlState: 'On' });
    expect(await adapter.getStates([EAST])).toEqual({ [EAST]: 'On' });
    expect(mocks[1]).not.toHaveReceivedAnyCommand();
    for (const i of [2, 3, 4, 0]) expect(mocks[i]).toHaveReceivedCommandTimes(GetRoutingControlStateCommand, 1);
  });

  test('a missing parameter says where it should come from and is not retriable', async () => {
    const { adapter } = setup({ parameter: new ParameterNotFound({ message: 'not found', $metadata: {} }) });
    const error = await adapter.getStates([EAST]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).message).toBe(
      'GetParameter /shop/dev/arc-routing in us-east-1: the parameter does not exist; the routing stack writes the ARC cluster endpoints and routing-control ARNs there when it deploys (deploy it, or give routing.endpoints in the topology)',
    );
  });

  test('a malformed parameter names the field that is wrong', async () => {
    const { adapter } = setup({
      parameter: JSON.stringify({ clusterArn: CLUSTER, endpoints: [], routingControls: {} }),
    });
    await expect(adapter.getStates([EAST])).rejects.toThrow(
      'SSM parameter /shop/dev/arc-routing in us-east-1: endpoints: accepted: at least one cluster endpoint',
    );
    const badEndpoint = setup({
      parameter: JSON.stringify({
        clusterArn: CLUSTER,
        endpoints: [{ Region: 'us-east-1', Endpoint: 'host-1' }],
        routingControls: {},
      }),
    });
    await expect(badEndpoint.adapter.getStates([EAST])).rejects.toThrow(
      'SSM parameter /shop/dev/arc-routing in us-east-1: endpoints.0.Endpoint: accepted: an https URL such as "https://host-….us-west-2.amazonaws.com/v1"',
    );
    const notJson = setup({ parameter: 'endpoints=1' });
    await expect(notJson.adapter.getStates([EAST])).rejects.toThrow(
      'SSM parameter /shop/dev/arc-routing in us-east-1: "endpoints=1" is not JSON; accepted: the JSON the routing stack writes ({"clusterArn", "endpoints", "routingControls"})',
    );
  });

  test('a control the parameter does not name is resolved with the data-plane ListRoutingControls of its control panel', async () => {
    const { adapter, mocks } = setup();
    const other = 'arn:aws:route53-recovery-control::111111111111:controlpanel/xyz/routingcontrol/other';
    mocks[0]!
      .on(ListRoutingControlsCommand, {})
      .resolves({
        RoutingControls: [
          { RoutingControlName: 'shop-dev-eu-west-1', RoutingControlArn: other, ControlPanelName: 'another-panel' },
        ],
        NextToken: 'p2',
      })
      .on(ListRoutingControlsCommand, { NextToken: 'p2' })
      .resolves({
        RoutingControls: [
          {
            RoutingControlName: 'shop-dev-eu-west-1',
            RoutingControlArn: `${EAST}-eu`,
            ControlPanelName: 'shop-dev-control-panel',
          },
        ],
      });
    mocks[0]!
      .on(GetRoutingControlStateCommand, { RoutingControlArn: `${EAST}-eu` })
      .resolves({ RoutingControlState: 'On' });
    expect(await adapter.getStates(['shop-dev-eu-west-1'])).toEqual({ 'shop-dev-eu-west-1': 'On' });
    await expect(adapter.getStates(['shop-dev-ap-south-1'])).rejects.toThrow(
      'routing control "shop-dev-ap-south-1" not found in control panel "shop-dev-control-panel"; found: shop-dev-eu-west-1',
    );
  });

  test('refuses to be built without endpoints or a parameter', () => {
    expect(() => new AwsRoutingControl({})).toThrow(
      'routing: neither endpoints nor parameterName given; accepted: the ARC cluster endpoints, or the SSM parameter the routing stack writes them to',
    );
  });

  test('the actions it sends are the ones it declares for IAM, and none of the control plane', async () => {
    const { adapter, mocks, ssmMock } = setup();
    mocks[0]!.on(GetRoutingControlStateCommand).resolves({ RoutingControlArn: EAST, RoutingControlState: 'On' });
    mocks[0]!.on(UpdateRoutingControlStatesCommand).resolves({});
    mocks[0]!.on(ListRoutingControlsCommand).resolves({ RoutingControls: [] });
    await adapter.getStates([EAST]);
    await adapter.setStates([{ control: EAST, state: 'On' }]);
    await adapter.getStates(['unknown']).catch(() => undefined);
    const sent = [...actionsSent('ssm', ssmMock), ...actionsSent('route53-recovery-cluster', ...mocks)];
    const declared = new Set([...REQUIRED_ACTIONS['routing.getStates'], ...REQUIRED_ACTIONS['routing.setStates']]);
    expect(sent.filter((a) => !declared.has(a))).toEqual([]);
    expect([...declared].filter((a) => a.startsWith('route53-recovery-control-config:'))).toEqual([]);
  });
});
