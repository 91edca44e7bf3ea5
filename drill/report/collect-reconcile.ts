import { cp } from 'node:fs/promises';
import path from 'node:path';
import type { RunResult } from '../../runbooks/core/engine';
import { type ClassCounts, emptyCounts, ROW_CLASSES } from '../../runbooks/reconcile';
import type { DrillPorts } from '../adapters/drill-ports';
import { DRILL_DATABASES } from '../drill-topology';
import type { DrillReport, ReconcileDatabaseReport } from './drill-report';

function sumCounts(all: readonly ClassCounts[]): ClassCounts {
  const total = emptyCounts();
  for (const counts of all) for (const c of ROW_CLASSES) total[c] += counts[c];
  return total;
}

/** Reads the reconcile reports the recover orchestration stored and copies them into <out>/reconcile/<db>. */
export async function collectReconcile(
  report: DrillReport,
  drillPorts: DrillPorts,
  result: RunResult,
  reconcileDir: string,
): Promise<void> {
  const databases: Record<string, ReconcileDatabaseReport> = {};
  for (const database of DRILL_DATABASES) {
    const step = result.steps.find((s) => s.step === `reconcile-${database}`);
    const stored = step?.outputs?.['report'];
    const made = drillPorts.reconciler.reports.get(database);
    if (typeof stored !== 'string' || !made) continue;
    const target = path.join(reconcileDir, database);
    await cp(stored, target, { recursive: true });
    const tables = Object.fromEntries(Object.entries(made.tables).map(([name, t]) => [name, t.counts]));
    databases[database] = {
      status: made.status,
      summary: String(step?.outputs?.['summary'] ?? ''),
      cut: made.cut,
      cut_source: made.cutSource,
      window_start: made.windowStart,
      totals: made.totals,
      tables,
      report_dir: target,
      report_html: path.join(target, 'report.html'),
      lost_order_ids:
        made.tables['orders']?.rows
          .filter((r) => r.class === 'lost_insert' || r.class === 'possibly_lost')
          .map((r) => r.id)
          .sort() ?? [],
      lost_write_report_ms: made.lostWriteReportMs,
      total_ms: made.totalMs,
      error: made.error ? `${made.error.step}: ${made.error.message}` : null,
    };
  }
  const all = Object.values(databases);
  report.reconcile.databases = databases;
  report.reconcile.status =
    all.length === DRILL_DATABASES.length && all.every((d) => d.status === 'complete')
      ? 'complete'
      : all.length === 0
        ? 'not-run'
        : 'failed';
  report.reconcile.counts = all.length > 0 ? sumCounts(all.map((d) => d.totals)) : null;
  report.reconcile.unexplained = report.reconcile.counts?.unexplained ?? 0;
  const orders = databases['orders']?.tables['orders'];
  report.reconcile.lost_inserts = orders ? orders.lost_insert + orders.possibly_lost : null;
  report.reconcile.possibly_lost = orders?.possibly_lost ?? null;
  report.reconcile.report = databases['orders']?.report_html ?? null;
}
