import {
  ListRoutingControlsCommand,
  Route53RecoveryClusterClient,
  ThrottlingException,
} from '@aws-sdk/client-route53-recovery-cluster';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ArcEndpoint, AwsRoutingControl } from '../../../../runbooks/adapters/aws/arc-routing-control';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { actionsSent, connectionRefused, QUICK_RETRY, serviceError } from './sdk-calls';

// routing.describeConfiguration, for the routing-configuration readiness check: every cluster endpoint the runbooks
// hold is asked on its own. A failover "should try each endpoint in rotation"
// (https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.update.api.html), so an endpoint that stopped
// answering, or lists other controls, must show here rather than be skipped as getStates would.

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
const PARAMETER_VALUE = JSON.stringify({
  clusterArn: CLUSTER,
  endpoints: ENDPOINTS.map((e) => ({ Region: e.region, Endpoint: e.endpoint })),
  routingControls: { 'shop-dev-us-east-1': EAST, 'shop-dev-us-west-2': WEST },
});
const BOTH = [
  { RoutingControlArn: EAST, RoutingControlName: 'shop-dev-us-east-1' },
  { RoutingControlArn: WEST, RoutingControlName: 'shop-dev-us-west-2' },
];
const LISTED = [
  { arn: EAST, name: 'shop-dev-us-east-1' },
  { arn: WEST, name: 'shop-dev-us-west-2' },
];

function setup() {
  const clients = ENDPOINTS.map((e) => new Route53RecoveryClusterClient({ region: e.region, endpoint: e.endpoint }));
  const mocks = clients.map((c) => mockClient(c));
  for (const mock of mocks) mock.on(ListRoutingControlsCommand).resolves({ RoutingControls: BOTH });
  const ssm = new SSMClient({ region: 'us-east-1' });
  const ssmMock = mockClient(ssm);
  ssmMock
    .on(GetParameterCommand, { Name: PARAMETER })
    .resolves({ Parameter: { Name: PARAMETER, Value: PARAMETER_VALUE } });
  const adapter = new AwsRoutingControl({
    parameterName: PARAMETER,
    parameterRegion: 'us-east-1',
    controlPanelName: 'shop-dev-control-panel',
    ssmClient: ssm,
    clientFor: (endpoint) => clients[ENDPOINTS.findIndex((e) => e.endpoint === endpoint.endpoint)]!,
    random: () => 0,
    retry: QUICK_RETRY,
  });
  return { adapter, mocks, ssmMock };
}

describe('AwsRoutingControl.describeConfiguration', () => {
  test('GIVEN the parameter and a cluster that match WHEN described THEN the ARNs held for the names and what each of the five endpoints lists, each asked once', async () => {
    const { adapter, mocks } = setup();
    const configuration = await adapter.describeConfiguration(['shop-dev-us-east-1', 'shop-dev-us-west-2']);
    expect(configuration).toEqual({
      held: { 'shop-dev-us-east-1': EAST, 'shop-dev-us-west-2': WEST },
      endpoints: ENDPOINTS.map((e) => ({ region: e.region, endpoint: e.endpoint, controls: LISTED })),
    });
    for (const mock of mocks) expect(mock).toHaveReceivedCommandTimes(ListRoutingControlsCommand, 1);
  });

  test('GIVEN a control given by ARN and a name the parameter does not list WHEN described THEN the ARN is held as given and the name holds none', async () => {
    const { adapter } = setup();
    const { held } = await adapter.describeConfiguration([EAST, 'shop-dev-eu-west-1']);
    expect(held).toEqual({ [EAST]: EAST, 'shop-dev-eu-west-1': undefined });
  });

  test('GIVEN an endpoint that answers in two pages WHEN described THEN both pages are read from that endpoint', async () => {
    const { adapter, mocks } = setup();
    mocks[2]!
      .on(ListRoutingControlsCommand)
      .resolves({ RoutingControls: [BOTH[0]!], NextToken: 'page-2' })
      .on(ListRoutingControlsCommand, { NextToken: 'page-2' })
      .resolves({ RoutingControls: [BOTH[1]!] });
    const { endpoints } = await adapter.describeConfiguration(['shop-dev-us-east-1']);
    expect(endpoints[2]!.controls).toEqual(LISTED);
    expect(mocks[2]).toHaveReceivedCommandTimes(ListRoutingControlsCommand, 2);
    expect(mocks[2]!.commandCalls(ListRoutingControlsCommand).map((c) => c.args[0].input)).toEqual([
      {},
      { NextToken: 'page-2' },
    ]);
  });

  test('GIVEN the us-west-2 endpoint refuses connections WHEN described THEN that endpoint has the error and no controls; the others answer for themselves', async () => {
    const { adapter, mocks } = setup();
    mocks[1]!.on(ListRoutingControlsCommand).rejects(connectionRefused('host-us-west-2'));
    const { endpoints } = await adapter.describeConfiguration(['shop-dev-us-east-1']);
    expect(endpoints[1]).toEqual({
      region: 'us-west-2',
      endpoint: ENDPOINTS[1]!.endpoint,
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect(endpoints.filter((e) => e.controls)).toHaveLength(4);
    for (const [i, mock] of mocks.entries())
      expect([i, mock.commandCalls(ListRoutingControlsCommand).length]).toEqual([i, 1]);
  });

  test('GIVEN an endpoint that throttles once WHEN described THEN it is asked again and answers', async () => {
    const { adapter, mocks } = setup();
    mocks[3]!
      .on(ListRoutingControlsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({ RoutingControls: BOTH });
    const { endpoints } = await adapter.describeConfiguration(['shop-dev-us-east-1']);
    expect(endpoints[3]!.controls).toEqual(LISTED);
    expect(mocks[3]).toHaveReceivedCommandTimes(ListRoutingControlsCommand, 2);
  });

  test('GIVEN an endpoint that answers AccessDenied WHEN described THEN the endpoint has the error, not retried', async () => {
    const { adapter, mocks } = setup();
    mocks[4]!.on(ListRoutingControlsCommand).rejects(serviceError('AccessDeniedException'));
    const { endpoints } = await adapter.describeConfiguration(['shop-dev-us-east-1']);
    expect(endpoints[4]!.error).toBe('AccessDeniedException: AccessDeniedException (test)');
    expect(mocks[4]).toHaveReceivedCommandTimes(ListRoutingControlsCommand, 1);
  });

  test('sends only the actions it declares', async () => {
    const { adapter, mocks, ssmMock } = setup();
    await adapter.describeConfiguration(['shop-dev-us-east-1']);
    expect(actionsSent('ssm', ssmMock)).toEqual(['ssm:GetParameter']);
    expect([...new Set(actionsSent('route53-recovery-cluster', ...mocks))]).toEqual([
      'route53-recovery-cluster:ListRoutingControls',
    ]);
    for (const action of ['ssm:GetParameter', 'route53-recovery-cluster:ListRoutingControls'])
      expect(REQUIRED_ACTIONS['routing.describeConfiguration']).toContain(action);
  });
});
