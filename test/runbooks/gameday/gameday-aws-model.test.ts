import {
  GAMEDAY_PHASES,
  type GameDayInput,
  type GameDayPhase,
  type PhaseOutcome,
  runGameDayPhase,
} from '../../../runbooks/gameday';
import { gameDayRecordKey } from '../../../runbooks/gameday/gameday-record';
import { EAST, WEST } from '../aws-scenarios/aws-world';
import { GAMEDAY_ID, type ModelGameDayOptions, modelGameDay, REMOVAL_FUNCTION } from './model-gameday';

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

/** Every phase, in the workflow's order. */
const ALL: readonly GameDayPhase[] = GAMEDAY_PHASES;

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
    // Clean-up removed the game day's synthetic orders from the writer (us-west-2 after the failover) through the
    // removal function of that Region, invoked synchronously with the ledger's order ids. What is left is only in
    // the old primary the model keeps (the lost orders: Aurora rebuilds that cluster from the new primary).
    expect(acks.filter((a) => databases[WEST]!.has(a.order_id))).toEqual([]);
    expect([...databases[EAST]!].sort()).toEqual(lost.map((a) => a.order_id).sort());
    expect(acks.some((a) => a.region === WEST)).toBe(true);
    expect(
      model.lambda.invocations.map((i) => ({ ...i, event: [...(i.event as { orderIds: string[] }).orderIds].sort() })),
    ).toEqual([{ region: WEST, functionName: REMOVAL_FUNCTION, event: acks.map((a) => a.order_id).sort() }]);
    expect(model.calls.all().filter((c) => c.service === 'lambda')).toEqual([
      expect.objectContaining({ operation: 'Invoke', region: WEST, outcome: 'ok' }),
    ]);
    expect(outcomes[7]!.summary).toContain(`synthetic orders: ${acks.length - lost.length} of ${acks.length} removed`);
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

  // Issue 16: "Synthetic orders are marked so business metrics and the report can tell them apart, and are removed by
  // the game day's clean-up."
  describe('clean-up removes the synthetic orders through the removal function', () => {
    test('GIVEN a game day that never failed over WHEN clean-up runs THEN the function of the surviving Region names the writer Region and the removal goes there', async () => {
      const { outcomes, model, acks, databases } = await play({ experiment: 'fails-to-start' }, ALL);
      expect(statuses(outcomes).at(-1)).toBe('clean-up: succeeded INCONCLUSIVE');
      expect(model.lambda.invocations.map((i) => i.region)).toEqual([WEST, EAST]);
      expect(acks.length).toBeGreaterThan(0);
      expect(acks.filter((a) => databases[EAST]!.has(a.order_id) || databases[WEST]!.has(a.order_id))).toEqual([]);
      expect(outcomes.at(-1)!.summary).toContain(`synthetic orders: ${acks.length} of ${acks.length} removed`);
    });

    test('GIVEN acknowledged orders the shop holds as real orders WHEN clean-up runs THEN they are kept and named, the synthetic ones removed', async () => {
      const { outcomes, acks, databases, real, looked } = await play({ realOrders: 2 }, ALL);
      const kept = [...real].sort();
      expect(kept).toHaveLength(2);
      expect(kept.every((id) => databases[WEST]!.has(id))).toBe(true);
      expect(acks.filter((a) => !real.has(a.order_id) && databases[WEST]!.has(a.order_id))).toEqual([]);
      expect(outcomes.at(-1)!.summary).toContain(
        `WARNING: synthetic orders: 2 listed order(s) are not synthetic and were kept (never deleted): ${kept.join(', ')}`,
      );
      // Removed: every synthetic order the writer held (not the lost ones, which it never got).
      const lost = acks.filter((a) => looked[a.order_id]?.present === false);
      expect(outcomes.at(-1)!.summary).toContain(
        `synthetic orders: ${acks.length - lost.length - kept.length} of ${acks.length} removed`,
      );
    });

    test('GIVEN a clean-up before the game day has a verdict (a pause) WHEN it runs THEN no order is removed and the function is not invoked', async () => {
      const { outcomes, model, acks, databases } = await play({}, ['preflight', 'start-traffic', 'clean-up']);
      expect(statuses(outcomes).at(-1)).toBe('clean-up: succeeded');
      expect(outcomes.at(-1)!.summary).toContain('synthetic orders: kept (the game day has no verdict yet');
      expect(model.lambda.invocations).toEqual([]);
      expect(acks.length).toBeGreaterThan(0);
      expect(acks.every((a) => databases[EAST]!.has(a.order_id))).toBe(true);
    });

    test('GIVEN no removal function deployed WHEN clean-up runs THEN it fails naming the function and asks to be run again', async () => {
      const { outcomes, acks } = await play({ removalFunction: false }, ALL);
      expect(statuses(outcomes).at(-1)).toBe('clean-up: failed PASSED');
      expect(outcomes.at(-1)!.summary).toContain('clean-up: incomplete, run it again');
      expect(outcomes.at(-1)!.summary).toContain(
        `FAILED: synthetic orders: ${acks.length} of ${acks.length} not removed`,
      );
      expect(outcomes.at(-1)!.summary).toContain('Function not found: shop-dev-remove-synthetic-orders');
      // The ids are named up to 10, then counted.
      expect(outcomes.at(-1)!.summary).toContain(`and ${acks.length - 10} more)`);
    });
  });
});
