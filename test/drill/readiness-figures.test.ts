import type { CapacityChange } from '../../drill/adapters/local-service-capacity';
import { newDrillReport } from '../../drill/report/drill-report';
import { describeCapacityMove, fillReadiness } from '../../drill/report/readiness-figures';
import { verdictFailures } from '../../drill/report/verdict';

const START = Date.parse('2026-12-07T12:00:00.000Z');

/** A drill report whose failover ran from 10 s to 11 s, its shift-traffic step starting at 10.5 s. */
function failoverReport() {
  const report = newDrillReport(
    {
      ci: true,
      out: '/tmp/x',
      orderRate: 1,
      lostWrites: 0,
      apply: false,
      failback: false,
      seed: 1,
      routingMode: 'arc-cluster' as const,
    },
    START,
    'us-east-1',
    'us-west-2',
    { json: '', html: '', reconcile: '', runbook: '' },
  );
  report.rto.fault_at = new Date(START + 9_000).toISOString();
  report.runbook_steps.push(
    { label: 'failover · scale-to-peak', started_ms: 10_000, finished_ms: 10_100, status: 'ok', detail: '' },
    { label: 'failover · shift-traffic', started_ms: 10_500, finished_ms: 10_600, status: 'ok', detail: '' },
    { label: 'failover · store-summary', started_ms: 10_900, finished_ms: 11_000, status: 'ok', detail: '' },
  );
  return report;
}

const change = (
  atMs: number,
  service: string,
  kind: 'desired' | 'minimum',
  from: number,
  to: number,
): CapacityChange => ({
  at: START + atMs,
  region: 'us-west-2',
  service,
  kind,
  from,
  to,
});

describe('the drill judges the task counts of a traffic move by its steps and the capacity changes', () => {
  test('GIVEN every raise before shift-traffic THEN raised first and no failure', () => {
    const report = failoverReport();
    fillReadiness(
      report,
      [change(10_050, 'orders', 'minimum', 1, 2), change(10_060, 'orders', 'desired', 1, 2)],
      START,
    );
    expect(report.readiness.moves[0]).toEqual(
      expect.objectContaining({ raised_before_traffic: true, traffic_moved_ms: 10_500 }),
    );
    expect(describeCapacityMove(report.readiness.moves[0]!)).toBe('us-west-2: orders 1→2 before the traffic moved');
    expect(verdictFailures(report, { lostWrites: 0 }).filter((f) => f.includes('task count'))).toEqual([]);
  });

  test('GIVEN a raise after shift-traffic started THEN not raised first, and the drill fails naming it', () => {
    const report = failoverReport();
    fillReadiness(report, [change(10_050, 'orders', 'desired', 1, 2), change(10_700, 'ui', 'desired', 1, 2)], START);
    expect(report.readiness.moves[0]?.raised_before_traffic).toBe(false);
    expect(verdictFailures(report, { lostWrites: 0 })).toContain(
      'the failover raised task counts after the traffic moved (us-west-2 ui desired at 10700 ms; traffic moved at 10500 ms)',
    );
  });

  test('GIVEN no raise at all THEN the drill fails: the traffic moved to a Region that was not scaled up', () => {
    const report = failoverReport();
    fillReadiness(report, [change(20_000, 'orders', 'desired', 1, 2)], START);
    expect(report.readiness.moves[0]?.raised).toEqual([]);
    expect(verdictFailures(report, { lostWrites: 0 })).toContain(
      "the failover moved traffic without raising any task count; expected: the target Region raised to its share of the other Region's peak first",
    );
  });
});
