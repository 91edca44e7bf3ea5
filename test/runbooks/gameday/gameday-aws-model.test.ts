import { type GameDayInput, type GameDayPhase, type PhaseOutcome, runGameDayPhase } from '../../../runbooks/gameday';
import { gameDayRecordKey } from '../../../runbooks/gameday/gameday-record';
import { EAST, WEST } from '../aws-scenarios/aws-world';
import { GAMEDAY_ID, type ModelGameDayOptions, modelGameDay } from './model-gameday';

jest.setTimeout(60_000);

const input: GameDayInput = {
  gameDayId: GAMEDAY_ID,
  failedRegion: EAST,
  survivingRegion: WEST,
  actor: 'octocat',
  approver: 'hubot',
  dryRun: false,
};

let game: ReturnType<typeof modelGameDay> | undefined;
afterEach(() => game?.world.dispose());

async function play(options: ModelGameDayOptions, phases: readonly GameDayPhase[]) {
  game = modelGameDay(options);
  const outcomes: PhaseOutcome[] = [];
  for (const phase of phases) outcomes.push(await runGameDayPhase(phase, input, game.ports));
  return { ...game, outcomes };
}

const ALL: readonly GameDayPhase[] = [
  'preflight',
  'start-traffic',
  'inject',
  'failover',
  'await-return',
  'recover',
  'score',
  'clean-up',
];

const statuses = (outcomes: readonly PhaseOutcome[]) =>
  outcomes.map((o) => `${o.phase}: ${o.status}${o.verdict ? ` ${o.verdict}` : ''}`);

describe('a game day on the AWS model', () => {
  test('GIVEN the shop on the model WHEN every phase runs THEN FIS cuts us-east-1 off, the failover moves the writers, recover reports the lost orders, the score PASSES and clean-up disables the shoppers', async () => {
    const { outcomes, model, shop, acks, databases, looked } = await play({}, ALL);
    expect(statuses(outcomes)).toEqual([
      'preflight: succeeded',
      'start-traffic: succeeded',
      'inject: succeeded',
      'failover: succeeded',
      'await-return: succeeded',
      'recover: succeeded',
      'score: succeeded PASSED',
      'clean-up: succeeded PASSED',
    ]);
    // The fault fired in the model: us-east-1 was cut off, then came back when the experiment completed.
    const experiment = [...model.fis.experiments.values()][0]!;
    expect(experiment).toMatchObject({
      region: EAST,
      status: 'completed',
      clientToken: GAMEDAY_ID,
      tags: { gameday: GAMEDAY_ID },
    });
    expect(shop.writers()).toEqual({ 'shop-dev-catalog-global': WEST, 'shop-dev-orders-global': WEST });
    // Some acknowledged orders were lost (acknowledged by us-east-1 within the replication lag of the fault).
    const lost = acks.filter((a) => looked[a.order_id]?.present === false);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((a) => a.region === EAST)).toBe(true);
    expect(outcomes[6]!.summary).toContain('recall 100 %, precision 100 %');
    // Clean-up removed the game day's synthetic orders.
    expect(acks.filter((a) => databases[EAST]!.has(a.order_id) || databases[WEST]!.has(a.order_id))).toEqual([]);
    expect(acks.some((a) => a.region === WEST)).toBe(true);
    // The schedules were enabled with the game day's id and disabled again.
    for (const region of [EAST, WEST]) {
      const schedule = model.scheduler.schedules.get(`${region}/shop-dev-synthetic-shopper`)!;
      expect(schedule.state).toBe('DISABLED');
      expect(schedule.history.map((h) => h.state)).toEqual(['ENABLED', 'DISABLED']);
      expect(schedule.history[0]!.input).toBe(JSON.stringify({ gameDayId: GAMEDAY_ID }));
      // UpdateSchedule got the schedule back whole: its target and role are still there.
      expect(schedule.target.RoleArn).toBe(`arn:aws:iam::111122223333:role/shop-dev-${region}-gameday-schedule`);
    }
    // The evidence pack is under COMPLIANCE object lock for 400 days in the surviving Region's bucket.
    const evidence = model.s3.objects.get(`${shop.buckets[WEST]}/gamedays/${GAMEDAY_ID}/evidence/evidence.json`)!;
    expect(evidence.lock?.mode).toBe('COMPLIANCE');
    const pack = JSON.parse(evidence.body.toString('utf8'));
    expect(pack).toMatchObject({ verdict: 'PASSED', kind: 'gameday', by: { actor: 'octocat', approver: 'hubot' } });
    expect(pack.score.classes.lost_insert.expected).toBe(lost.length);
    // Detection is the surviving Region's canary against the public name going into ALARM, a minute after the fault.
    expect(pack.score.rto.phases.detectionMs).toBe(60_000);
    expect(outcomes[6]!.evidenceUrl).toBe(
      `https://${WEST}.console.aws.amazon.com/s3/object/${shop.buckets[WEST]}?region=${WEST}&bucketType=general&prefix=${encodeURIComponent(`gamedays/${GAMEDAY_ID}/evidence/evidence.html`)}`,
    );
  });

  test('GIVEN a report that misses a lost order WHEN the game day is scored THEN it is FAILED', async () => {
    const { outcomes } = await play({ reportMisses: 1 }, ALL);
    expect(statuses(outcomes).slice(6)).toEqual(['score: failed FAILED', 'clean-up: succeeded FAILED']);
  });

  test('GIVEN an experiment that fails before its actions run WHEN inject runs THEN the game day is INCONCLUSIVE: the fault never fired; nothing fails over and clean-up disables the shoppers', async () => {
    const { outcomes, model, shop } = await play({ experiment: 'fails-to-start' }, ALL);
    expect(statuses(outcomes)).toEqual([
      'preflight: succeeded',
      'start-traffic: succeeded',
      'inject: inconclusive INCONCLUSIVE',
      'failover: inconclusive INCONCLUSIVE',
      'await-return: inconclusive INCONCLUSIVE',
      'recover: inconclusive INCONCLUSIVE',
      'score: inconclusive INCONCLUSIVE',
      'clean-up: succeeded INCONCLUSIVE',
    ]);
    expect(outcomes[2]!.summary).toContain(
      'the fault never fired: FIS experiment EXP00000000000001 in us-east-1 is failed',
    );
    expect(shop.writers()).toEqual({ 'shop-dev-catalog-global': EAST, 'shop-dev-orders-global': EAST });
    expect(model.scheduler.enabled(EAST, 'shop-dev-synthetic-shopper')).toBe(false);
  });

  test('GIVEN an experiment that stays pending WHEN inject waits THEN it stops the experiment and the game day is INCONCLUSIVE', async () => {
    const { outcomes, model } = await play({ experiment: 'stays-pending' }, [
      'preflight',
      'start-traffic',
      'inject',
      'clean-up',
    ]);
    expect(outcomes[2]!.summary).toContain('is pending after 5 minutes');
    game!.world.advance(60);
    expect([...model.fis.experiments.values()][0]!.status).toBe('stopped');
  });

  test('GIVEN shoppers whose acknowledgments never arrive WHEN start-traffic runs THEN the game day is INCONCLUSIVE: traffic never flowed, and no fault is injected', async () => {
    const { outcomes, model } = await play({ shoppersWork: false }, [
      'preflight',
      'start-traffic',
      'inject',
      'clean-up',
    ]);
    expect(statuses(outcomes)).toEqual([
      'preflight: succeeded',
      'start-traffic: inconclusive INCONCLUSIVE',
      'inject: inconclusive INCONCLUSIVE',
      'clean-up: succeeded INCONCLUSIVE',
    ]);
    expect(outcomes[1]!.summary).toContain('traffic never flowed');
    expect(model.fis.experiments.size).toBe(0);
  });

  test('GIVEN Aurora never takes the old primary snapshot WHEN recover runs THEN the game day is INCONCLUSIVE: the snapshot never appeared', async () => {
    const { outcomes, world } = await play({ noFailoverSnapshot: true }, [
      'preflight',
      'start-traffic',
      'inject',
      'failover',
      'await-return',
      'recover',
      'clean-up',
    ]);
    expect(statuses(outcomes).slice(5)).toEqual([
      'recover: inconclusive INCONCLUSIVE',
      'clean-up: succeeded INCONCLUSIVE',
    ]);
    expect(outcomes[5]!.summary).toContain('the snapshot never appeared');
    const record = JSON.parse(world.model.s3.text(world.shop.buckets[WEST]!, gameDayRecordKey(GAMEDAY_ID))!);
    expect(record.verdict).toBe('INCONCLUSIVE');
  });
});
