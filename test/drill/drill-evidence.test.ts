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

/** The deviation of the fixture's failback, run without Chromium. */
const FIXTURE_OVERRIDES =
  'Failback readiness overridden: canary skipped (no Chromium: CHROMIUM_PATH=/opt/chromium does not exist): healthy-long-enough, canaries-green.';

describe('the drill evidence pack', () => {
  test('GIVEN a failback whose readiness conditions the drill waived WHEN its evidence input is made THEN they are a deviation, with why; none waived, none', () => {
    const report = scoredDrill();
    expect(drillEvidenceInput(report, 'alice').deviations).toEqual([FIXTURE_OVERRIDES]);
    report.failback!.readiness_overrides = null;
    expect(drillEvidenceInput(report, 'alice').deviations).toEqual([]);
  });

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
        verdict: 'FAILED',
        reasons: ["The drill's own check failed: the canary failed: after-failover: cart: no line."],
        deviations: [FIXTURE_OVERRIDES],
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
    // The drill failed its own check (the canary): its pack says FAILED, as drill.json does (review 16c S1).
    const pack = JSON.parse(buildEvidencePack(evidence).json);
    expect(pack.verdict).toBe('FAILED');
    expect(pack.reasons).toEqual(["The drill's own check failed: the canary failed: after-failover: cart: no line."]);
    expect(pack.score.verdict).toBe('PASSED');
  });

  test('GIVEN a drill whose score passed but whose own checks failed (apply, stranded writes) WHEN its pack is built THEN the pack verdict is FAILED, like drill.json (review 16c S1)', () => {
    const report = scoredDrill();
    report.failures.push(
      'apply recovered 0 of 1 lost orders',
      'acknowledged_lost is 1, but 3 acknowledged write(s) were stranded (--lost-writes)',
    );
    report.status = 'failed';
    const pack = JSON.parse(buildEvidencePack(drillEvidenceInput(report, 'alice')).json);
    expect(pack.verdict).toBe('FAILED');
    expect(pack.reasons).toEqual([
      "The drill's own check failed: apply recovered 0 of 1 lost orders.",
      "The drill's own check failed: acknowledged_lost is 1, but 3 acknowledged write(s) were stranded (--lost-writes).",
    ]);
  });

  test('GIVEN an interrupted drill WHEN its pack is built THEN the pack verdict is INCONCLUSIVE (review 16c S1)', () => {
    const report = scoredDrill();
    report.failures.push('the drill stopped: interrupted by SIGINT');
    report.status = 'interrupted';
    const pack = JSON.parse(buildEvidencePack(drillEvidenceInput(report, 'alice')).json);
    expect(pack.verdict).toBe('INCONCLUSIVE');
    expect(pack.reasons[0]).toBe('The drill was interrupted before it ended.');
  });

  test('GIVEN a drill that passed WHEN its pack is built THEN the pack verdict and reasons are the score ones', () => {
    const report = scoredDrill();
    report.status = 'passed';
    const pack = JSON.parse(buildEvidencePack(drillEvidenceInput(report, 'alice')).json);
    expect(pack.verdict).toBe('PASSED');
    expect(pack.reasons).toEqual(report.score!.reasons);
    // drill.json failed for a reason that reads like the score's: never PASSED over a failed drill.
    report.failures.push(`score FAILED: ${report.score!.reasons[0]}`);
    expect(JSON.parse(buildEvidencePack(drillEvidenceInput(report, 'alice')).json).verdict).toBe('FAILED');
  });

  test('GIVEN a drill that failed on its score WHEN its evidence input is made THEN the score reasons are its reasons, not repeated as deviations', () => {
    const report = fixtureDrillReport({ out: '/o' });
    // Order 4 was lost and the report lists nothing: the score FAILED.
    report.score = scoreRun(
      input(
        [ack('order_placed', 1, 10), ack('order_placed', 4, 30.5)],
        { [uuid(1)]: present(), [uuid(4)]: absent },
        reconcileReport([]),
      ),
    );
    expect(report.score.verdict).toBe('FAILED');
    report.failures.push(`score FAILED: ${report.score.reasons[0]}`);
    const evidence = drillEvidenceInput(report, 'alice');
    expect(evidence.deviations).toEqual([FIXTURE_OVERRIDES]);
    expect(evidence.reasons).toEqual(report.score.reasons);
    expect(evidence.verdict).toBe('FAILED');
  });

  test('GIVEN a drill that was not scored WHEN its evidence input is made THEN it refuses', () => {
    const report = fixtureDrillReport();
    expect(() => drillEvidenceInput(report, 'alice')).toThrow(
      'drill evidence: the drill has no score; accepted: a report scored by scoreDrill',
    );
    expect(drillId(report)).toBe('drill-20261207T023900Z-seed7');
  });
});
