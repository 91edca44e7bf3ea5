import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { writeEvidencePack } from '../../runbooks/evidence/evidence-files';
import { buildEvidencePack } from '../../runbooks/evidence/evidence-pack';
import { drillEvidenceInput } from './drill-evidence';
import { renderDrillHtml } from './drill-html';
import type { DrillReport } from './drill-report';
import { fillLostOrders } from './lost-orders';

function localUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env['USER'] ?? 'unknown local user';
  }
}

/**
 * Writes drill.json and drill.html where the report's paths say, after reading the lost orders' details from the
 * reconcile report copied into the out folder; and, when the drill was scored, its evidence pack next to them
 * (evidence.json, evidence.html, evidence.sha256: the format a game day writes), linked from drill.html.
 */
export async function writeDrillReport(report: DrillReport): Promise<void> {
  await fillLostOrders(report);
  const dir = path.dirname(report.paths.json);
  await mkdir(dir, { recursive: true });
  if (report.score) {
    report.evidence = await writeEvidencePack(
      dir,
      buildEvidencePack(drillEvidenceInput(report, localUser(process.env))),
    );
  }
  await writeFile(report.paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(report.paths.html, renderDrillHtml(report));
}
