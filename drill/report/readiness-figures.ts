import { TRAFFIC_STEP_NAMES } from '../../runbooks/orchestrations/region-switch-steps';
import type { CapacityChange } from '../adapters/local-service-capacity';
import type { PreflightResult } from '../preflight-readiness';
import type { CapacityChangeReport, CapacityMoveReport, DrillReport } from './drill-report';

/** The orchestrations that move traffic in a drill, in the order they run. */
const TRAFFIC_MOVES = ['failover', 'failback'] as const;

/** drill.json's `readiness.preflight` from what the preflight found (each check's verdict, failures and unknowns). */
export function preflightReport(result: PreflightResult): NonNullable<DrillReport['readiness']['preflight']> {
  return {
    verdict: result.verdict,
    record: result.record,
    failures: [...result.failures],
    regions: Object.fromEntries(
      Object.entries(result.regions).map(([region, evaluation]) => [
        region,
        {
          verdict: evaluation.verdict,
          checks: evaluation.checks.map((c) => ({
            name: c.name,
            verdict: c.verdict,
            failures: [...c.failures],
            unknowns: [...c.unknowns],
          })),
        },
      ]),
    ),
  };
}

/**
 * Copies the capacity stand-in's changes into drill.json (offsets from the drill's start) and judges each traffic
 * move by them and its steps (`report.runbook_steps`, filled first by fillTimeline): what it raised, whether every
 * raise came before its traffic step (`shift-traffic`, or the Region switch plan's run) started, and what it lowered back after that.
 */
export function fillReadiness(report: DrillReport, changes: readonly CapacityChange[], startedAt: number): void {
  report.readiness.capacity_changes.push(
    ...changes.map((c) => ({
      at_ms: c.at - startedAt,
      region: c.region,
      service: c.service,
      kind: c.kind,
      from: c.from,
      to: c.to,
    })),
  );
  for (const orchestration of TRAFFIC_MOVES) {
    const move = capacityMove(report, orchestration);
    if (move) report.readiness.moves.push(move);
  }
}

/** What `orchestration` did to the task counts: the changes made while its steps ran. */
function capacityMove(report: DrillReport, orchestration: string): CapacityMoveReport | undefined {
  const steps = report.runbook_steps.filter((s) => s.label.startsWith(`${orchestration} · `));
  if (steps.length === 0) return undefined;
  const from = Math.min(...steps.map((s) => s.started_ms));
  const to = Math.max(...steps.map((s) => s.finished_ms));
  const during = report.readiness.capacity_changes.filter((c) => c.at_ms >= from && c.at_ms <= to);
  const shift = steps.find(
    (s) => TRAFFIC_STEP_NAMES.some((name) => s.label === `${orchestration} · ${name}`) && s.status === 'ok',
  );
  const trafficMoved = shift?.started_ms ?? null;
  const raised = during.filter((c) => c.to > c.from);
  const restored = trafficMoved === null ? [] : during.filter((c) => c.to < c.from && c.at_ms >= trafficMoved);
  return {
    orchestration,
    traffic_moved_ms: trafficMoved,
    raised,
    raised_before_traffic: trafficMoved !== null && raised.length > 0 && raised.every((c) => c.at_ms <= trafficMoved),
    restored,
  };
}

/**
 * One sentence per traffic move for the summary and drill.html: the Region and services raised (desired count, from
 * → to) and whether before the traffic moved; for the failback, what it lowered back after.
 */
export function describeCapacityMove(move: CapacityMoveReport): string {
  const raisedDesired = move.raised.filter((c) => c.kind === 'desired');
  const raisedText =
    raisedDesired.length === 0
      ? 'no task count raised'
      : `${regionsOf(raisedDesired)}: ${countsOf(raisedDesired)} ${move.raised_before_traffic ? 'before' : 'NOT before'} the traffic moved`;
  const restoredText =
    move.restored.length === 0
      ? ''
      : `; after it moved, back to the baseline: ${groupsOf(move.restored)
          .map(([what, list]) => `${what} ${countsOf(list)}`)
          .join('; ')}`;
  return `${raisedText}${restoredText}`;
}

const regionsOf = (changes: readonly CapacityChangeReport[]) => [...new Set(changes.map((c) => c.region))].join(', ');

/** `orders 1→2, ui 1→2`, or `5 services 1→2` when every change is the same. */
function countsOf(changes: readonly CapacityChangeReport[]): string {
  const steps = [...new Set(changes.map((c) => `${c.from}→${c.to}`))];
  if (steps.length === 1 && changes.length > 2) return `${changes.length} services ${steps[0]}`;
  return changes.map((c) => `${c.service} ${c.from}→${c.to}`).join(', ');
}

/** The changes grouped by Region and kind: `us-west-2 minimum`, `us-west-2 desired`. */
function groupsOf(changes: readonly CapacityChangeReport[]): [string, CapacityChangeReport[]][] {
  const groups = new Map<string, CapacityChangeReport[]>();
  for (const c of changes) {
    const key = `${c.region} ${c.kind === 'minimum' ? 'scaling minimum' : 'desired'}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.entries()];
}

/**
 * What the preflight's `canaries-green` could not check: without Chromium the canary is skipped, the Regions have no
 * canary alarm, and the check is GREEN with nothing checked. Said, never silent; empty when the canary ran.
 */
export function canarySkippedNote(report: DrillReport): string {
  return report.canary.status === 'skipped' ? '; canaries-green checked no canary alarm (canary skipped)' : '';
}
