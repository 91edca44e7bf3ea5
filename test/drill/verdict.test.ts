import { type DrillReport, newDrillReport } from '../../drill/report/drill-report';
import { verdictFailures } from '../../drill/report/verdict';
import { emptyCounts } from '../../runbooks/reconcile';

const LOST = ['01a21b93-0000-7000-8000-000000000001', '01a21b93-0000-7000-8000-000000000002'];

/** A report of a drill that went as it should: 2 acknowledged orders stranded, found, reconciled. */
function passingReport(): DrillReport {
  const report = newDrillReport(
    { ci: true, out: 'x', orderRate: 5, lostWrites: 2, apply: false, failback: false, seed: 1 },
    Date.parse('2026-01-01T00:00:00Z'),
    'us-east-1',
    'us-west-2',
    { json: '/o/drill.json', html: '/o/drill.html', reconcile: '/o/reconcile', runbook: '/o/runbook' },
  );
  report.rto.fault_at = '2026-01-01T00:00:30.000Z';
  report.acknowledged_lost = 2;
  report.acknowledged_lost_ids = [...LOST];
  report.checkouts_after_failover = 12;
  report.canary = { status: 'passed', reason: null, runs: [] };
  report.reconcile.status = 'complete';
  report.reconcile.lost_inserts = 2;
  report.reconcile.counts = { ...emptyCounts(), lost_insert: 8 };
  report.reconcile.databases['orders'] = {
    status: 'complete',
    summary: 'lost_insert 8',
    cut: null,
    cut_source: 'option',
    window_start: null,
    totals: { ...emptyCounts(), lost_insert: 8 },
    tables: {},
    report_dir: '/o/reconcile/orders',
    report_html: '/o/reconcile/orders/report.html',
    lost_order_ids: [...LOST],
    lost_write_report_ms: 1,
    total_ms: 2,
    error: null,
  };
  return report;
}

describe('the drill verdict', () => {
  test('a consistent drill has no failure', () => {
    expect(verdictFailures(passingReport(), { lostWrites: 2 })).toEqual([]);
  });

  test('fails when fewer acknowledged orders were lost than stranded', () => {
    const report = passingReport();
    report.acknowledged_lost = 1;
    report.acknowledged_lost_ids = [LOST[0]!];
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual([
      'acknowledged_lost is 1, but 2 acknowledged write(s) were stranded (--lost-writes)',
      'reconcile found 2 lost order insert(s), the traffic generator counted 1 acknowledged orders lost',
    ]);
  });

  test("fails when reconcile's lost orders are other orders than the shoppers lost", () => {
    const report = passingReport();
    report.acknowledged_lost_ids = [LOST[0]!, '01a21b93-0000-7000-8000-000000000009'];
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual([
      `reconcile's lost orders are not the orders the shoppers lost: ${LOST.join(', ')} vs ${LOST[0]}, 01a21b93-0000-7000-8000-000000000009`,
    ]);
  });

  test('fails on anything unexplained, a failed report, no checkout after failover, a failed canary', () => {
    const unexplained = passingReport();
    unexplained.reconcile.unexplained = 1;
    expect(verdictFailures(unexplained, { lostWrites: 2 })).toEqual(['reconcile reports 1 unexplained difference(s)']);

    const failed = passingReport();
    failed.reconcile.status = 'failed';
    expect(verdictFailures(failed, { lostWrites: 2 })).toEqual(['the reconcile reports are failed']);

    const closed = passingReport();
    closed.checkouts_after_failover = 0;
    expect(verdictFailures(closed, { lostWrites: 2 })).toEqual([
      'the shop is not serving checkouts after failover: no checkout was acknowledged after the failover finished',
    ]);

    const canary = passingReport();
    canary.canary = { status: 'failed', reason: 'after-failover: cart: product x is not in the cart', runs: [] };
    expect(verdictFailures(canary, { lostWrites: 2 })).toEqual([
      'the canary failed: after-failover: cart: product x is not in the cart',
    ]);
  });

  test('fails when --apply did not recover every lost order', () => {
    const report = passingReport();
    report.apply = { status: 'applied', recovered_orders: 1, inserted: 4, updated: 0, events_written: 1, error: null };
    expect(verdictFailures(report, { lostWrites: 2 })).toEqual(['apply recovered 1 of 2 lost orders']);
  });
});
