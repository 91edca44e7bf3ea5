import { drillEvidenceInput, drillId } from '../../drill/report/drill-evidence';
import { drillTimeline } from '../../drill/report/drill-score';
import { buildEvidencePack } from '../../runbooks/evidence/evidence-pack';
import { scoreRun } from '../../runbooks/scoring/score-run';
import {
  absent,
  ack,
  input,
  orderRows,
  present,
  report as reconcileReport,
  uuid,
} from '../runbooks/scoring/score-fixture';
import { fixtureDrillReport } from './drill-report-fixture';

function scoredDrill() {
  const report = fixtureDrillReport({ out: '/o' });
  const acks = [ack('order_placed', 1, 10), ack('order_placed', 4, 30.5)];
  report.score = scoreRun(
    input(acks, { [uuid(1)]: present(), [uuid(4)]: absent }, reconcileReport([orderRows(4, 'lost_insert')])),
  );
  return report;
}

describe('the drill evidence pack', () => {
  test('GIVEN a scored drill WHEN its evidence input is made THEN it says who ran it, the fault, the moments of the scoring and links its records', () => {
    const report = scoredDrill();
    report.failures.push('the canary failed: after-failover: cart: no line');
    const evidence = drillEvidenceInput(report, 'alice');
    expect(evidence).toEqual(
      expect.objectContaining({
        kind: 'drill',
        id: 'drill-20261207T023900Z-seed7',
        actor: 'alice',
        approver: null,
        regions: { failed: 'us-east-1', surviving: 'us-west-2' },
        deviations: ["The drill's own check failed: the canary failed: after-failover: cart: no line."],
      }),
    );
    expect(evidence.fault.injectedAt).toBe(report.rto.fault_at);
    const moments = drillTimeline(report);
    expect(evidence.timeline).toEqual(
      expect.arrayContaining([
        { at: moments.firstFailureAt, what: 'first shopper request that failed (RTO starts)' },
        { at: moments.decidedAt, what: 'failover runbook started (decision)' },
      ]),
    );
    expect((evidence.links ?? []).map((l) => l.href)).toEqual(
      expect.arrayContaining(['drill.html', 'drill.json', 'reconcile/orders/report.html']),
    );
    expect(JSON.parse(buildEvidencePack(evidence).json).verdict).toBe('PASSED');
  });

  test('GIVEN a drill that failed on its score WHEN its evidence input is made THEN the score reasons are not repeated as deviations', () => {
    const report = scoredDrill();
    report.failures.push(`score FAILED: ${report.score!.reasons[0]}`);
    expect(drillEvidenceInput(report, 'alice').deviations).toEqual([]);
  });

  test('GIVEN a drill that was not scored WHEN its evidence input is made THEN it refuses', () => {
    const report = fixtureDrillReport();
    expect(() => drillEvidenceInput(report, 'alice')).toThrow(
      'drill evidence: the drill has no score; accepted: a report scored by scoreDrill',
    );
    expect(drillId(report)).toBe('drill-20261207T023900Z-seed7');
  });
});
