import { createHash } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { makeFolder } from '../core/make-folder';
import type { ReconcileReport } from './report';
import { renderReportHtml } from './report-html';

/** File names inside the report folder. */
export const REPORT_FILES = {
  json: 'report.json',
  sha256: 'report.json.sha256',
  html: 'report.html',
} as const;

/** The CSV file of one table. */
export function tableCsvName(table: string): string {
  return `${table}.csv`;
}

/** `sha256sum`-compatible line for `report.json`: `<hex>  report.json\n`. */
export function sha256Line(json: Buffer | string): string {
  return `${createHash('sha256').update(json).digest('hex')}  ${REPORT_FILES.json}\n`;
}

/**
 * Whether the report folder `dir` can be created and written: creates it and writes and removes a probe file,
 * at once, before any database is read. Returns the problem, naming `flag`, the value and why; undefined when
 * the folder is usable.
 */
export function outDirProblem(flag: string, dir: string): string | undefined {
  if (typeof dir !== 'string' || dir.trim() === '') {
    return `${flag}: ${JSON.stringify(dir)} is not accepted; accepted: a folder that can be created and written`;
  }
  const probe = path.join(path.resolve(dir), `.write-probe-${process.pid}`);
  try {
    makeFolder(dir);
    const fd = openSync(probe, 'wx');
    try {
      writeSync(fd, 'probe');
    } finally {
      closeSync(fd);
    }
    unlinkSync(probe);
    return undefined;
  } catch (error) {
    return `${flag}: ${JSON.stringify(dir)} cannot be written (${(error as Error).message}); accepted: a folder that can be created and written (the report goes there)`;
  }
}

async function writeAtomically(file: string, content: string | Buffer): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}

/** One CSV per table: class, id, detail, duplicate_of, old_row, new_row (JSON), proposed_sql. */
export function tableCsv(rows: ReconcileReport['tables'][string]['rows']): string {
  return stringify(
    rows.map((r) => [
      r.class,
      r.id,
      r.detail,
      r.duplicateOf ?? '',
      r.old ? JSON.stringify(r.old) : '',
      r.new ? JSON.stringify(r.new) : '',
      r.proposedSql ?? '',
    ]),
    { header: true, columns: ['class', 'id', 'detail', 'duplicate_of', 'old_row', 'new_row', 'proposed_sql'] },
  );
}

/**
 * Writes report.json, one CSV per table, report.html and, last, report.json.sha256, so a folder with a valid
 * checksum always holds a complete report.json (`sha256sum -c report.json.sha256` verifies it).
 */
export async function writeReportFiles(report: ReconcileReport, outDir: string): Promise<void> {
  makeFolder(outDir);
  const json = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(path.join(outDir, REPORT_FILES.json), json);
  for (const [table, result] of Object.entries(report.tables)) {
    await writeAtomically(path.join(outDir, tableCsvName(table)), tableCsv(result.rows));
  }
  await writeAtomically(path.join(outDir, REPORT_FILES.html), renderReportHtml(report));
  await writeAtomically(path.join(outDir, REPORT_FILES.sha256), sha256Line(json));
}
