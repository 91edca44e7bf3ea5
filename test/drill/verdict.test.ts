import { type DrillReport, newDrillReport } from '../../drill/report/drill-report';
import { verdictFailures } from '../../drill/report/verdict';
import { scoreRun } from '../../runbooks/scoring/score-run';
import {
  absent,
  ack,
  input,
  orderRows,
  present,
  report as reconcileReport,
  TIMELINE,
  uuid,
} from '../runbooks/scoring/score-fixture';

/** Two acknowledged orders stranded (4, 5) and two replicated (1, 2). */
const ACKS = [
  ack('order_placed', 1, 10),
  ack('order_placed', 2, 20),
  ack('order_placed', 4, 30.5),
  ack('order_placed', 5, 31),
];
const NEW_PRIMARY = { [uuid(1)]: present(), [uuid(2)]: present(), [uuid(4)]: absent, [uuid(5)]: absent };
const BOTH_LISTED = reconcileReport([orderRows(4, 'lost_insert'), orderRows(5, 'possibly_lost')]);

/** A report of a drill that went as it should: 2 acknowledged orders stranded, found, reconciled, scored PASSED. */
function passingReport(): DrillReport {
  const report = newDrillReport(
    {
      ci: true,
      out: 'x',
      orderRate: 5,
      lostWrites: 2,
      apply: false,
      failback: false,
      seed: 1,
      routingMode: 'arc-cluster' as const,
    },
    Date.parse('2026-01-01T00:00:00Z'),
    'us-east-1',
    'us-west-2',
    { json: '/o/drill.json', html: '/o/drill.html', reconcile: '/o/reconcile', runbook: '/o/runbook' },
  );
  report.rto.fault_at = TIMELINE.faultInjectedAt;
  report.acknowledged_lost = 2;
  report.acknowledged_lost_ids = [uuid(4), uuid(5)];
  report.checkouts_after_failover = 12;
  report.canary = { status: 'passed', reason: null, runs: [] };
  report.score = scoreRun(input(ACKS, NEW_PRIMARY, BOTH_LISTED));
  return report;
}

describe('the drill verdict', () => {
  test('GIVEN a consistent drill scored PASSED THEN it has no failure', () => {
    expect(passingReport().score?.verdict).toBe('PASSED');
    expect(verdictFailures(passingReport(), { lostWrites: 2 })).toEqual([]);
  });

  test('GIVEN fewer acknowledged orders lost than stranded THEN the drill says so', () => {
    const report = passingReport();
    report.acknowledged_lost = 1;
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual([
      'acknowledged_lost is 1, but 2 acknowledged write(s) were stranded (--lost-writes)',
    ]);
  });

  test("GIVEN reconcile's lost orders other than the shoppers lost THEN each reason of the shared score is a failure", () => {
    const report = passingReport();
    report.score = scoreRun(
      input(ACKS, NEW_PRIMARY, reconcileReport([orderRows(4, 'lost_insert'), orderRows(2, 'lost_insert')])),
    );
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual([
      `score FAILED: 1 lost insert(s) the shoppers were told succeeded are not in the report as such: ${uuid(5)} not listed.`,
      `score FAILED: The report lists 1 order(s) as lost insert that the shoppers' writes do not explain: ${uuid(2)} (nothing of it was lost).`,
    ]);
  });

  test('GIVEN an incomplete or failed reconcile report THEN the score is INCONCLUSIVE and the drill fails with its reason', () => {
    const report = passingReport();
    report.score = scoreRun(
      input(ACKS, NEW_PRIMARY, { ...BOTH_LISTED, status: 'failed', error: { step: 'cut', message: 'no heartbeat' } }),
    );
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual([
      'score INCONCLUSIVE: The orders report is failed (cut: no heartbeat), so it does not show that nothing else was lost.',
    ]);
  });

  test('GIVEN a drill that was not scored THEN it fails closed', () => {
    const report = passingReport();
    report.score = null;
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual(['the drill was not scored']);
  });

  test('GIVEN no checkout after the fault THEN "not serving" is said once, by the drill or by the score', () => {
    const closed = passingReport();
    closed.checkouts_after_failover = 0;
    closed.score = scoreRun(
      input(ACKS, NEW_PRIMARY, BOTH_LISTED, { timeline: { ...TIMELINE, firstCheckoutAt: null } }),
    );
    expect(verdictFailures(closed, { lostWrites: 2 })).toEqual([
      'score FAILED: The shop is not serving checkouts after the fault: the surviving Region acknowledged no checkout of an order on the new primary after the writers moved.',
    ]);
    closed.failures.push(
      'the shop is not serving checkouts after failover: a checkout after the failover did not happen within 45 s',
    );
    expect(verdictFailures(closed, { lostWrites: 2 })).toEqual([]);
    const afterFailover = passingReport();
    afterFailover.checkouts_after_failover = 0;
    expect(verdictFailures(afterFailover, { lostWrites: 2 })).toEqual([
      'the shop is not serving checkouts after failover: no checkout was acknowledged after the failover finished',
    ]);
  });

  test('GIVEN a failed canary, or --apply that did not recover every lost order THEN the drill says so', () => {
    const canary = passingReport();
    canary.canary = { status: 'failed', reason: 'after-failover: cart: product x is not in the cart', runs: [] };
    expect(verdictFailures(canary, { lostWrites: 2 })).toEqual([
      'the canary failed: after-failover: cart: product x is not in the cart',
    ]);
    const report = passingReport();
    report.apply = { status: 'applied', recovered_orders: 1, inserted: 4, updated: 0, events_written: 1, error: null };
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual(['apply recovered 1 of 2 lost orders']);
  });

  test('GIVEN a lost order its shopper placed again WHEN --apply leaves it THEN that is right, not a failure', () => {
    const report = passingReport();
    report.order_changes = {
      cancelled: [],
      address_changed: [],
      changed_on_both_sides: [],
      replaced: [{ original: uuid(5), replacement: uuid(9) }],
    };
    report.apply = { status: 'applied', recovered_orders: 1, inserted: 4, updated: 0, events_written: 1, error: null };
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual([]);
    report.apply = { ...report.apply, recovered_orders: 2 };
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual(['apply recovered 2 of 1 lost orders']);
  });
});
