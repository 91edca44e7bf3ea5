import type { CanaryRunReport, DrillReport } from './drill-report';

/** Fills drill.json's canary status: passed when both runs (before the fault, after the failover) passed. */
export function fillCanary(report: DrillReport, runs: readonly CanaryRunReport[], skipped: string | undefined): void {
  report.canary.runs.push(...runs);
  if (skipped !== undefined) {
    report.canary.status = 'skipped';
    report.canary.reason = skipped;
  } else if (runs.length === 0) {
    report.canary.status = 'failed';
    report.canary.reason = 'the drill stopped before the canary ran';
  } else {
    report.canary.status = runs.length === 2 && runs.every((r) => r.status === 'passed') ? 'passed' : 'failed';
    report.canary.reason =
      report.canary.status === 'passed'
        ? null
        : runs
            .filter((r) => r.status !== 'passed')
            .map((r) => `${r.when}: ${r.error}`)
            .join('; ') || 'the canary ran only once';
  }
}
