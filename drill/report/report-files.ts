import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderDrillHtml } from './drill-html';
import type { DrillReport } from './drill-report';
import { fillLostOrders } from './lost-orders';

/**
 * Writes drill.json and drill.html where the report's paths say, after reading the lost orders' details from the
 * reconcile report copied into the out folder.
 */
export async function writeDrillReport(report: DrillReport): Promise<void> {
  await fillLostOrders(report);
  await mkdir(path.dirname(report.paths.json), { recursive: true });
  await writeFile(report.paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(report.paths.html, renderDrillHtml(report));
}
