import { type GameDayInput, type GameDayPhase, runGameDayPhase } from '../../../runbooks/gameday';
import { gameDayRecordKey } from '../../../runbooks/gameday/gameday-record';
import { InMemoryGameDay } from './in-memory-gameday-ports';

const input: GameDayInput = {
  gameDayId: 'gd-20261207T050000Z-ab12',
  failedRegion: 'us-east-1',
  survivingRegion: 'us-west-2',
  actor: 'octocat',
  approver: 'hubot',
  dryRun: false,
};
const recordAt = `us-west-2|${gameDayRecordKey(input.gameDayId)}`;

async function runPhases(world: InMemoryGameDay, phases: readonly GameDayPhase[], given = input) {
  const outcomes = [];
  for (const phase of phases) outcomes.push(await runGameDayPhase(phase, given, world.ports()));
  return outcomes;
}

const snapshotMissing = () => ({
  executionId: '44444444-4444-4444-8444-444444444444',
  status: 'Failed',
  ended: true,
  succeeded: false,
  steps: [
    {
      name: 'find-orders-snapshot',
      status: 'Failed',
      failureMessage: 'no snapshot rds:unplanned-global-failover-shop-dev-orders-* taken after the failover',
    },
  ],
});

describe('runGameDayPhase', () => {
  test('GIVEN a ready deployment WHEN every phase runs THEN each succeeds in order and clean-up leaves nothing running', async () => {
    const world = new InMemoryGameDay();
    const outcomes = await runPhases(world, ['preflight', 'start-traffic', 'inject', 'failover']);
    expect(outcomes.map((o) => `${o.phase}: ${o.status}`)).toEqual([
      'preflight: succeeded',
      'start-traffic: succeeded',
      'inject: succeeded',
      'failover: succeeded',
    ]);
    world.failedRegionAnswers = true;
    const later = await runPhases(world, ['await-return', 'recover', 'clean-up']);
    expect(later.map((o) => `${o.phase}: ${o.status}`)).toEqual([
      'await-return: succeeded',
      'recover: succeeded',
      'clean-up: succeeded',
    ]);
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(record).toMatchObject({
      format: 'multi-region-shop/gameday-record@1',
      gameDayId: input.gameDayId,
      actor: 'octocat',
      approver: 'hubot',
      experiment: { id: 'EXP1234567890abcd', region: 'us-east-1', templateId: 'EXT1a2b3c4d5e6f7' },
      failover: { executionId: '22222222-2222-4222-8222-222222222222', status: 'Success' },
      recover: { executionId: '33333333-3333-4333-8333-333333333333', status: 'Success' },
    });
    expect(record.experiment.firedAt).toBeDefined();
    expect(record.failover.trafficMovedAt).toBeDefined();
    expect(world.calls).toEqual(
      expect.arrayContaining([
        'runbook readiness us-east-1 dry-run',
        'runbook readiness us-west-2 dry-run',
        `schedule us-east-1 enable ${input.gameDayId}`,
        `schedule us-west-2 enable ${input.gameDayId}`,
        `fis.start us-east-1 EXT1a2b3c4d5e6f7 ${input.gameDayId}`,
        'runbook failover us-west-2',
        'runbook recover us-west-2',
        'fis.stop us-east-1 EXP1234567890abcd',
        'schedule us-east-1 disable',
        'schedule us-west-2 disable',
      ]),
    );
    expect([...world.schedules.values()]).toEqual([false, false]);
    // No verdict yet (score did not run): the clean-up is a pause and keeps the orders for the score.
    expect(world.removed).toEqual([]);
    expect(later[2]?.summary).toContain('synthetic orders: kept (the game day has no verdict yet');
  });

  test('GIVEN a backup older than a day and no FIS template WHEN preflight runs THEN it is INCONCLUSIVE naming both', async () => {
    const world = new InMemoryGameDay();
    world.backupsAgeHours = 30;
    world.templates.clear();
    const [outcome] = await runPhases(world, ['preflight']);
    expect(outcome).toMatchObject({ phase: 'preflight', status: 'inconclusive', verdict: 'INCONCLUSIVE' });
    expect(outcome?.summary).toContain(
      'backup of orders in us-east-1: the newest (rds:shop-dev-orders-2026-12-07-03-00, 2026-12-05T23:00:00.000Z) is 30.0 hours old; accepted: younger than 24 hours',
    );
    expect(outcome?.summary).toContain(
      'FIS experiment template in us-east-1: none (deploy with gameDays.enabled true)',
    );
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(record.verdict).toBe('INCONCLUSIVE');
    const [next] = await runPhases(world, ['start-traffic']);
    expect(next).toMatchObject({ status: 'inconclusive', verdict: 'INCONCLUSIVE' });
    expect(world.calls).not.toContain(`schedule us-east-1 enable ${input.gameDayId}`);
  });

  test('GIVEN a dry run WHEN preflight and start-traffic run THEN nothing is recorded or enabled', async () => {
    const world = new InMemoryGameDay();
    const outcomes = await runPhases(world, ['preflight', 'start-traffic', 'inject', 'clean-up'], {
      ...input,
      dryRun: true,
    });
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(outcomes[0]?.summary).toContain('Dry run: nothing was changed');
    expect(world.objects.size).toBe(0);
    expect(world.calls.filter((c) => !c.endsWith('dry-run'))).toEqual([]);
  });

  test('GIVEN shoppers whose acknowledgments never arrive WHEN start-traffic runs THEN it is INCONCLUSIVE: traffic never flowed', async () => {
    const world = new InMemoryGameDay();
    world.shoppersWork = false;
    const [, outcome] = await runPhases(world, ['preflight', 'start-traffic']);
    expect(outcome).toMatchObject({ status: 'inconclusive', verdict: 'INCONCLUSIVE' });
    expect(outcome?.summary).toContain(
      "traffic never flowed: no new acknowledgment ledger of us-east-1 under gamedays/gd-20261207T050000Z-ab12/acks/us-east-1/ in us-west-2's report bucket within 10 minutes",
    );
    const [inject] = await runPhases(world, ['inject']);
    expect(inject?.verdict).toBe('INCONCLUSIVE');
    expect(world.calls.some((c) => c.startsWith('fis.start'))).toBe(false);
  });

  test('GIVEN an experiment that fails before any action WHEN inject runs THEN it is INCONCLUSIVE: the fault never fired', async () => {
    const world = new InMemoryGameDay();
    world.experimentScript = 'fails-to-start';
    const [, , outcome] = await runPhases(world, ['preflight', 'start-traffic', 'inject']);
    expect(outcome).toMatchObject({ status: 'inconclusive', verdict: 'INCONCLUSIVE' });
    expect(outcome?.summary).toContain(
      'the fault never fired: FIS experiment EXP1234567890abcd in us-east-1 is failed (Target resolution failed: no resources match the tags), and none of its actions ran (disrupt-connectivity: pending)',
    );
    expect(world.calls).not.toContain('fis.stop us-east-1 EXP1234567890abcd');
    const [failover] = await runPhases(world, ['failover']);
    expect(failover?.verdict).toBe('INCONCLUSIVE');
    expect(world.calls).not.toContain('runbook failover us-west-2');
  });

  test('GIVEN an experiment whose isolation action fails while another fault action ran WHEN inject runs THEN it is INCONCLUSIVE: the fault did not run as planned, and no failover runs (review 16c S3)', async () => {
    const world = new InMemoryGameDay();
    world.experimentScript = 'one-action-fails';
    const [, , outcome] = await runPhases(world, ['preflight', 'start-traffic', 'inject']);
    expect(outcome).toMatchObject({ status: 'inconclusive', verdict: 'INCONCLUSIVE' });
    expect(outcome?.summary).toContain(
      'the fault did not run as planned: FIS experiment EXP1234567890abcd in us-east-1 is failed (Action DisruptSubnetConnectivity failed: route table limit exceeded), and not every fault action ran (BlackholeDatabase0: stopped, DisruptSubnetConnectivity: failed)',
    );
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(record.experiment).toMatchObject({
      status: 'failed',
      reason: 'Action DisruptSubnetConnectivity failed: route table limit exceeded',
    });
    expect(Date.parse(record.experiment.endedAt) - Date.parse(record.experiment.startedAt)).toBe(30_000);
    expect(record.experiment.firedAt).toBeUndefined();
    const [failover] = await runPhases(world, ['failover']);
    expect(failover?.verdict).toBe('INCONCLUSIVE');
    expect(world.calls).not.toContain('runbook failover us-west-2');
  });

  test('GIVEN the failover moving the catalog writer after 1 min and the orders writer after 25 min WHEN failover runs THEN writersMovedAt is when the last one moved, and recover keeps the failover start as its failover moment (review 16c S7)', async () => {
    const world = new InMemoryGameDay();
    const ok = world.runbookAnswers.failover!;
    world.runbookAnswers.failover = (r) => ({
      ...ok(r),
      steps: [
        { name: 'shift-traffic', status: 'Success', endedAt: new Date(world.clock.now().getTime() + 1000) },
        {
          name: 'wait-for-catalog-failover',
          status: 'Success',
          endedAt: new Date(world.clock.now().getTime() + 60_000),
        },
        {
          name: 'wait-for-orders-failover',
          status: 'Success',
          endedAt: new Date(world.clock.now().getTime() + 25 * 60_000),
        },
      ],
    });
    const ports = () => ({
      ...world.ports(),
      regions: { ...world.ports().regions, databases: () => ['catalog', 'orders'] },
    });
    // Preflight looks for a backup of each database; the in-memory world has the orders one only.
    for (const phase of ['preflight', 'start-traffic', 'inject'] as const)
      await runGameDayPhase(phase, input, world.ports());
    expect((await runGameDayPhase('failover', input, ports())).status).toBe('succeeded');
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(Date.parse(record.failover.writersMovedAt) - Date.parse(record.failover.startedAt)).toBe(25 * 60_000);
    await world.clock.sleep(60_000);
    world.failedRegionAnswers = true;
    for (const phase of ['await-return', 'recover'] as const) await runGameDayPhase(phase, input, ports());
    const after = JSON.parse(world.objects.get(recordAt) as string);
    const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    expect(after.recover.reportPrefix).toBe(`runs/recover/failover-${compact(record.failover.startedAt)}/`);
  });

  test('GIVEN routing mode region-switch (the traffic moves with the plan step) WHEN failover runs THEN the traffic-moved moment is the end of that step (issue 18)', async () => {
    const world = new InMemoryGameDay();
    const ok = world.runbookAnswers.failover!;
    world.runbookAnswers.failover = (r) => ({
      ...ok(r),
      steps: [
        {
          name: 'run-region-switch-plan',
          status: 'Success',
          endedAt: new Date(world.clock.now().getTime() + 4 * 60_000),
        },
        {
          name: 'wait-for-orders-failover',
          status: 'Success',
          endedAt: new Date(world.clock.now().getTime() + 5 * 60_000),
        },
      ],
    });
    for (const phase of ['preflight', 'start-traffic', 'inject'] as const)
      await runGameDayPhase(phase, input, world.ports());
    expect((await runGameDayPhase('failover', input, world.ports())).status).toBe('succeeded');
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(Date.parse(record.failover.trafficMovedAt) - Date.parse(record.failover.startedAt)).toBe(4 * 60_000);
  });

  test('GIVEN a failover whose steps show only one of two databases moved WHEN failover runs THEN no writers-moved moment is recorded (review 16c S7)', async () => {
    const world = new InMemoryGameDay();
    const ports = () => ({
      ...world.ports(),
      regions: { ...world.ports().regions, databases: () => ['catalog', 'orders'] },
    });
    // Preflight looks for a backup of each database; the in-memory world has the orders one only.
    for (const phase of ['preflight', 'start-traffic', 'inject'] as const)
      await runGameDayPhase(phase, input, world.ports());
    expect((await runGameDayPhase('failover', input, ports())).status).toBe('succeeded');
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(record.failover.trafficMovedAt).toEqual(expect.any(String));
    expect(record.failover.writersMovedAt).toBeUndefined();
  });

  test('GIVEN an experiment that never runs WHEN inject waits its 5 minutes THEN it stops the experiment and is INCONCLUSIVE', async () => {
    const world = new InMemoryGameDay();
    world.experimentScript = 'never-runs';
    const [, , outcome] = await runPhases(world, ['preflight', 'start-traffic', 'inject']);
    expect(outcome?.summary).toContain(
      'the fault never fired: FIS experiment EXP1234567890abcd in us-east-1 is initiating after 5 minutes',
    );
    expect(outcome?.summary).toContain('experiment EXP1234567890abcd was stopped');
    expect(world.calls).toContain('fis.stop us-east-1 EXP1234567890abcd');
  });

  test('GIVEN the old primary never snapshotted WHEN recover runs THEN it retries for 30 minutes and is INCONCLUSIVE: the snapshot never appeared', async () => {
    const world = new InMemoryGameDay();
    world.runbookAnswers['recover'] = snapshotMissing;
    await runPhases(world, ['preflight', 'start-traffic', 'inject', 'failover']);
    world.failedRegionAnswers = true;
    const [, outcome] = await runPhases(world, ['await-return', 'recover']);
    expect(outcome).toMatchObject({ status: 'inconclusive', verdict: 'INCONCLUSIVE' });
    expect(outcome?.summary).toContain(
      "the snapshot never appeared: recover (execution 44444444-4444-4444-8444-444444444444) found no unplanned-failover snapshot of the old primary within 30 minutes of us-east-1's return (find-orders-snapshot: no snapshot",
    );
    expect(world.calls.filter((c) => c === 'runbook recover us-west-2').length).toBe(121);
  });

  test('GIVEN a failed Region that does not return WHEN await-return runs THEN it fails without a verdict and a re-run waits again', async () => {
    const world = new InMemoryGameDay();
    await runPhases(world, ['preflight', 'start-traffic', 'inject', 'failover']);
    const [first] = await runPhases(world, ['await-return']);
    expect(first).toMatchObject({ status: 'failed' });
    expect(first?.verdict).toBeUndefined();
    expect(first?.summary).toContain(
      'us-east-1 does not answer yet after 50 minutes (https://lb/health: timeout after 5 s)',
    );
    world.failedRegionAnswers = true;
    const [second] = await runPhases(world, ['await-return']);
    expect(second).toMatchObject({ status: 'succeeded' });
  });

  test('GIVEN a failover runbook that fails WHEN failover runs THEN the game day is FAILED', async () => {
    const world = new InMemoryGameDay();
    world.runbookAnswers['failover'] = () => ({
      executionId: '55555555-5555-4555-8555-555555555555',
      status: 'Failed',
      ended: true,
      succeeded: false,
      failure: 'verify-writers: orders writer is still in us-east-1',
    });
    const [, , , outcome] = await runPhases(world, ['preflight', 'start-traffic', 'inject', 'failover']);
    expect(outcome).toMatchObject({ status: 'failed', verdict: 'FAILED' });
    expect(outcome?.summary).toBe(
      'failover: FAILED: the failover runbook (execution 55555555-5555-4555-8555-555555555555) ended Failed: verify-writers: orders writer is still in us-east-1',
    );
  });

  test.each([
    [
      'another game day',
      {
        format: 'multi-region-shop/gameday-record@1',
        gameDayId: 'gd-20261207T050000Z-zz99',
        failedRegion: 'us-east-1',
        survivingRegion: 'us-west-2',
        actor: 'a',
        createdAt: '2026-12-07T05:00:00.000Z',
        phases: {},
      },
      'gameDayId is "gd-20261207T050000Z-zz99"; accepted: "gd-20261207T050000Z-ab12" (the record of another game day is never used',
    ],
    [
      'swapped Regions',
      {
        format: 'multi-region-shop/gameday-record@1',
        gameDayId: input.gameDayId,
        failedRegion: 'us-west-2',
        survivingRegion: 'us-west-2',
        actor: 'a',
        createdAt: '2026-12-07T05:00:00.000Z',
        phases: {},
      },
      'failedRegion is "us-west-2"; accepted: "us-east-1"',
    ],
    [
      'a bad record',
      {
        format: 'multi-region-shop/gameday-record@1',
        gameDayId: input.gameDayId,
        phases: { inject: { status: 'maybe' } },
      },
      'not a valid game-day record: failedRegion: missing',
    ],
  ])(
    'GIVEN a stored record of %s WHEN a phase runs THEN it is refused naming the field',
    async (_name, stored, message) => {
      const world = new InMemoryGameDay();
      world.objects.set(recordAt, JSON.stringify(stored));
      const [outcome] = await runPhases(world, ['inject']);
      expect(outcome?.status).toBe('failed');
      expect(outcome?.summary).toContain(message);
      expect(world.calls).toEqual([]);
    },
  );

  test('GIVEN an input with a bad game-day id and one Region twice WHEN a phase runs THEN it is refused naming both fields', async () => {
    const world = new InMemoryGameDay();
    const [outcome] = await runPhases(world, ['preflight'], {
      ...input,
      gameDayId: 'gd-today',
      survivingRegion: 'us-east-1',
    });
    expect(outcome?.summary).toBe(
      'preflight refused: gameDayId: "gd-today"; accepted: gd-<UTC start as yyyymmddThhmmssZ>-<4 lower-case letters or digits>, e.g. "gd-20261207T043000Z-a1b2"; survivingRegion: "us-east-1" equals failedRegion; accepted: the deployment\'s other Region',
    );
  });

  test('GIVEN a game day with a verdict and orders the shop cannot remove WHEN clean-up runs THEN it says so as a warning, disables the schedules and still succeeds', async () => {
    const world = new InMemoryGameDay();
    world.removeNote = '3 synthetic order(s) left in place: no API of the shop removes an order';
    world.shoppersWork = false;
    await runPhases(world, ['preflight', 'start-traffic']);
    const [outcome] = await runPhases(world, ['clean-up']);
    expect(outcome).toMatchObject({ status: 'succeeded', verdict: 'INCONCLUSIVE' });
    expect(outcome?.summary).toContain(
      'WARNING: synthetic orders: 3 synthetic order(s) left in place: no API of the shop removes an order',
    );
    expect([...world.schedules.values()]).toEqual([false, false]);
  });

  test('GIVEN a schedule that cannot be disabled WHEN clean-up runs THEN it fails naming it and still stops the experiment', async () => {
    const world = new InMemoryGameDay();
    await runPhases(world, ['preflight', 'start-traffic', 'inject']);
    const ports = world.ports();
    const failing = {
      ...ports,
      schedules: {
        ...ports.schedules,
        disable: async () => Promise.reject(new Error('AccessDeniedException: not allowed')),
      },
    };
    const outcome = await runGameDayPhase('clean-up', input, failing);
    expect(outcome).toMatchObject({ status: 'failed', verdict: 'INCONCLUSIVE' });
    expect(outcome.summary).toContain(
      'FAILED: shopper schedule of us-east-1: not disabled (AccessDeniedException: not allowed)',
    );
    expect(world.calls).toContain('fis.stop us-east-1 EXP1234567890abcd');
  });

  test('GIVEN a clean-up after start-traffic failed (no verdict) WHEN the game day is resumed at inject THEN inject refuses until start-traffic ran again, and the orders were kept', async () => {
    const world = new InMemoryGameDay();
    await runPhases(world, ['preflight', 'start-traffic']);
    const [pause] = await runPhases(world, ['clean-up']);
    expect(pause?.verdict).toBeUndefined();
    expect(world.removed).toEqual([]);
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(record.traffic.stoppedAt).toBeDefined();
    const [refused] = await runPhases(world, ['inject']);
    expect(refused?.status).toBe('failed');
    expect(refused?.summary).toMatch(
      /^inject refused: the shoppers were stopped at .+ \(a clean-up\); run start-traffic first/,
    );
    expect(world.calls.some((c) => c.startsWith('fis.start'))).toBe(false);
    const [again, inject] = await runPhases(world, ['start-traffic', 'inject']);
    expect([again?.status, inject?.status]).toEqual(['succeeded', 'succeeded']);
  });

  test('GIVEN the fault fired and the failover job failed WHEN clean-up runs THEN it stops the experiment and ends the game day INCONCLUSIVE: it cannot be resumed without its fault', async () => {
    const world = new InMemoryGameDay();
    world.runbookAnswers['failover'] = () => {
      throw new Error('ThrottlingException: Rate exceeded');
    };
    await runPhases(world, ['preflight', 'start-traffic', 'inject', 'failover']);
    const [outcome] = await runPhases(world, ['clean-up']);
    expect(outcome).toMatchObject({ status: 'succeeded', verdict: 'INCONCLUSIVE' });
    expect(outcome?.summary).toContain(
      'WARNING: the game day was interrupted: clean-up stopped FIS experiment EXP1234567890abcd (running) before the failover succeeded',
    );
    expect(world.removed.length).toBeGreaterThan(0);
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(record).toMatchObject({ verdict: 'INCONCLUSIVE' });
  });

  test('GIVEN a shopper schedule already enabled WHEN preflight runs THEN it is INCONCLUSIVE naming it', async () => {
    const world = new InMemoryGameDay();
    world.schedules.set('us-west-2', true);
    const [outcome] = await runPhases(world, ['preflight']);
    expect(outcome?.verdict).toBe('INCONCLUSIVE');
    expect(outcome?.summary).toContain("shopper schedule in us-west-2: already enabled (another game day's shoppers");
  });

  test('GIVEN start-traffic WHEN it enables the schedules THEN they end 12 hours after the start time the game-day id encodes', async () => {
    const world = new InMemoryGameDay();
    await runPhases(world, ['preflight', 'start-traffic']);
    expect(world.endDates.get('us-east-1')).toEqual(new Date('2026-12-07T17:00:00.000Z'));
    expect(world.endDates.get('us-west-2')).toEqual(new Date('2026-12-07T17:00:00.000Z'));
    const record = JSON.parse(world.objects.get(recordAt) as string);
    expect(record.phases['start-traffic'].by).toEqual({ actor: 'octocat', approver: 'hubot' });
  });

  test('GIVEN runbooks that take long WHEN preflight and recover run THEN every runbook is followed only for the time left of the phase, and recover stops by its deadline asking to be run again', async () => {
    const world = new InMemoryGameDay();
    const follows: string[] = [];
    const slow =
      (minutes: number, answer: () => import('../../../runbooks/gameday').RunbookExecution) =>
      (request: { followMinutes?: number }) => {
        follows.push(String(request.followMinutes));
        // A dispatch follows at most followMinutes, as AwsRunbookDispatch does.
        const followed = Math.min(minutes, request.followMinutes ?? minutes);
        world.clock.time = new Date(world.clock.time.getTime() + followed * 60_000);
        return answer();
      };
    const readinessOk = world.runbookAnswers['readiness']!;
    world.runbookAnswers['readiness'] = slow(1, () => readinessOk({}));
    await runPhases(world, ['preflight', 'start-traffic', 'inject', 'failover']);
    expect(follows).toEqual(['50', '50']);
    world.failedRegionAnswers = true;
    follows.length = 0;
    world.runbookAnswers['recover'] = slow(10, snapshotMissing);
    const ports = { ...world.ports(), settings: { pollSeconds: 15, phaseMinutes: 40, snapshotWaitMinutes: 120 } };
    await runGameDayPhase('await-return', input, ports);
    const started = world.clock.now().getTime();
    const outcome = await runGameDayPhase('recover', input, ports);
    expect(follows).toEqual(['40', '29', '19', '9']);
    expect(world.clock.now().getTime() - started).toBeLessThanOrEqual(40 * 60_000);
    expect(outcome.status).toBe('failed');
    expect(outcome.verdict).toBeUndefined();
    expect(outcome.summary).toContain("recover: the old primary's snapshot is not there yet");
    expect(outcome.summary).toContain('run this phase again');
  });

  test('GIVEN a surviving Region whose shop the runner cannot read WHEN preflight runs THEN it is INCONCLUSIVE naming it', async () => {
    const world = new InMemoryGameDay();
    const ports = world.ports();
    const blind = {
      ...ports,
      regions: {
        ...ports.regions,
        answers: async () => ({ servicesAnswer: false, databasesAnswer: true, problems: ['https://lb: HTTP 301'] }),
      },
    };
    const outcome = await runGameDayPhase('preflight', input, blind);
    expect(outcome.verdict).toBe('INCONCLUSIVE');
    expect(outcome.summary).toContain(
      'the shop of us-west-2 does not answer the runner (https://lb: HTTP 301): the score could not read any order',
    );
  });

  test('GIVEN a game day that failed the other Region WHEN it is resumed with the default failed Region THEN every phase says which Region to dispatch with, and clean-up fails saying so', async () => {
    const world = new InMemoryGameDay();
    await runPhases(world, ['preflight']);
    const swapped = { ...input, failedRegion: 'us-west-2', survivingRegion: 'us-east-1' };
    const [inject] = await runPhases(world, ['inject'], swapped);
    expect(inject?.summary).toBe(
      "inject refused: the record of gd-20261207T050000Z-ab12 is in us-west-2's report bucket, not us-east-1's: this game day failed us-east-1; dispatch again with failed_region us-east-1",
    );
    const [cleanUp] = await runPhases(world, ['clean-up'], swapped);
    expect(cleanUp?.status).toBe('failed');
    expect(cleanUp?.summary).toContain('FAILED: the record of gd-20261207T050000Z-ab12 is in us-west-2');
  });
});
