import type { CanaryRunReport, DrillReport } from './drill-report';

/**
 * Fills drill.json's canary status: passed when every run the drill makes passed — before the fault, after the
 * failover and, with `--failback`, before the failback (the returning Region's canary alarm must be OK again).
 */
export function fillCanary(report: DrillReport, runs: readonly CanaryRunReport[], skipped: string | undefined): void {
  report.canary.runs.push(...runs);
  if (skipped !== undefined) {
    report.canary.status = 'skipped';
    report.canary.reason = skipped;
  } else if (runs.length === 0) {
    report.canary.status = 'failed';
    report.canary.reason = 'the drill stopped before the canary ran';
  } else {
    const expected: CanaryRunReport['when'][] = [
      'before-fault',
      'after-failover',
      ...(report.options.failback ? (['before-failback'] as const) : []),
    ];
    const missing = expected.filter((when) => !runs.some((r) => r.when === when));
    const failed = runs.filter((r) => r.status !== 'passed');
    report.canary.status = missing.length === 0 && failed.length === 0 ? 'passed' : 'failed';
    report.canary.reason =
      report.canary.status === 'passed'
        ? null
        : [...failed.map((r) => `${r.when}: ${r.error}`), ...missing.map((when) => `no ${when} run`)].join('; ');
  }
}
