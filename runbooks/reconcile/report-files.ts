import { createHash } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
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

/**
 * The CSV file of one table, always a plain file name inside the report folder whatever the table is called
 * (`../x`, `a/b`, `"audit.log"`): lower-case ASCII letters, digits, `_` and `-` are kept, every other byte of
 * the name's UTF-8 is written `%XX`. The encoding is one-to-one and never yields an upper-case letter, so two
 * tables never share a file, even on a case-insensitive file system (`Orders` is `%4Frders.csv`). A Postgres name
 * has at most 63 bytes, so the file name stays under 255.
 */
export function tableCsvName(table: string): string {
  let name = '';
  for (const byte of Buffer.from(table, 'utf8')) {
    const c = String.fromCharCode(byte);
    name += /[a-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${name}.csv`;
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
 * Writes one CSV per table, report.html, then report.json and, last, report.json.sha256, each through a temporary
 * file renamed into place. A previous run's report.json.sha256 and report.json are removed first, so a write that
 * fails half-way never leaves a report.json on disk (with or without a valid checksum) that the run did not
 * finish: a folder with a valid checksum always holds this run's complete files (`sha256sum -c
 * report.json.sha256` verifies report.json).
 */
export async function writeReportFiles(report: ReconcileReport, outDir: string): Promise<void> {
  makeFolder(outDir);
  await rm(path.join(outDir, REPORT_FILES.sha256), { force: true });
  await rm(path.join(outDir, REPORT_FILES.json), { force: true });
  const json = Buffer.from(`${JSON.stringify(report, null, 2)}\n`);
  for (const [table, result] of Object.entries(report.tables)) {
    const file = path.join(outDir, tableCsvName(table));
    try {
      await writeAtomically(file, tableCsv(result.rows));
    } catch (error) {
      throw new Error(`the CSV of table ${JSON.stringify(table)} (${file}): ${(error as Error).message}`);
    }
  }
  await writeAtomically(path.join(outDir, REPORT_FILES.html), renderReportHtml(report));
  await writeAtomically(path.join(outDir, REPORT_FILES.json), json);
  await writeAtomically(path.join(outDir, REPORT_FILES.sha256), sha256Line(json));
}
