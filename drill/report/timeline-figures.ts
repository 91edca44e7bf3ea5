import type { DrillReport } from './drill-report';
import type { Timeline } from './timeline';

/** Copies the timeline's phases, runbook steps and markers into drill.json (offsets from the drill's start). */
export function fillTimeline(report: DrillReport, timeline: Timeline): void {
  const offset = (ms: number) => ms - timeline.startedAt;
  for (const span of timeline.spans) {
    const entry = {
      started_ms: offset(span.startAt),
      finished_ms: offset(span.endAt),
      status: span.status,
      detail: span.detail,
    };
    if (span.lane === 'phase') report.phases.push({ name: span.label, ...entry });
    else if (span.lane === 'runbook') report.runbook_steps.push({ label: span.label, ...entry });
  }
  report.markers.push(...timeline.markers.map((m) => ({ kind: m.kind, label: m.label, at_ms: offset(m.at) })));
}
