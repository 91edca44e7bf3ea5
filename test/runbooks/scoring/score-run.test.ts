import { firstCheckoutOnNewPrimary } from '../../../runbooks/scoring/recovery-times';
import { parseScoredReport } from '../../../runbooks/scoring/score-input';
import { scoreRun } from '../../../runbooks/scoring/score-run';
import { absent, ack, at, FAILED, input, orderRows, present, report, SURVIVING, TIMELINE, uuid } from './score-fixture';

/** Orders 1-3 placed and replicated, 4-5 placed after the cut (stranded, lost), 6 placed after the failover. */
function lostInsertRun() {
  const acks = [ack('order_placed', 1, 10), ack('order_placed', 2, 20), ack('order_placed', 3, 29)];
  acks.push(ack('order_placed', 4, 30.5), ack('order_placed', 5, 31), ack('order_placed', 6, 50));
  const newPrimary = {
    [uuid(1)]: present(),
    [uuid(2)]: present(),
    [uuid(3)]: present(),
    [uuid(4)]: absent,
    [uuid(5)]: absent,
    [uuid(6)]: present(),
  };
  return { acks, newPrimary };
}

describe('scoreRun', () => {
  describe('lost inserts (the drill checks, now here once)', () => {
    test('GIVEN every stranded order reported as lost WHEN scored THEN PASSED with recall and precision 1', () => {
      const { acks, newPrimary } = lostInsertRun();
      const score = scoreRun(
        input(acks, newPrimary, report([orderRows(4, 'lost_insert'), orderRows(5, 'possibly_lost')])),
      );
      expect(score.verdict).toBe('PASSED');
      expect(score.reasons).toEqual([
        'All 2 order(s) the shoppers lost are in the report in their class, and it lists nothing else of theirs as lost.',
        'RTO 17.0 s is within the target of 900.0 s.',
        'RPO from the data 1.0 s is within the target of 60.0 s.',
      ]);
      expect(score.classes.lost_insert).toEqual(
        expect.objectContaining({ expected: 2, found: 2, recall: 1, reported: 2, correct: 2, precision: 1 }),
      );
      expect({ recall: score.recall, precision: score.precision }).toEqual({ recall: 1, precision: 1 });
      expect(score.expected.map((e) => [e.orderId, e.class])).toEqual([
        [uuid(4), 'lost_insert'],
        [uuid(5), 'lost_insert'],
      ]);
    });

    test('GIVEN a stranded order the report does not list WHEN scored THEN FAILED naming it (recall)', () => {
      const { acks, newPrimary } = lostInsertRun();
      const score = scoreRun(input(acks, newPrimary, report([orderRows(4, 'lost_insert')])));
      expect(score.verdict).toBe('FAILED');
      expect(score.reasons).toEqual([
        `1 lost insert(s) the shoppers were told succeeded are not in the report as such: ${uuid(5)} not listed.`,
      ]);
      expect(score.classes.lost_insert.recall).toBe(0.5);
      expect(score.classes.lost_insert.missed).toEqual([{ orderId: uuid(5), reportedAs: null }]);
    });

    test('GIVEN the report lists an order the new primary has WHEN scored THEN FAILED naming it (precision)', () => {
      const { acks, newPrimary } = lostInsertRun();
      const rows = [orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert'), orderRows(2, 'lost_insert')];
      const score = scoreRun(input(acks, newPrimary, report(rows)));
      expect(score.verdict).toBe('FAILED');
      expect(score.reasons).toEqual([
        `The report lists 1 order(s) as lost insert that the shoppers' writes do not explain: ${uuid(2)} (nothing of it was lost).`,
      ]);
      expect(score.classes.lost_insert.precision).toBeCloseTo(2 / 3);
    });

    test('GIVEN the report lists an order nobody acknowledged WHEN only shoppers wrote THEN it is a false positive; next to real traffic it is only counted', () => {
      const { acks, newPrimary } = lostInsertRun();
      const stranger = orderRows(77, 'lost_insert');
      stranger.orders[0]!.old = { id: uuid(77), customer_id: 'a-real-customer', synthetic: false };
      const rows = report([orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert'), stranger]);
      const drill = scoreRun(input(acks, newPrimary, rows));
      expect(drill.verdict).toBe('FAILED');
      expect(drill.reasons).toEqual([
        `The report lists 1 order(s) as lost insert that the shoppers' writes do not explain: ${uuid(77)} (no shopper wrote it).`,
      ]);
      const gameDay = scoreRun(input(acks, newPrimary, rows, { onlySyntheticTraffic: false }));
      expect(gameDay.verdict).toBe('PASSED');
      expect(gameDay.outside.orders).toEqual([uuid(77)]);
      expect(gameDay.deviations).toContain(
        "1 reported order(s) and 0 other row(s) are not the shoppers' writes (other traffic): listed in the report, not scored.",
      );
    });

    test('GIVEN a reported order of a shopper that no acknowledgment names WHEN more than the unanswered submits THEN FAILED, else a deviation', () => {
      const { acks, newPrimary } = lostInsertRun();
      const unanswered = orderRows(8, 'lost_insert');
      unanswered.orders[0]!.old = { id: uuid(8), customer_id: 'shopper-1', synthetic: false };
      const rows = report([orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert'), unanswered]);
      expect(scoreRun(input(acks, newPrimary, rows, { unacknowledgedWrites: 0 })).reasons).toEqual([
        `The report lists 1 order(s) of the shoppers that no acknowledgment names, more than the 0 write(s) sent without an answer: ${uuid(8)}.`,
      ]);
      const within = scoreRun(input(acks, newPrimary, rows, { unacknowledgedWrites: 1 }));
      expect(within.verdict).toBe('PASSED');
      expect(within.unacknowledged).toEqual([uuid(8)]);
    });

    test('GIVEN an unexplained row WHEN scored THEN FAILED naming it', () => {
      const { acks, newPrimary } = lostInsertRun();
      const rows = report([orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert')]);
      const catalog = report([], {
        tables: { products: { rows: [{ class: 'unexplained', id: uuid(900), old: {}, new: {}, duplicateOf: null }] } },
      });
      const score = scoreRun(
        input(acks, newPrimary, [
          { database: 'orders', report: rows },
          { database: 'catalog', report: catalog },
        ]),
      );
      expect(score.verdict).toBe('FAILED');
      expect(score.reasons).toEqual([`The report has 1 unexplained difference(s): catalog.products ${uuid(900)}.`]);
    });
  });

  describe('lost updates, conflicts, possible duplicates', () => {
    const address = { city: 'Boston', zip: '02108' };

    test('GIVEN a stranded cancel and a stranded address change WHEN reported as lost updates THEN both are found', () => {
      const acks = [
        ack('order_placed', 1, 10),
        ack('order_cancelled', 1, 30.5),
        ack('order_placed', 2, 10),
        ack('address_changed', 2, 31, { detail: address }),
      ];
      const newPrimary = {
        [uuid(1)]: present({ cancelled: false }),
        [uuid(2)]: present({ address: { city: 'Austin', zip: '73301' } }),
      };
      const addressRow = {
        class: 'lost_update' as const,
        id: uuid(502),
        old: { order_id: uuid(2), ...address },
        new: { order_id: uuid(2), city: 'Austin', zip: '73301' },
        duplicateOf: null,
      };
      const score = scoreRun(
        input(
          acks,
          newPrimary,
          report([{ orders: orderRows(1, 'lost_update').orders }, { shipping_addresses: [addressRow] }]),
        ),
      );
      expect(score.verdict).toBe('PASSED');
      expect(score.classes.lost_update).toEqual(
        expect.objectContaining({ expected: 2, found: 2, reported: 2, correct: 2 }),
      );
      expect(score.rpo.fromDataMs).toBe(1000);
    });

    test('GIVEN a lost address change listed with the outbox event it wrote (an insert) WHEN scored THEN the order is a lost update', () => {
      const acks = [ack('order_placed', 2, 10), ack('address_changed', 2, 31, { detail: address })];
      const row = (cls: 'lost_update' | 'lost_insert', id: number) => ({
        class: cls,
        id: uuid(id),
        old: { order_id: uuid(2) },
        new: cls === 'lost_update' ? { order_id: uuid(2) } : null,
        duplicateOf: null,
      });
      const rows = report([{ shipping_addresses: [row('lost_update', 502)], order_items: [row('lost_insert', 602)] }]);
      const score = scoreRun(input(acks, { [uuid(2)]: present({ address: { city: 'Austin', zip: '1' } }) }, rows));
      expect(score.verdict).toBe('PASSED');
      expect(score.classes.lost_update).toEqual(expect.objectContaining({ found: 1, correct: 1 }));
    });

    test('GIVEN an address change the new primary shows WHEN not reported THEN nothing is expected of it', () => {
      const acks = [ack('order_placed', 2, 10), ack('address_changed', 2, 20, { detail: address })];
      const score = scoreRun(input(acks, { [uuid(2)]: present({ address }) }, report([])));
      expect(score.verdict).toBe('PASSED');
      expect(score.expected).toEqual([]);
      expect(score.rpo.fromDataMs).toBe(0);
    });

    test('GIVEN a cancel the report misses WHEN scored THEN FAILED: a lost update not listed', () => {
      const acks = [ack('order_placed', 1, 10), ack('order_cancelled', 1, 30.5)];
      const score = scoreRun(input(acks, { [uuid(1)]: present({ cancelled: false }) }, report([])));
      expect(score.reasons).toEqual([
        `1 lost update(s) the shoppers were told succeeded are not in the report as such: ${uuid(1)} not listed.`,
      ]);
    });

    test('GIVEN an address changed in both Regions after the cut WHEN reported as a conflict THEN found; as a lost update THEN missed', () => {
      const acks = [
        ack('order_placed', 3, 10),
        // Beyond the margin around the cut (30 s): clearly after it.
        ack('address_changed', 3, 32, { detail: address, region: FAILED }),
        ack('address_changed', 3, 55, { detail: { city: 'Seattle', zip: '98101' } }),
      ];
      expect(acks.map((a) => a.region)).toEqual([FAILED, FAILED, SURVIVING]);
      const newPrimary = { [uuid(3)]: present({ address: { city: 'Seattle', zip: '98101' } }) };
      const conflict = scoreRun(input(acks, newPrimary, report([{ orders: orderRows(3, 'conflict').orders }])));
      expect(conflict.verdict).toBe('PASSED');
      expect(conflict.classes.conflict).toEqual(expect.objectContaining({ expected: 1, found: 1, precision: 1 }));
      const asLostUpdate = scoreRun(input(acks, newPrimary, report([{ orders: orderRows(3, 'lost_update').orders }])));
      expect(asLostUpdate.reasons).toEqual([
        `1 conflict(s) the shoppers were told succeeded are not in the report as such: ${uuid(3)} as lost_update.`,
        `The report lists 1 order(s) as lost update that the shoppers' writes do not explain: ${uuid(3)} (expected conflict).`,
      ]);
    });

    test('GIVEN a stranded cancel and an address change in the other Region WHEN scored THEN a lost update, not a conflict (different rows)', () => {
      const acks = [
        ack('order_placed', 3, 10),
        ack('order_cancelled', 3, 31),
        ack('address_changed', 3, 55, { detail: { city: 'Seattle' } }),
      ];
      const newPrimary = { [uuid(3)]: present({ cancelled: false, address: { city: 'Seattle' } }) };
      const score = scoreRun(input(acks, newPrimary, report([{ orders: orderRows(3, 'lost_update').orders }])));
      expect(score.expected.map((e) => e.class)).toEqual(['lost_update']);
      expect(score.verdict).toBe('PASSED');
    });

    test('GIVEN an order cancelled in both Regions, first after the cut WHEN scored THEN a conflict (the row changed on both sides)', () => {
      // 32 s: beyond the margin around the cut (30 s).
      const acks = [
        ack('order_placed', 3, 10),
        ack('order_cancelled', 3, 32, { region: FAILED }),
        ack('order_cancelled', 3, 55),
      ];
      const score = scoreRun(
        input(acks, { [uuid(3)]: present({ cancelled: true }) }, report([{ orders: orderRows(3, 'conflict').orders }])),
      );
      expect(score.expected.map((e) => e.class)).toEqual(['conflict']);
      expect(score.verdict).toBe('PASSED');
    });

    test('GIVEN two Regions changed an order and the last replicated moment is unknown WHEN scored THEN it cannot be judged', () => {
      const acks = [
        ack('order_placed', 3, 10),
        ack('address_changed', 3, 31, { detail: { city: 'Boston' } }),
        ack('address_changed', 3, 55, { detail: { city: 'Seattle' } }),
      ];
      const score = scoreRun(
        input(acks, { [uuid(3)]: present({ address: { city: 'Seattle' } }) }, report([], { cut: null })),
      );
      expect(score.verdict).toBe('INCONCLUSIVE');
      expect(score.unjudged).toEqual([
        { orderId: uuid(3), why: 'two Regions changed it and the last replicated moment is not known' },
      ]);
    });

    test('GIVEN the other Region changed the address before the cut WHEN scored THEN no conflict is expected (it had replicated)', () => {
      const acks = [
        ack('order_placed', 3, 10),
        ack('address_changed', 3, 20, { detail: address }),
        ack('address_changed', 3, 55, { detail: { city: 'Seattle' } }),
      ];
      const score = scoreRun(
        input(acks, { [uuid(3)]: present({ address: { city: 'Seattle', zip: '1' } }) }, report([])),
      );
      expect(score.verdict).toBe('PASSED');
      expect(score.expected).toEqual([]);
    });

    test('GIVEN a lost order the shopper placed again WHEN reported as a possible duplicate THEN found; as a lost insert THEN missed', () => {
      const acks = [ack('order_placed', 4, 31), ack('order_replaced', 9, 52, { replaces: uuid(4) })];
      const newPrimary = { [uuid(4)]: absent, [uuid(9)]: present() };
      const dup = orderRows(4, 'possible_duplicate', { duplicateOf: uuid(9) });
      const found = scoreRun(input(acks, newPrimary, report([dup])));
      expect(found.verdict).toBe('PASSED');
      expect(found.classes.possible_duplicate).toEqual(
        expect.objectContaining({ expected: 1, found: 1, precision: 1 }),
      );
      const missed = scoreRun(input(acks, newPrimary, report([orderRows(4, 'lost_insert')])));
      expect(missed.reasons).toEqual([
        `1 possible duplicate(s) the shoppers were told succeeded are not in the report as such: ${uuid(4)} as lost_insert.`,
        `The report lists 1 order(s) as lost insert that the shoppers' writes do not explain: ${uuid(4)} (expected possible_duplicate).`,
      ]);
    });

    test('GIVEN the original of a re-placed order back after recovery WHEN scored THEN FAILED: a duplicate', () => {
      const acks = [ack('order_placed', 4, 31), ack('order_replaced', 9, 52, { replaces: uuid(4) })];
      const newPrimary = { [uuid(4)]: absent, [uuid(9)]: present() };
      const dup = orderRows(4, 'possible_duplicate', { duplicateOf: uuid(9) });
      const score = scoreRun(
        input(acks, newPrimary, report([dup]), { afterRecovery: { [uuid(4)]: present(), [uuid(9)]: present() } }),
      );
      expect(score.verdict).toBe('FAILED');
      expect(score.duplicates).toEqual([{ original: uuid(4), replacement: uuid(9), seen: 'after recovery' }]);
      expect(score.reasons).toEqual([
        `Order ${uuid(4)} is on the primary again after recovery beside ${uuid(9)}, which the shopper placed instead: a duplicate.`,
      ]);
    });
  });

  describe('fails closed: INCONCLUSIVE, never PASSED', () => {
    const { acks, newPrimary } = lostInsertRun();
    const good = report([orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert')]);

    test.each([
      [
        'traffic never flowed',
        input([], {}, report([])),
        'Traffic never flowed: no write was acknowledged to a shopper.',
      ],
      [
        'the fault never fired',
        input(acks, newPrimary, good, { timeline: { ...TIMELINE, faultInjectedAt: null } }),
        'The fault never fired: no time of injection was recorded.',
      ],
      [
        'nothing was acknowledged before the fault',
        input([ack('order_placed', 6, 50)], { [uuid(6)]: present() }, report([])),
        'No write was acknowledged before the fault, so the run could not lose one.',
      ],
      [
        'no report (the snapshot never appeared)',
        input(acks, newPrimary, []),
        'There is no missing-transaction report: the snapshot never appeared or recover did not run.',
      ],
      [
        'an incomplete report',
        input(acks, newPrimary, {
          ...good,
          status: 'incomplete',
          gaps: [{ table: 'orders', reason: 'verify skipped' }],
        }),
        'The orders report is incomplete (orders: verify skipped), so it does not show that nothing else was lost.',
      ],
      [
        'a failed report',
        input(acks, newPrimary, { ...good, status: 'failed', error: { step: 'cut', message: 'no heartbeat' } }),
        'The orders report is failed (cut: no heartbeat), so it does not show that nothing else was lost.',
      ],
      [
        'nothing compared',
        input(acks, newPrimary, { ...good, tables: {} }),
        'Nothing was compared: no report has an orders table.',
      ],
      [
        'an order not looked up',
        input(acks, { ...newPrimary, [uuid(5)]: undefined! }, good),
        `1 order(s) of the ledger could not be judged: ${uuid(5)} (not looked up on the new primary).`,
      ],
      [
        'an unknown last replicated moment',
        input(acks, newPrimary, { ...good, cut: null }),
        'RPO cannot be measured from the data: the last replicated moment is not known.',
      ],
    ])('GIVEN %s WHEN scored THEN INCONCLUSIVE with that reason', (_name, scoreInput, reason) => {
      const score = scoreRun(scoreInput);
      expect(score.verdict).toBe('INCONCLUSIVE');
      expect(score.reasons).toContain(reason);
    });
  });

  describe('RTO and RPO', () => {
    const { acks, newPrimary } = lostInsertRun();
    const good = report([orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert')]);

    test('GIVEN the timeline WHEN scored THEN RTO is split into its phases, from the first failure', () => {
      expect(scoreRun(input(acks, newPrimary, good)).rto).toEqual({
        totalMs: 17_000,
        targetMs: 900_000,
        withinTarget: true,
        phases: {
          detectionMs: 3000,
          decisionMs: 1000,
          trafficMovedMs: 3000,
          writersMovedMs: 5000,
          firstCheckoutMs: 5000,
        },
      });
    });

    test('GIVEN unknown moments WHEN scored THEN those phases are null and named as deviations', () => {
      const score = scoreRun(
        input(acks, newPrimary, good, { timeline: { ...TIMELINE, firstFailureAt: null, decidedAt: null } }),
      );
      expect(score.rto.totalMs).toBe(18_000);
      expect(score.rto.phases).toEqual(
        expect.objectContaining({ detectionMs: 4000, decisionMs: null, trafficMovedMs: null }),
      );
      expect(score.deviations).toEqual(
        expect.arrayContaining([
          'RTO phase "decision" is not measured: a moment it needs was not recorded.',
          'RTO phase "traffic moved" is not measured: a moment it needs was not recorded.',
        ]),
      );
    });

    test('GIVEN no checkout after the fault, or a slow one WHEN scored THEN FAILED', () => {
      const closed = scoreRun(input(acks, newPrimary, good, { timeline: { ...TIMELINE, firstCheckoutAt: null } }));
      expect(closed.reasons).toEqual([
        'The shop is not serving checkouts after the fault: the surviving Region acknowledged no checkout of an order on the new primary after the writers moved.',
      ]);
      const slow = scoreRun(input(acks, newPrimary, good, { targets: { rtoSeconds: 10, rpoSeconds: 60 } }));
      expect(slow.reasons).toEqual(['RTO 17.0 s exceeds the target of 10.0 s.']);
    });

    test('GIVEN lost writes WHEN scored THEN RPO is the last lost acknowledgment after the cut, set against the lag and the target', () => {
      const score = scoreRun(input(acks, newPrimary, good, { rpoLagBeforeFaultMs: 500 }));
      expect(score.rpo).toEqual({
        fromDataMs: 1000,
        lastLostAckAt: at(31),
        lastReplicatedAt: at(30),
        lagBeforeFaultMs: 500,
        withinLag: false,
        targetMs: 60_000,
        withinTarget: true,
      });
      expect(score.verdict).toBe('PASSED');
      expect(score.deviations).toContain(
        'RPO from the data (1.0 s) exceeds AuroraGlobalDBRPOLag before the fault (0.5 s): the writes lost span more than the lag metric showed.',
      );
      const tight = scoreRun(input(acks, newPrimary, good, { targets: { rtoSeconds: 900, rpoSeconds: 0.5 } }));
      expect(tight.reasons).toEqual(['RPO from the data 1.0 s exceeds the target of 0.5 s.']);
    });
  });
});

describe('classes the traffic never exercised (review 16d G13)', () => {
  test('GIVEN a run whose shoppers only placed orders WHEN it PASSED THEN each class nothing could have produced is a deviation, so the verdict never reads as covering it', () => {
    const { acks, newPrimary } = lostInsertRun();
    const score = scoreRun(input(acks, newPrimary, report([orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert')])));
    expect(score.verdict).toBe('PASSED');
    for (const words of ['lost update', 'possible duplicate', 'conflict']) {
      expect(score.deviations).toContain(
        `No ${words} was expected from the shoppers' writes: this run does not show that the report finds ${words}s.`,
      );
    }
    expect(score.deviations.join(' ')).not.toContain('No lost insert was expected');
  });
});

describe('firstCheckoutOnNewPrimary: the end of RTO (review 16c S4)', () => {
  const moments = { faultInjectedAt: TIMELINE.faultInjectedAt, writersMovedAt: TIMELINE.writersMovedAt };

  test('GIVEN checkouts after the fault by the failed Region, a lost one, one before the writers moved and one on the new primary WHEN the end of RTO is taken THEN it is the surviving Region one on the new primary after the writers moved', () => {
    const acks = [
      ack('order_placed', 1, 10),
      // The failed Region still acknowledges after the fault (its tasks are replaced): lost.
      ack('order_placed', 2, 33, { region: FAILED }),
      // The surviving Region acknowledges before the writers moved: on the new primary, but the writers had not moved.
      ack('order_placed', 3, 41),
      // After the writers moved, but lost.
      ack('order_placed', 4, 46),
      ack('order_cancelled', 5, 47),
      ack('order_replaced', 6, 52, { replaces: uuid(4) }),
      ack('order_placed', 7, 55),
    ];
    const newPrimary = {
      [uuid(1)]: present(),
      [uuid(2)]: absent,
      [uuid(3)]: present(),
      [uuid(4)]: absent,
      [uuid(5)]: present(),
      [uuid(6)]: present(),
      [uuid(7)]: present(),
    };
    expect(firstCheckoutOnNewPrimary(acks, newPrimary, SURVIVING, moments)).toBe(at(52));
  });

  test('GIVEN no moment the writers moved WHEN the end of RTO is taken THEN it is not known (null)', () => {
    const acks = [ack('order_placed', 6, 50)];
    expect(
      firstCheckoutOnNewPrimary(acks, { [uuid(6)]: present() }, SURVIVING, { ...moments, writersMovedAt: null }),
    ).toBeNull();
  });

  test('GIVEN the writers moved and no checkout measured WHEN scored THEN FAILED: not serving; GIVEN the writers never recorded THEN INCONCLUSIVE', () => {
    const { acks, newPrimary } = lostInsertRun();
    const rows = report([orderRows(4, 'lost_insert'), orderRows(5, 'lost_insert')]);
    const noCheckout = scoreRun(input(acks, newPrimary, rows, { timeline: { ...TIMELINE, firstCheckoutAt: null } }));
    expect(noCheckout.verdict).toBe('FAILED');
    const unknown = scoreRun(
      input(acks, newPrimary, rows, { timeline: { ...TIMELINE, writersMovedAt: null, firstCheckoutAt: null } }),
    );
    expect(unknown.verdict).toBe('INCONCLUSIVE');
    expect(unknown.reasons).toContain(
      'RTO cannot be measured: the moment every writer was in the surviving Region is not recorded, and the end of RTO is the first checkout on the new primary after it.',
    );
  });
});

describe('the conflict boundary: a margin around the cut (review 16c S5)', () => {
  // The shopper stamps its acknowledgment when the 2xx arrives (after the commit, by the response latency), on its
  // own clock; the cut is the old database's. Within CUT_MARGIN_MS of the cut, whether a change replicated cannot be
  // told from the acknowledgment: conflict, lost update or nothing is accepted for it, and a deviation names it.
  test('GIVEN a change committed at the cut, acknowledged 200 ms after it and overwritten by the survivor WHEN the report lists nothing THEN PASSED, naming the ambiguous change', () => {
    const acks = [
      ack('order_placed', 1, 10),
      ack('address_changed', 1, 30.1, { region: FAILED, detail: { city: 'Austin' } }),
      ack('address_changed', 1, 60, { region: SURVIVING, detail: { city: 'Seattle' } }),
    ];
    const score = scoreRun(
      input(acks, { [uuid(1)]: present({ address: { city: 'Seattle' } }) }, report([], { cut: at(29.9) })),
    );
    expect(score.verdict).toBe('PASSED');
    expect(score.deviations).toContain(
      `1 change(s) were acknowledged within 1.0 s of the last replicated moment, so whether they replicated cannot be told: a conflict, a lost update or nothing is accepted for ${uuid(1)}.`,
    );
  });

  test('GIVEN a real conflict whose acknowledgment a slow shopper clock stamped 0.2 s before the cut WHEN the report lists a conflict THEN PASSED', () => {
    const acks = [
      ack('order_placed', 1, 10),
      ack('address_changed', 1, 29.8, { region: FAILED, detail: { city: 'Austin' } }),
      ack('address_changed', 1, 60, { region: SURVIVING, detail: { city: 'Seattle' } }),
    ];
    const rows = {
      shipping_addresses: [
        {
          class: 'conflict' as const,
          id: uuid(500),
          old: { order_id: uuid(1), city: 'Austin' },
          new: { order_id: uuid(1), city: 'Seattle' },
          duplicateOf: null,
        },
      ],
    };
    const score = scoreRun(
      input(acks, { [uuid(1)]: present({ address: { city: 'Seattle' } }) }, report([rows], { cut: at(30) })),
    );
    expect(score.verdict).toBe('PASSED');
  });

  test('GIVEN a change acknowledged 2 s after the cut and overwritten WHEN the report lists nothing THEN FAILED: beyond the margin it is a conflict', () => {
    const acks = [
      ack('order_placed', 1, 10),
      ack('address_changed', 1, 32, { region: FAILED, detail: { city: 'Austin' } }),
      ack('address_changed', 1, 60, { region: SURVIVING, detail: { city: 'Seattle' } }),
    ];
    const score = scoreRun(
      input(acks, { [uuid(1)]: present({ address: { city: 'Seattle' } }) }, report([], { cut: at(30) })),
    );
    expect(score.verdict).toBe('FAILED');
    expect(score.classes.conflict.expected).toBe(1);
  });
});

describe('the report cut (review 16c S9)', () => {
  const acks = [ack('order_placed', 1, 10), ack('order_placed', 2, 31), ack('order_placed', 3, 50)];
  const newPrimary = { [uuid(1)]: present(), [uuid(2)]: absent, [uuid(3)]: present() };

  test.each([
    ['not a time', 'yesterday'],
    ['a time without a zone (read in the runner zone otherwise)', at(30).replace(/\.000Z$/, '')],
  ])(
    'GIVEN a report whose cut is %s WHEN scored THEN INCONCLUSIVE naming it, whether or not anything was lost',
    (_, cut) => {
      const lost = scoreRun(input(acks, newPrimary, report([orderRows(2, 'lost_insert')], { cut })));
      expect(lost.verdict).toBe('INCONCLUSIVE');
      expect(lost.reasons).toContain(
        `The orders report's cut ${JSON.stringify(cut)} is not an ISO 8601 time with a zone (such as "2026-12-07T05:00:30Z"): the last replicated moment is not known.`,
      );
      const nothingLost = scoreRun(
        input(
          acks.filter((a) => a.order_id !== uuid(2)),
          { [uuid(1)]: present(), [uuid(3)]: present() },
          report([], { cut }),
        ),
      );
      expect(nothingLost.verdict).toBe('INCONCLUSIVE');
    },
  );

  test('GIVEN a stored report whose cut has no zone WHEN parsed THEN it is refused naming the field', () => {
    expect(() =>
      parseScoredReport({ ...report([]), cut: '2026-12-07T05:00:30' }, 's3 report bucket: orders/report.json'),
    ).toThrow(/cut: .*ISO 8601 time with a zone/);
  });
});

describe('RPO when a lost write predates the cut (review 16c S6)', () => {
  test('GIVEN a write acknowledged 10 s before the last replicated moment and lost WHEN scored THEN INCONCLUSIVE: the cut contradicts the ledger, and RPO is not clamped to 0', () => {
    const acks = [ack('order_placed', 1, 10), ack('order_placed', 2, 20), ack('order_placed', 3, 50)];
    const newPrimary = { [uuid(1)]: present(), [uuid(2)]: absent, [uuid(3)]: present() };
    const score = scoreRun(input(acks, newPrimary, report([orderRows(2, 'lost_insert')], { cut: at(30) })));
    expect(score.verdict).toBe('INCONCLUSIVE');
    expect(score.reasons).toContain(
      `The last replicated moment ${at(30)} contradicts the ledger: ${uuid(2)}, acknowledged at ${at(20)} (10.0 s before it), is lost although replication runs in commit order; the cut or the clocks are wrong.`,
    );
    expect(score.rpo.fromDataMs).toBe(10_000);
  });
});

describe('repeated acknowledgments (review 16c S10)', () => {
  test('GIVEN the same acknowledgment twice and another order under its request id WHEN scored THEN INCONCLUSIVE naming the repeated request id, not counted twice silently', () => {
    const first = ack('order_placed', 1, 10);
    const acks = [first, first, { ...first, order_id: uuid(2) }, ack('order_placed', 3, 50)];
    const score = scoreRun(
      input(acks, { [uuid(1)]: present(), [uuid(2)]: present(), [uuid(3)]: present() }, report([])),
    );
    expect(score.verdict).toBe('INCONCLUSIVE');
    expect(score.reasons).toContain(
      `1 request id(s) appear in more than one order_placed acknowledgment (a replayed or forged ledger line, or a duplicate ledger object): ${first.request_id} (3 times: ${uuid(1)}, ${uuid(1)}, ${uuid(2)}).`,
    );
  });
});

describe('an address change without detail (review 16c S11)', () => {
  test('GIVEN an address change acknowledged without detail WHEN scored THEN INCONCLUSIVE: it cannot be judged, never silently not lost', () => {
    const acks = [ack('order_placed', 1, 10), ack('address_changed', 1, 31, { region: FAILED })];
    const score = scoreRun(input(acks, { [uuid(1)]: present({ address: { city: 'Hampton' } }) }, report([])));
    expect(score.verdict).toBe('INCONCLUSIVE');
    expect(score.unjudged).toEqual([
      { orderId: uuid(1), why: 'an address change of it was acknowledged without its detail' },
    ]);
  });
});
