import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EcsServiceCapacity } from '../../../../runbooks/adapters/aws/ecs-service-capacity';
import { REQUIRED_ACTIONS } from '../../../../runbooks/adapters/aws/required-actions';
import { RetriableError } from '../../../../runbooks/core/errors';
import { actionsSent, connectionRefused, serviceError } from './sdk-calls';

function setup() {
  const ecs = mockClient(ECSClient);
  const autoScaling = mockClient(ApplicationAutoScalingClient);
  return { ecs, autoScaling, adapter: new EcsServiceCapacity() };
}

describe('EcsServiceCapacity', () => {
  afterEach(() => {
    mockClient(ECSClient).restore();
    mockClient(ApplicationAutoScalingClient).restore();
  });

  test('describes desired and running counts, leaving out services that are gone', async () => {
    const { ecs, adapter } = setup();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        { serviceName: 'catalog', desiredCount: 2, runningCount: 1, status: 'ACTIVE' },
        { serviceName: 'orders', desiredCount: 0, runningCount: 0, status: 'INACTIVE' },
      ],
    });
    expect(await adapter.describe('us-east-1', 'shop-dev', ['catalog', 'orders'])).toEqual({
      catalog: { desired: 2, running: 1 },
    });
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: 'shop-dev',
      services: ['catalog', 'orders'],
    });
  });

  test('describes more than 10 services in requests of at most 10 ("You may specify up to 10 services to describe.", API_DescribeServices)', async () => {
    const { ecs, adapter } = setup();
    const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
    ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.map((serviceName) => ({
        serviceName,
        desiredCount: 1,
        runningCount: 1,
        status: 'ACTIVE',
      })),
    }));
    expect(Object.keys(await adapter.describe('us-east-1', 'shop-dev', names))).toEqual(names);
    expect(ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input.services?.length)).toEqual([10, 2]);
  });

  test('sets a desired count with one UpdateService and does not retry a Region that does not answer', async () => {
    const { ecs, adapter } = setup();
    ecs.on(UpdateServiceCommand).rejects(connectionRefused('ecs.us-east-1.amazonaws.com'));
    const error = await adapter.setDesiredCount('us-east-1', 'shop-dev', 'orders', 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriableError);
    expect(ecs).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'shop-dev',
      service: 'orders',
      desiredCount: 0,
    });
  });

  test('throttling is retried: the target Region answers, only slowly', async () => {
    const { ecs } = setup();
    const adapter = new EcsServiceCapacity({ retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 } });
    ecs
      .on(DescribeServicesCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ services: [{ serviceName: 'catalog', desiredCount: 2, runningCount: 2, status: 'ACTIVE' }] });
    expect(await adapter.describe('us-west-2', 'shop-dev', ['catalog'])).toEqual({
      catalog: { desired: 2, running: 2 },
    });
    expect(ecs).toHaveReceivedCommandTimes(DescribeServicesCommand, 2);
  });

  test('reads every page of scalable targets ("returns up to 50 results and a NextToken value", API_DescribeScalableTargets)', async () => {
    const { autoScaling, adapter } = setup();
    const target = (service: string, min: number) => ({
      ServiceNamespace: 'ecs' as const,
      ResourceId: `service/shop-dev/${service}`,
      ScalableDimension: 'ecs:service:DesiredCount' as const,
      MinCapacity: min,
      MaxCapacity: 10,
      RoleARN: 'arn:aws:iam::111111111111:role/x',
      CreationTime: new Date(0),
    });
    autoScaling
      .on(DescribeScalableTargetsCommand)
      .resolves({ ScalableTargets: [target('catalog', 2)], NextToken: 'next' })
      .on(DescribeScalableTargetsCommand, { NextToken: 'next' })
      .resolves({ ScalableTargets: [target('orders', 3)] });
    expect(await adapter.scalingMinimums('us-east-1', 'shop-dev', ['catalog', 'orders'])).toEqual({
      catalog: 2,
      orders: 3,
    });
    expect(autoScaling).toHaveReceivedCommandTimes(DescribeScalableTargetsCommand, 2);
  });

  test('reads the autoscaling minimums of the services by their scalable-target resource ids', async () => {
    const { autoScaling, adapter } = setup();
    autoScaling.on(DescribeScalableTargetsCommand).resolves({
      ScalableTargets: [
        {
          ServiceNamespace: 'ecs',
          ResourceId: 'service/shop-dev/catalog',
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: 2,
          MaxCapacity: 10,
          RoleARN: 'arn:aws:iam::111111111111:role/x',
          CreationTime: new Date(0),
        },
      ],
    });
    expect(await adapter.scalingMinimums('us-west-2', 'shop-dev', ['catalog', 'orders'])).toEqual({ catalog: 2 });
    expect(autoScaling).toHaveReceivedCommandWith(DescribeScalableTargetsCommand, {
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceIds: ['service/shop-dev/catalog', 'service/shop-dev/orders'],
    });
  });

  test('raises a scaling minimum with one RegisterScalableTarget of the registered target, MinCapacity only (the maximum stays)', async () => {
    const { autoScaling, adapter } = setup();
    autoScaling.on(RegisterScalableTargetCommand).resolves({});
    await adapter.setScalingMinimum('us-west-2', 'shop-dev', 'orders', 6);
    expect(autoScaling).toHaveReceivedCommandTimes(RegisterScalableTargetCommand, 1);
    expect(autoScaling.commandCalls(RegisterScalableTargetCommand)[0]!.args[0].input).toEqual({
      ServiceNamespace: 'ecs',
      ScalableDimension: 'ecs:service:DesiredCount',
      ResourceId: 'service/shop-dev/orders',
      MinCapacity: 6,
    });
  });

  test('a refused minimum fails naming the request', async () => {
    const { autoScaling, adapter } = setup();
    autoScaling.on(RegisterScalableTargetCommand).rejects(serviceError('ValidationException'));
    await expect(adapter.setScalingMinimum('us-west-2', 'shop-dev', 'orders', 60)).rejects.toThrow(
      /^RegisterScalableTarget orders MinCapacity 60 in us-west-2: ValidationException/,
    );
  });

  test('the actions it sends are the ones it declares for IAM', async () => {
    const { ecs, autoScaling, adapter } = setup();
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    ecs.on(UpdateServiceCommand).resolves({});
    autoScaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
    await adapter.describe('us-east-1', 'c', ['s']);
    await adapter.setDesiredCount('us-east-1', 'c', 's', 1);
    await adapter.scalingMinimums('us-east-1', 'c', ['s']);
    autoScaling.on(RegisterScalableTargetCommand).resolves({});
    await adapter.setScalingMinimum('us-east-1', 'c', 's', 2);
    const sent = [...actionsSent('ecs', ecs), ...actionsSent('application-autoscaling', autoScaling)];
    const declared = new Set([
      ...REQUIRED_ACTIONS['capacity.describe'],
      ...REQUIRED_ACTIONS['capacity.setDesiredCount'],
      ...REQUIRED_ACTIONS['capacity.scalingMinimums'],
      ...REQUIRED_ACTIONS['capacity.setScalingMinimum'],
    ]);
    expect(sent.filter((a) => !declared.has(a))).toEqual([]);
  });
});
