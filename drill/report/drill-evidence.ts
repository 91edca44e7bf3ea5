import path from 'node:path';
import type { EvidenceInput } from '../../runbooks/evidence/evidence-pack';
import type { RunTimeline } from '../../runbooks/scoring/score-input';
import type { RunScore } from '../../runbooks/scoring/score-run';
import type { DrillReport } from './drill-report';
import { drillTimeline } from './drill-score';

/** The scoring's moments that the markers do not name already, in words. */
const MOMENT_WORDS: Partial<Record<keyof RunTimeline, string>> = {
  firstFailureAt: 'first shopper request that failed (RTO starts)',
  decidedAt: 'failover runbook started (decision)',
  trafficMovedAt: 'failover runbook: traffic moved (shift-traffic, or the Region switch plan, done)',
  writersMovedAt: 'failover runbook: writers moved (verify-writers done)',
};

function moments(timeline: RunTimeline) {
  return Object.entries(MOMENT_WORDS).flatMap(([key, what]) => {
    const at = timeline[key as keyof RunTimeline];
    return at ? [{ at, what }] : [];
  });
}

/** The drill's id in its evidence pack: `drill-<UTC start, compact>-seed<seed>`. */
export function drillId(report: DrillReport): string {
  return `drill-${report.started_at.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-seed${report.options.seed}`;
}

/**
 * The drill's own verdict, as drill.json records it (review 16c S1): INCONCLUSIVE when it was interrupted, FAILED
 * when one of its own checks failed (the canary, apply, the stranded writes), else the score's. Its reasons: the
 * failed own checks, then the score's reasons.
 */
function drillVerdict(report: DrillReport, own: readonly string[]): Pick<EvidenceInput, 'verdict' | 'reasons'> {
  const score = report.score as RunScore;
  const ownReasons = own.map((f) => `The drill's own check failed: ${f}.`);
  if (report.status === 'interrupted') {
    return {
      verdict: 'INCONCLUSIVE',
      reasons: ['The drill was interrupted before it ended.', ...ownReasons, ...score.reasons],
    };
  }
  if (own.length > 0) {
    return { verdict: score.verdict === 'INCONCLUSIVE' ? 'INCONCLUSIVE' : 'FAILED', reasons: ownReasons };
  }
  if (score.verdict === 'PASSED' && report.failures.length > 0) {
    return { verdict: 'FAILED', reasons: report.failures.map((f) => `The drill failed: ${f}.`) };
  }
  return { verdict: score.verdict, reasons: score.reasons };
}

/**
 * The evidence pack of a scored drill (the format a game day writes): what was tested, when, by `actor` (the local
 * user), the fault, the timeline's markers, the drill's verdict (FAILED when its own checks failed, whatever the
 * score says) and the score; as deviations, the failback readiness conditions it waived (canary skipped) and
 * anything left behind; drill.html, drill.json and the reconcile reports as related records.
 *
 * @throws Error when the drill has no score (it is scored before its files are written).
 */
export function drillEvidenceInput(report: DrillReport, actor: string): EvidenceInput {
  if (!report.score) throw new Error('drill evidence: the drill has no score; accepted: a report scored by scoreDrill');
  const { primary, standby } = report.regions;
  const start = Date.parse(report.started_at);
  const scoreReasons = new Set(report.score.reasons);
  const own = report.failures.filter((f) => ![...scoreReasons].some((r) => f.endsWith(r)));
  const dir = path.dirname(report.paths.html);
  const rel = (target: string) => path.relative(dir, target).split(path.sep).join('/');
  return {
    kind: 'drill',
    id: drillId(report),
    application: 'multi-region-shop (local two-Region drill)',
    tested:
      `Loss of ${primary}: the failover runbook moves traffic and writers to ${standby}, and recover's ` +
      `missing-transaction report is scored against the ${report.score.acknowledged.writes} write(s) the shoppers ` +
      'were told succeeded.',
    startedAt: report.started_at,
    finishedAt: report.finished_at || report.started_at,
    actor,
    approver: null,
    regions: { failed: primary, surviving: standby },
    fault: {
      description:
        `${primary} fails: replication cut, ${report.stranded_requested} acknowledged order(s) stranded in it, ` +
        'its Postgres primaries killed (SIGKILL), its services and dynalite stopped',
      method: `the local drill (npm run drill, seed ${report.options.seed}) on ${report.machine.cpus} CPU(s), Node ${report.machine.node}`,
      injectedAt: report.rto.fault_at,
    },
    timeline: [
      ...report.markers.map((m) => ({ at: new Date(start + m.at_ms).toISOString(), what: m.label })),
      ...moments(drillTimeline(report)),
    ],
    ...drillVerdict(report, own),
    score: report.score,
    deviations: [
      ...(report.failback?.readiness_overrides
        ? [
            `Failback readiness overridden: ${report.failback.readiness_overrides.reason}: ${report.failback.readiness_overrides.conditions.join(', ')}.`,
          ]
        : []),
      ...report.leftovers.map((l) => `Left behind: ${l}.`),
    ],
    links: [
      { label: 'The drill report (drill.html)', href: rel(report.paths.html) },
      { label: 'Its data (drill.json)', href: rel(report.paths.json) },
      ...Object.entries(report.reconcile.databases).map(([database, db]) => ({
        label: `Missing-transaction report (${database})`,
        href: rel(db.report_html),
      })),
    ],
    generatedAt: report.finished_at || report.started_at,
  };
}
