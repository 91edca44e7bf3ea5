import { createHash } from 'node:crypto';
import { type GameDayInput, runGameDayPhase } from '../../../runbooks/gameday';
import { gameDayRecordKey } from '../../../runbooks/gameday/gameday-record';
import { parseLedger } from '../../../runbooks/scoring/acknowledged-write';
import { InMemoryGameDay } from './in-memory-gameday-ports';

const input: GameDayInput = {
  gameDayId: 'gd-20261207T050000Z-ab12',
  failedRegion: 'us-east-1',
  survivingRegion: 'us-west-2',
  actor: 'octocat',
  approver: 'hubot',
  dryRun: false,
};

/** Runs every phase up to recover; returns the acknowledged orders (oldest first). */
async function throughRecover(world: InMemoryGameDay) {
  for (const phase of ['preflight', 'start-traffic', 'inject', 'failover'] as const) {
    const outcome = await runGameDayPhase(phase, input, world.ports());
    expect(outcome.status).toBe('succeeded');
  }
  // A minute of shopping after the failover: the surviving Region acknowledges.
  await world.clock.sleep(60_000);
  world.failedRegionAnswers = true;
  for (const phase of ['await-return', 'recover'] as const) {
    expect((await runGameDayPhase(phase, input, world.ports())).status).toBe('succeeded');
  }
  const acks = [...world.objects.entries()]
    .filter(([key]) => key.includes('/acks/'))
    .flatMap(([key, text]) => parseLedger(text, key));
  return acks.sort((a, b) => a.acknowledged_at.localeCompare(b.acknowledged_at));
}

/**
 * Stores the orders report listing `lost`. Its cut (the last replicated moment) is half a second before the earliest
 * lost acknowledgment given (`at`), as reconcile's cut precedes every lost write (review 16c S6); else the fault.
 */
function storeReport(world: InMemoryGameDay, lost: readonly { id: string; shopper: string; at?: string }[]) {
  const record = JSON.parse(world.objects.get(`us-west-2|${gameDayRecordKey(input.gameDayId)}`) as string);
  const times = lost.flatMap((o) => (o.at ? [Date.parse(o.at)] : []));
  const cut = times.length > 0 ? new Date(Math.min(...times) - 500).toISOString() : record.experiment.firedAt;
  world.objects.set(
    `us-west-2|${record.recover.reportPrefix}orders/report.json`,
    JSON.stringify({
      format: 'multi-region-shop/reconcile-report@2',
      status: 'complete',
      cut,
      tables: {
        orders: {
          rows: lost.map((o) => ({
            class: 'lost_insert',
            id: o.id,
            old: { id: o.id, customer_id: o.shopper, synthetic: true },
            new: null,
            duplicateOf: null,
          })),
        },
      },
    }),
  );
}

describe('the score phase', () => {
  test('GIVEN a report that lists exactly the acknowledged orders the new primary lacks WHEN score runs THEN recall and precision are 100 % and the evidence is stored under object lock', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    const beforeFault = acks.filter((a) => a.region === 'us-east-1');
    expect(beforeFault.length).toBeGreaterThanOrEqual(2);
    expect(acks.some((a) => a.region === 'us-west-2')).toBe(true);
    const lost = beforeFault.slice(-2).map((a) => ({ id: a.order_id, shopper: a.shopper, at: a.acknowledged_at }));
    for (const ack of acks) {
      if (!lost.some((l) => l.id === ack.order_id))
        world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    }
    storeReport(world, lost);
    const outcome = await runGameDayPhase('score', input, world.ports());
    expect(outcome).toMatchObject({ phase: 'score', status: 'succeeded', verdict: 'PASSED' });
    // The fake shoppers only place orders: the summary and the pack say which classes were not judged.
    expect(outcome.summary).toContain(
      'Not judged: no order_cancelled acknowledgment: lost updates (cancels) not exercised by this game day.',
    );
    expect(outcome.summary).toContain('recall 100 %, precision 100 %');
    expect(outcome.evidenceUrl).toBe(
      'https://console.aws.amazon.com/s3/object/us-west-2-reports?prefix=gamedays/gd-20261207T050000Z-ab12/evidence/evidence.html',
    );
    expect(world.calls).toEqual(
      expect.arrayContaining([
        `put-locked us-west-2 gamedays/${input.gameDayId}/evidence/evidence.json`,
        `put-locked us-west-2 gamedays/${input.gameDayId}/evidence/evidence.html`,
        `put-locked us-west-2 gamedays/${input.gameDayId}/evidence/evidence.sha256`,
      ]),
    );
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    expect(evidence).toMatchObject({
      format: 'multi-region-shop/evidence-pack@1',
      kind: 'gameday',
      id: input.gameDayId,
      by: { actor: 'octocat', approver: 'hubot' },
      regions: { failed: 'us-east-1', surviving: 'us-west-2' },
      verdict: outcome.verdict,
    });
    expect(evidence.deviations).toContain(
      'no order_replaced acknowledgment: possible duplicates not exercised by this game day',
    );
    expect(evidence.fault.method).toBe(
      'AWS FIS experiment EXP1234567890abcd from template EXT1a2b3c4d5e6f7 in us-east-1',
    );
    const record = JSON.parse(world.objects.get(`us-west-2|${gameDayRecordKey(input.gameDayId)}`) as string);
    expect(record.verdict).toBe(outcome.verdict);
    // A re-run repeats the recorded verdict and evidence: it writes no second pack.
    const puts = world.calls.filter((c) => c.startsWith('put-locked')).length;
    const again = await runGameDayPhase('score', input, world.ports());
    expect(again).toMatchObject({ verdict: outcome.verdict, evidenceUrl: outcome.evidenceUrl });
    expect(world.calls.filter((c) => c.startsWith('put-locked')).length).toBe(puts);
  });

  test('GIVEN a report that misses an acknowledged order the new primary lacks WHEN score runs THEN the game day is FAILED naming it', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    const [missed, reported] = acks.filter((a) => a.region === 'us-east-1').slice(-2);
    for (const ack of acks) {
      if (ack !== missed && ack !== reported)
        world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    }
    storeReport(world, [{ id: reported!.order_id, shopper: reported!.shopper, at: missed!.acknowledged_at }]);
    const outcome = await runGameDayPhase('score', input, world.ports());
    expect(outcome).toMatchObject({ status: 'failed', verdict: 'FAILED' });
    expect(outcome.summary).toContain(missed!.order_id);
  });

  test('GIVEN recover stored no report WHEN score runs THEN it is INCONCLUSIVE naming the missing report, and the pack still records it', async () => {
    const world = new InMemoryGameDay();
    await throughRecover(world);
    const outcome = await runGameDayPhase('score', input, world.ports());
    expect(outcome).toMatchObject({ status: 'inconclusive', verdict: 'INCONCLUSIVE' });
    expect(outcome.summary).toMatch(
      /the missing-transaction report of orders is not at s3 report bucket of us-west-2: runs\/recover\/failover-\d{8}T\d{6}Z\/orders\/report\.json/,
    );
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    expect(evidence.verdict).toBe('INCONCLUSIVE');
  });

  test('GIVEN two databases and only the orders report stored WHEN score runs THEN the record and the evidence pack both say INCONCLUSIVE, the pack keeping the score verdict under score (review 16c S1)', async () => {
    const world = new InMemoryGameDay();
    const ports = () => ({
      ...world.ports(),
      regions: { ...world.ports().regions, databases: () => ['catalog', 'orders'] },
    });
    const acks = await throughRecover(world);
    const lost = acks.filter((a) => a.region === 'us-east-1').slice(-2);
    for (const ack of acks) {
      if (!lost.includes(ack)) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    }
    storeReport(
      world,
      lost.map((a) => ({ id: a.order_id, shopper: a.shopper, at: a.acknowledged_at })),
    );
    const outcome = await runGameDayPhase('score', input, ports());
    expect(outcome.verdict).toBe('INCONCLUSIVE');
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    expect(evidence.verdict).toBe('INCONCLUSIVE');
    expect(evidence.reasons[0]).toMatch(/^the missing-transaction report of catalog is not at /);
    expect(evidence.score.verdict).toBe('PASSED');
    const html = world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.html`) as string;
    expect(html).toContain('<h2>Verdict: INCONCLUSIVE</h2>');
  });

  test('GIVEN a failover runbook that ended Failed WHEN score runs THEN the evidence pack says FAILED like the record (review 16c S1)', async () => {
    const world = new InMemoryGameDay();
    const ok = world.runbookAnswers.failover!;
    world.runbookAnswers.failover = (r) => ({
      ...ok(r),
      status: 'Failed',
      succeeded: false,
      failure: 'verify-writers: catalog writer still in us-east-1',
    });
    for (const phase of ['preflight', 'start-traffic', 'inject', 'failover'] as const)
      await runGameDayPhase(phase, input, world.ports());
    const outcome = await runGameDayPhase('score', input, world.ports());
    const record = JSON.parse(world.objects.get(`us-west-2|${gameDayRecordKey(input.gameDayId)}`) as string);
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    expect(outcome.verdict).toBe('FAILED');
    expect(record.verdict).toBe('FAILED');
    expect(evidence.verdict).toBe('FAILED');
    expect(evidence.reasons[0]).toMatch(/^an earlier phase ended the game day FAILED: /);
  });

  test('GIVEN the failed Region acknowledging after the fault and the writers moving 40 min into the failover WHEN score runs THEN RTO does not end at the failed Region lost order, and the game day is not PASSED (review 16c S4)', async () => {
    const world = new InMemoryGameDay();
    const ok = world.runbookAnswers.failover!;
    world.runbookAnswers.failover = (r) => ({
      ...ok(r),
      steps: [
        { name: 'shift-traffic', status: 'Success', endedAt: new Date(world.clock.now().getTime() + 1000) },
        {
          name: 'wait-for-orders-failover',
          status: 'Success',
          endedAt: new Date(world.clock.now().getTime() + 40 * 60_000),
        },
      ],
    });
    for (const phase of ['preflight', 'start-traffic', 'inject'] as const)
      await runGameDayPhase(phase, input, world.ports());
    // Detection and the decision take minutes: the failed Region's shoppers still get answers meanwhile.
    await world.clock.sleep(3 * 60_000);
    await runGameDayPhase('failover', input, world.ports());
    await world.clock.sleep(60_000);
    world.failedRegionAnswers = true;
    for (const phase of ['await-return', 'recover'] as const) await runGameDayPhase(phase, input, world.ports());
    const acks = [...world.objects.entries()]
      .filter(([key]) => key.includes('/acks/'))
      .flatMap(([key, text]) => parseLedger(text, key));
    const record = JSON.parse(world.objects.get(`us-west-2|${gameDayRecordKey(input.gameDayId)}`) as string);
    const fault = Date.parse(record.experiment.firedAt);
    const failedAfterFault = acks.filter((a) => a.region === 'us-east-1' && Date.parse(a.acknowledged_at) > fault);
    expect(failedAfterFault.length).toBeGreaterThan(0);
    // Every write of the failed Region from a minute before the fault on is lost, and the report lists it.
    const lost = acks.filter((a) => a.region === 'us-east-1' && Date.parse(a.acknowledged_at) > fault - 60_000);
    for (const ack of acks) {
      if (!lost.includes(ack)) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    }
    storeReport(
      world,
      lost.map((a) => ({ id: a.order_id, shopper: a.shopper, at: a.acknowledged_at })),
    );
    const outcome = await runGameDayPhase('score', input, {
      ...world.ports(),
      targets: { rtoSeconds: 900, rpoSeconds: 600 },
    });
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    expect(outcome.verdict).toBe('FAILED');
    expect(evidence.rto.totalMs).not.toBe(Date.parse(failedAfterFault[0]!.acknowledged_at) - fault);
    expect(outcome.summary).toContain('The shop is not serving checkouts after the fault');
  });

  test('GIVEN an experiment its stop condition ended 30 s after the fault fired, before the writers moved WHEN score runs THEN it is INCONCLUSIVE saying how long the fault lasted and why it ended, and the record and the pack keep the end (review 16c S3)', async () => {
    const world = new InMemoryGameDay();
    world.experimentScript = 'stopped-by-condition';
    const acks = await throughRecover(world);
    for (const ack of acks) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    storeReport(world, []);
    const outcome = await runGameDayPhase('score', input, world.ports());
    expect(outcome.verdict).toBe('INCONCLUSIVE');
    const record = JSON.parse(world.objects.get(`us-west-2|${gameDayRecordKey(input.gameDayId)}`) as string);
    const reason =
      'Stop condition arn:aws:cloudwatch:us-west-2:111122223333:alarm:shop-dev-us-west-2-canary-local triggered';
    expect(record.experiment).toMatchObject({ status: 'stopped', reason });
    expect(outcome.summary).toContain(
      `the fault lasted 30.0 s and ended stopped (${reason}) at ${record.experiment.endedAt}, before the writers moved at ${record.failover.writersMovedAt}`,
    );
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    expect(evidence.verdict).toBe('INCONCLUSIVE');
    expect(evidence.timeline).toContainEqual({
      at: record.experiment.endedAt,
      what: `FIS experiment EXP1234567890abcd ended stopped (${reason})`,
    });
  });

  test('GIVEN an experiment still running when score runs WHEN scored THEN the fault is not held against the game day', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    for (const ack of acks) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    storeReport(world, []);
    const outcome = await runGameDayPhase('score', input, world.ports());
    expect(outcome.verdict).toBe('PASSED');
    expect(outcome.summary).not.toContain('the fault lasted');
  });

  test('GIVEN a listed ledger object that reads as missing WHEN score runs THEN it is INCONCLUSIVE, not PASSED with a lost write the report missed (review 16c S2)', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    const lost = acks.filter((a) => a.region === 'us-east-1').slice(-2);
    for (const ack of acks) {
      if (!lost.includes(ack)) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    }
    storeReport(world, [{ id: lost[1]!.order_id, shopper: lost[1]!.shopper }]);
    const hidden = [...world.objects.keys()].find(
      (k) => k.includes('/acks/') && world.objects.get(k)!.includes(lost[0]!.order_id),
    )!;
    const p = world.ports();
    const ports = {
      ...p,
      buckets: {
        ...p.buckets,
        get: async (region: string, key: string) =>
          `${region}|${key}` === hidden ? undefined : p.buckets.get(region, key),
      },
    };
    const outcome = await runGameDayPhase('score', input, ports);
    expect(outcome.verdict).toBe('INCONCLUSIVE');
    expect(outcome.summary).toContain(`${hidden.slice('us-east-1|'.length)} is listed but could not be read`);
  });

  test('GIVEN a shopper invocation that recorded an acknowledgment it could not write WHEN score runs THEN it is INCONCLUSIVE naming it (review 16c S2)', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    for (const ack of acks) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    storeReport(world, []);
    const key = `gamedays/${input.gameDayId}/acks/us-east-1/inv-1-abcd1234-001.jsonl`;
    world.objects.set(
      `us-east-1|gamedays/${input.gameDayId}/acks/invocations/inv-1-abcd1234.done.json`,
      JSON.stringify({
        invocation: 'inv-1-abcd1234',
        startedAt: acks[0]!.acknowledged_at,
        ordersPlanned: 1,
        endedAt: acks[0]!.acknowledged_at,
        acknowledged: 1,
        ledgerKeys: [],
        failedPuts: [{ key, error: 'connect ETIMEDOUT' }],
      }),
    );
    const outcome = await runGameDayPhase('score', input, world.ports());
    expect(outcome.verdict).toBe('INCONCLUSIVE');
    expect(outcome.summary).toContain(
      `the acknowledgment ledger is incomplete: invocation inv-1-abcd1234 could not write 1 acknowledgment(s): ${key} (connect ETIMEDOUT)`,
    );
  });

  test('GIVEN targets changed after preflight WHEN score runs THEN the game day is judged against the targets recorded at preflight, and the difference is a deviation (review 16c S13)', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    const record = JSON.parse(world.objects.get(`us-west-2|${gameDayRecordKey(input.gameDayId)}`) as string);
    expect(record.targets).toEqual({ rtoSeconds: 900, rpoSeconds: 60 });
    for (const ack of acks) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    storeReport(world, []);
    // The config on the branch dispatched for score says RTO 1 s: the game day started with 15 minutes.
    const outcome = await runGameDayPhase('score', input, {
      ...world.ports(),
      targets: { rtoSeconds: 1, rpoSeconds: 60 },
    });
    expect(outcome.verdict).toBe('PASSED');
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    expect(evidence.rto.targetMs).toBe(900_000);
    expect(evidence.deviations).toContain(
      'The targets of this run (RTO 1 s, RPO 60 s) differ from those recorded at preflight (RTO 900 s, RPO 60 s): the game day is judged against the recorded ones.',
    );
  });

  test('GIVEN recover still running WHEN score runs THEN it refuses without a verdict or a pack, and recover then finishes the game day (review 16c S8)', async () => {
    const world = new InMemoryGameDay();
    const ok = world.runbookAnswers.recover!;
    world.runbookAnswers.recover = (r) => ({ ...ok(r), status: 'InProgress', ended: false, succeeded: false });
    for (const phase of ['preflight', 'start-traffic', 'inject', 'failover'] as const)
      await runGameDayPhase(phase, input, world.ports());
    await world.clock.sleep(60_000);
    world.failedRegionAnswers = true;
    await runGameDayPhase('await-return', input, world.ports());
    await runGameDayPhase('recover', input, world.ports());
    const early = await runGameDayPhase('score', input, world.ports());
    expect(early).toMatchObject({ phase: 'score', status: 'failed' });
    expect(early.verdict).toBeUndefined();
    expect(early.summary).toBe(
      'score refused: recover has not succeeded (execution 33333333-3333-4333-8333-333333333333 is InProgress); run recover first',
    );
    expect(world.calls.filter((c) => c.startsWith('put-locked'))).toEqual([]);
    world.runbookAnswers.recover = ok;
    expect((await runGameDayPhase('recover', input, world.ports())).status).toBe('succeeded');
  });

  test('GIVEN a scored game day WHEN its evidence is read THEN it pins every ledger object and report it scored by SHA-256 (review 16c S12)', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    for (const ack of acks) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    storeReport(world, []);
    await runGameDayPhase('score', input, world.ports());
    const evidence = JSON.parse(
      world.objects.get(`us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`) as string,
    );
    const record = JSON.parse(world.objects.get(`us-west-2|${gameDayRecordKey(input.gameDayId)}`) as string);
    const sha = (key: string) =>
      createHash('sha256')
        .update(world.objects.get(key) as string, 'utf8')
        .digest('hex');
    const ledgerKeys = [...world.objects.keys()].filter((k) => k.includes('/acks/') && k.endsWith('.jsonl'));
    const reportKey = `us-west-2|${record.recover.reportPrefix}orders/report.json`;
    expect(evidence.inputs).toHaveLength(ledgerKeys.length + 1);
    expect(evidence.inputs).toEqual(
      expect.arrayContaining([
        {
          what: `s3 report bucket of us-west-2: ${record.recover.reportPrefix}orders/report.json`,
          sha256: sha(reportKey),
        },
        ...ledgerKeys.map((k) => ({
          what: `s3 report bucket of ${k.split('|')[0]}: ${k.split('|')[1]}`,
          sha256: sha(k),
        })),
      ]),
    );
  });

  test('GIVEN a score whose pack was stored but whose record was not saved WHEN score runs again THEN it keeps the stored pack and its verdict, and writes no second one (review 16c S12)', async () => {
    const world = new InMemoryGameDay();
    const acks = await throughRecover(world);
    for (const ack of acks) world.held[ack.order_id] = { present: true, cancelled: false, address: null };
    storeReport(world, []);
    const recordKey = `us-west-2|${gameDayRecordKey(input.gameDayId)}`;
    const before = world.objects.get(recordKey) as string;
    const first = await runGameDayPhase('score', input, world.ports());
    // The record write after the pack failed: the record is as it was before score.
    world.objects.set(recordKey, before);
    const packKey = `us-west-2|gamedays/${input.gameDayId}/evidence/evidence.json`;
    const pack = world.objects.get(packKey);
    const puts = world.calls.filter((c) => c.startsWith('put-locked')).length;
    // Shoppers kept running: a new score would see other acknowledgments.
    await world.clock.sleep(60_000);
    const again = await runGameDayPhase('score', input, world.ports());
    expect(again.verdict).toBe(first.verdict);
    expect(world.objects.get(packKey)).toBe(pack);
    expect(world.calls.filter((c) => c.startsWith('put-locked')).length).toBe(puts);
    expect(JSON.parse(world.objects.get(recordKey) as string).verdict).toBe(first.verdict);
  });

  test('GIVEN a game day that ended INCONCLUSIVE at inject WHEN score runs THEN the verdict stays INCONCLUSIVE with the earlier reason', async () => {
    const world = new InMemoryGameDay();
    world.experimentScript = 'fails-to-start';
    for (const phase of ['preflight', 'start-traffic', 'inject'] as const)
      await runGameDayPhase(phase, input, world.ports());
    const outcome = await runGameDayPhase('score', input, world.ports());
    expect(outcome.verdict).toBe('INCONCLUSIVE');
    expect(outcome.summary).toContain('an earlier phase ended the game day INCONCLUSIVE: the fault never fired');
  });
});
