import fc from 'fast-check';
import type { ReportedClass } from '../../../runbooks/reconcile/report';
import type { OrderOnNewPrimary } from '../../../runbooks/scoring/score-input';
import { scoreRun } from '../../../runbooks/scoring/score-run';
import { absent, ack, input, orderRows, present, report, uuid } from './score-fixture';

/**
 * A random run: orders acknowledged before the cut (replicated, present) or between the cut and the fault
 * (stranded: absent or, when replication got them out, present), and a report that lists any subset of the orders
 * as lost, each in a lost class.
 */
const run = fc
  .array(
    fc.record({
      ackAtS: fc.double({ min: 1, max: 31.9, noNaN: true }),
      onNewPrimary: fc.boolean(),
      listed: fc.boolean(),
      listedAs: fc.constantFrom<ReportedClass>('lost_insert', 'possibly_lost'),
    }),
    { minLength: 1, maxLength: 25 },
  )
  .map((orders) => orders.map((o, i) => ({ ...o, n: i + 1, onNewPrimary: o.ackAtS <= 30 ? true : o.onNewPrimary })));

function scored(orders: ReturnType<typeof run.generate>['value']) {
  const acks = orders.map((o) => ack('order_placed', o.n, o.ackAtS));
  const newPrimary: Record<string, OrderOnNewPrimary> = Object.fromEntries(
    orders.map((o) => [uuid(o.n), o.onNewPrimary ? present() : absent]),
  );
  const rows = report(orders.filter((o) => o.listed).map((o) => orderRows(o.n, o.listedAs)));
  return scoreRun(input(acks, newPrimary, rows));
}

describe('scoreRun properties (fast-check)', () => {
  test('recall: PASSED only when every acknowledged order absent from the new primary is reported lost', () => {
    fc.assert(
      fc.property(run, (orders) => {
        const score = scored(orders);
        const lost = orders.filter((o) => !o.onNewPrimary);
        const found = lost.filter((o) => o.listed);
        expect(score.classes.lost_insert.expected).toBe(lost.length);
        expect(score.classes.lost_insert.found).toBe(found.length);
        expect(score.classes.lost_insert.missed.map((m) => m.orderId).sort()).toEqual(
          lost
            .filter((o) => !o.listed)
            .map((o) => uuid(o.n))
            .sort(),
        );
        if (found.length < lost.length) expect(score.verdict).toBe('FAILED');
      }),
    );
  });

  test('precision: PASSED only when nothing the new primary has is reported lost', () => {
    fc.assert(
      fc.property(run, (orders) => {
        const score = scored(orders);
        const listed = orders.filter((o) => o.listed);
        const wrong = listed.filter((o) => o.onNewPrimary);
        expect(score.classes.lost_insert.reported).toBe(listed.length);
        expect(score.classes.lost_insert.falsePositives.map((f) => f.orderId)).toEqual(
          wrong.map((o) => uuid(o.n)).sort(),
        );
        expect(score.precision).toBe(listed.length === 0 ? null : (listed.length - wrong.length) / listed.length);
        if (wrong.length > 0) expect(score.verdict).toBe('FAILED');
      }),
    );
  });

  test('the verdict is PASSED exactly when the report lists exactly the lost orders', () => {
    fc.assert(
      fc.property(run, (orders) => {
        const exact = orders.every((o) => o.listed === !o.onNewPrimary);
        expect(scored(orders).verdict).toBe(exact ? 'PASSED' : 'FAILED');
      }),
    );
  });

  test('lost updates: PASSED exactly when the report lists as lost updates exactly the stranded cancels', () => {
    const cancels = fc.array(fc.record({ cancelled: fc.boolean(), listed: fc.boolean() }), {
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(cancels, (orders) => {
        // Every order placed and replicated; some cancelled after the cut in the failing Region (not on new).
        const acks = orders.flatMap((o, i) => [
          ack('order_placed', i + 1, 10),
          ...(o.cancelled ? [ack('order_cancelled', i + 1, 31)] : []),
        ]);
        const newPrimary = Object.fromEntries(orders.map((_o, i) => [uuid(i + 1), present({ cancelled: false })]));
        const rows = report(
          orders.flatMap((o, i) => (o.listed ? [{ orders: orderRows(i + 1, 'lost_update').orders }] : [])),
        );
        const score = scoreRun(input(acks, newPrimary, rows));
        const found = orders.filter((o) => o.cancelled && o.listed).length;
        expect(score.classes.lost_update.expected).toBe(orders.filter((o) => o.cancelled).length);
        expect(score.classes.lost_update.found).toBe(found);
        expect(score.classes.lost_update.reported).toBe(orders.filter((o) => o.listed).length);
        expect(score.classes.lost_update.correct).toBe(found);
        expect(score.verdict).toBe(orders.every((o) => o.listed === o.cancelled) ? 'PASSED' : 'FAILED');
      }),
    );
  });

  test('fail closed: whatever the rows, a report that is not complete is never PASSED', () => {
    fc.assert(
      fc.property(
        run,
        fc.constantFrom('incomplete', 'failed') as fc.Arbitrary<'incomplete' | 'failed'>,
        (orders, status) => {
          const acks = orders.map((o) => ack('order_placed', o.n, o.ackAtS));
          const newPrimary = Object.fromEntries(orders.map((o) => [uuid(o.n), o.onNewPrimary ? present() : absent]));
          const rows = report(
            orders.filter((o) => !o.onNewPrimary).map((o) => orderRows(o.n, 'lost_insert')),
            { status },
          );
          expect(scoreRun(input(acks, newPrimary, rows)).verdict).toBe('INCONCLUSIVE');
        },
      ),
    );
  });
});
