import {
  FisClient,
  GetExperimentCommand,
  ResourceNotFoundException,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { AwsFaultInjection } from '../../../runbooks/adapters/aws/fis';
import { AwsShopperSchedules } from '../../../runbooks/adapters/aws/scheduler';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { AwsModel } from '../aws-model';

const EAST = 'us-east-1';
const ALARM = 'arn:aws:cloudwatch:us-west-2:111122223333:alarm:shop-dev-journey-canary';

let clock: ManualClock;
let model: AwsModel;
const faults: string[] = [];

beforeEach(() => {
  clock = new ManualClock('2026-12-07T05:00:00.000Z');
  model = new AwsModel({ clock });
  faults.length = 0;
  model.fis.onFault = (region, active) => faults.push(`${region} ${active ? 'on' : 'off'}`);
  model.fis.addTemplate({
    id: 'EXTisolation0001',
    region: EAST,
    description: 'region isolation',
    tags: { gameday: 'shop-dev', 'gameday-experiment': 'region-isolation' },
    stopConditions: [ALARM],
    actions: ['disrupt'],
    durationSeconds: 600,
  });
  model.scheduler.addSchedule(EAST, {
    name: 'shop-dev-synthetic-shopper',
    state: 'DISABLED',
    scheduleExpression: 'rate(1 minute)',
    flexibleTimeWindow: { Mode: 'OFF' },
    target: {
      Arn: 'arn:aws:lambda:us-east-1:111122223333:function:f',
      RoleArn: 'arn:aws:iam::111122223333:role/r',
      Input: '{"gameDayId":""}',
    },
    description: 'the shopper',
  });
  model.install();
});
afterEach(() => model.restore());

const advance = (seconds: number) => {
  clock.advance(seconds * 1000);
  model.settle();
};
const fis = () => new FisClient({ region: EAST });
const adapter = () => new AwsFaultInjection({ templateTags: { gameday: 'shop-dev' }, retry: { maxRetries: 0 } });

describe('the FIS model', () => {
  test('GIVEN a started experiment WHEN time passes THEN it goes pending, initiating, running (the fault on), completed (the fault off)', async () => {
    const started = await adapter().start(EAST, 'EXTisolation0001', 'gd-1', { gameday: 'gd-1' });
    const seen = [started.status];
    for (const seconds of [5, 20, 599, 1]) {
      advance(seconds);
      seen.push((await adapter().get(EAST, started.id))!.status);
    }
    expect(seen).toEqual(['pending', 'initiating', 'running', 'running', 'completed']);
    expect(faults).toEqual(['us-east-1 on', 'us-east-1 off']);
  });

  test('GIVEN the same client token twice WHEN StartExperiment is sent THEN one experiment exists', async () => {
    const a = await fis().send(
      new StartExperimentCommand({ experimentTemplateId: 'EXTisolation0001', clientToken: 'gd-1' }),
    );
    const b = await fis().send(
      new StartExperimentCommand({ experimentTemplateId: 'EXTisolation0001', clientToken: 'gd-1' }),
    );
    expect(b.experiment?.id).toBe(a.experiment?.id);
    expect(model.fis.experiments.size).toBe(1);
  });

  test('GIVEN a running experiment WHEN its stop condition alarms THEN it stops and the fault ends', async () => {
    const started = await adapter().start(EAST, 'EXTisolation0001', 'gd-1', {});
    advance(25);
    model.fis.alarm(ALARM);
    const stopping = await adapter().get(EAST, started.id);
    expect(stopping).toMatchObject({ status: 'stopping', reason: `Stop condition ${ALARM} triggered` });
    advance(10);
    expect((await adapter().get(EAST, started.id))?.status).toBe('stopped');
    expect(faults).toEqual(['us-east-1 on', 'us-east-1 off']);
  });

  test('GIVEN a stopped experiment WHEN StopExperiment is sent again THEN it stays stopped; an unknown id is ResourceNotFoundException', async () => {
    const started = await adapter().start(EAST, 'EXTisolation0001', 'gd-1', {});
    await adapter().stop(EAST, started.id);
    advance(10);
    const again = await fis().send(new StopExperimentCommand({ id: started.id }));
    expect(again.experiment?.state?.status).toBe('stopped');
    await expect(fis().send(new GetExperimentCommand({ id: 'EXPnope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    expect(await adapter().get(EAST, 'EXPnope')).toBeUndefined();
  });
});

describe('the Scheduler model and adapter', () => {
  test('GIVEN an UpdateSchedule that leaves the input and description out WHEN it is sent THEN they are gone, as the API reference says', async () => {
    await new SchedulerClient({ region: EAST }).send(
      new UpdateScheduleCommand({
        Name: 'shop-dev-synthetic-shopper',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: 'arn:aws:lambda:us-east-1:111122223333:function:f',
          RoleArn: 'arn:aws:iam::111122223333:role/r',
        },
        State: 'ENABLED',
      }),
    );
    const schedule = await new SchedulerClient({ region: EAST }).send(
      new GetScheduleCommand({ Name: 'shop-dev-synthetic-shopper' }),
    );
    expect(schedule.Target?.Input).toBeUndefined();
    expect(schedule.Description).toBeUndefined();
  });

  test('GIVEN the adapter WHEN it enables and disables THEN the schedule keeps its description, role and expression and gets the game day id', async () => {
    const schedules = new AwsShopperSchedules({ scheduleName: 'shop-dev-synthetic-shopper', retry: { maxRetries: 0 } });
    await schedules.enable(EAST, 'gd-20261207T050000Z-ab12', new Date('2026-12-07T17:00:00Z'));
    expect(await schedules.isEnabled(EAST)).toBe(true);
    await schedules.disable(EAST);
    const schedule = model.scheduler.schedules.get(`${EAST}/shop-dev-synthetic-shopper`)!;
    expect(schedule).toMatchObject({
      state: 'DISABLED',
      description: 'the shopper',
      scheduleExpression: 'rate(1 minute)',
      target: { RoleArn: 'arn:aws:iam::111122223333:role/r', Input: '{"gameDayId":"gd-20261207T050000Z-ab12"}' },
      // The end the game day's enable set stays when it is disabled (the schedule is sent back whole).
      endDate: new Date('2026-12-07T17:00:00Z'),
    });
    expect(await schedules.isEnabled('us-west-2')).toBeUndefined();
    await expect(
      schedules.enable('us-west-2', 'gd-20261207T050000Z-ab12', new Date('2026-12-07T17:00:00Z')),
    ).rejects.toThrow(
      'schedule shop-dev-synthetic-shopper in us-west-2: does not exist; accepted: the shopper schedule the game-day stack creates (deploy with gameDays.enabled true)',
    );
  });
});
