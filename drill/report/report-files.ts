import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderDrillHtml } from './drill-html';
import type { DrillReport } from './drill-report';

/** Writes drill.json and drill.html where the report's paths say. */
export async function writeDrillReport(report: DrillReport): Promise<void> {
  await mkdir(path.dirname(report.paths.json), { recursive: true });
  await writeFile(report.paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(report.paths.html, renderDrillHtml(report));
}
