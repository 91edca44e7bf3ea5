import type { EvidenceInput } from '../../../runbooks/evidence/evidence-pack';
import { scoreRun } from '../../../runbooks/scoring/score-run';
import { absent, ack, at, input, orderRows, present, report, TIMELINE, uuid } from '../scoring/score-fixture';

/** A scored game day: orders 4 and 5 lost and reported, a re-placed order, one missed cancel (FAILED). */
export function evidenceInput(overrides: Partial<EvidenceInput> = {}): EvidenceInput {
  const acks = [
    ack('order_placed', 1, 10),
    ack('order_placed', 2, 20),
    ack('order_cancelled', 2, 31),
    ack('order_placed', 4, 30.5),
    ack('order_placed', 5, 31),
    ack('order_replaced', 9, 52, { replaces: uuid(5) }),
  ];
  const newPrimary = {
    [uuid(1)]: present(),
    [uuid(2)]: present({ cancelled: false }),
    [uuid(4)]: absent,
    [uuid(5)]: absent,
    [uuid(9)]: present(),
  };
  const rows = report([orderRows(4, 'lost_insert'), orderRows(5, 'possible_duplicate', { duplicateOf: uuid(9) })]);
  const score = scoreRun(input(acks, newPrimary, rows, { onlySyntheticTraffic: false, unacknowledgedWrites: null }));
  return {
    kind: 'gameday',
    id: 'gd-20261207T050000Z-ab12',
    application: 'shop-prod',
    tested:
      'Loss of us-east-1: the failover runbook moves traffic and writers to us-west-2, and the missing-transaction report lists every acknowledged write the new primary lacks.',
    startedAt: at(0),
    finishedAt: at(600),
    actor: 'octocat',
    approver: 'hubot',
    regions: { failed: 'us-east-1', surviving: 'us-west-2' },
    fault: {
      description: 'Cross-Region connectivity lost and ECS tasks stopped in us-east-1',
      method: 'FIS experiment EXP1a2b3c4d5e6f7 of template EXT123 (Cross-Region: Connectivity)',
      injectedAt: TIMELINE.faultInjectedAt,
    },
    timeline: [
      { at: TIMELINE.detectedAt, what: 'Canary alarm in us-east-1' },
      { at: TIMELINE.faultInjectedAt, what: 'FIS experiment started' },
      { at: TIMELINE.firstCheckoutAt, what: 'First checkout in us-west-2' },
    ],
    verdict: score.verdict,
    reasons: score.reasons,
    score,
    deviations: ['The old Region took 2 h 10 min to return.'],
    links: [
      { label: 'Missing-transaction report (orders)', href: 'reconcile/orders/report.html' },
      { label: 'Workflow run', href: 'https://github.com/o/r/actions/runs/1' },
    ],
    generatedAt: at(700),
    ...overrides,
  };
}
