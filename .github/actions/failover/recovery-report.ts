import type { SummaryBlock } from '../cli-support/job-summary';
import type { AutomationRun } from './automation-report';
import { returnedObject } from './returned-object';

/** The file of a report folder a person reads (runbooks/reconcile writes it beside report.json and the CSVs). */
export const REPORT_HTML = 'report.html';

/** One database's missing-transaction report, as the recover runbook's `reconcile-<db>` step returned it. */
export interface RecoveredDatabase {
  /** The database (`catalog`, `orders`). */
  readonly name: string;
  /** `complete`, or `failed` (also an incomplete comparison: recover's assert-reconciled then fails the run). */
  readonly status: string;
  /** The counts per class (`lost_insert 20, lost_update 1`), or why the report failed. */
  readonly summary: string;
  /** Where the report is: an `s3://` folder (the report files), or the `error.json`/`report.json` object. */
  readonly location: string;
  /** The report's HTML page, when the location is a report folder. */
  readonly html?: S3Object;
}

/** An object in S3. */
export interface S3Object {
  readonly bucket: string;
  readonly key: string;
}

/** Parses `s3://bucket/key`. */
export function parseS3Url(url: string): S3Object | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

/**
 * The S3 console page of an object, where a person with read access to the bucket opens or downloads it. A link to
 * the console rather than a presigned URL: a presigned URL made with the job's role session "expires when the role
 * session expires, even if you specify a longer expiration time" (Amazon S3 User Guide, "Download and upload objects
 * with presigned URLs", who can create a presigned URL; at most 7 days even with IAM user keys), and the failover
 * job's session lasts under an hour, while the summary is read for days. The console's URL layout is not an API
 * (unverified: it is the address the console shows for an object); the summary gives the `s3://` location and the
 * `aws s3 cp` command beside it.
 */
export function s3ObjectConsoleUrl(object: S3Object, region: string): string {
  return `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(object.bucket)}?region=${region}&bucketType=general&prefix=${encodeURIComponent(object.key)}`;
}

/**
 * The databases the recover runbook reconciled, from the objects its `reconcile-<db>` steps returned (the step handler
 * returns the step's outputs `status`, `summary` and `report`: runbooks/orchestrations/recover.ts), the latest
 * invocation of each; a database not selected or not reached yet is absent.
 */
export function recoveredDatabases(run: Pick<AutomationRun, 'steps'>): RecoveredDatabase[] {
  const found = new Map<string, RecoveredDatabase>();
  for (const step of run.steps) {
    const value = returnedObject(step);
    const name = typeof value?.Step === 'string' ? /^reconcile-(.+)$/.exec(value.Step)?.[1] : undefined;
    const outputs = value?.Outputs as Record<string, unknown> | undefined;
    if (!name || value?.Status !== 'succeeded' || typeof outputs?.report !== 'string') continue;
    const location = outputs.report;
    const folder = location.endsWith('/') ? parseS3Url(location) : undefined;
    found.set(name, {
      name,
      status: String(outputs.status ?? 'unknown'),
      summary: String(outputs.summary ?? ''),
      location,
      ...(folder ? { html: { bucket: folder.bucket, key: `${folder.key}${REPORT_HTML}` } } : {}),
    });
  }
  return [...found.values()];
}

/**
 * The part of the recover summary about the missing-transaction report: one row per database with its status and
 * counts, then for each the link to its HTML page in the report bucket (S3 console) and the command that downloads
 * it. Without a reconciled database (a dry run, or a run that stopped before reconciling), one line says so.
 */
export function recoveryBlocks(run: Pick<AutomationRun, 'steps'>, region: string, dryRun: boolean): SummaryBlock[] {
  const databases = recoveredDatabases(run);
  if (databases.length === 0) {
    return [
      `Missing-transaction report: none yet${dryRun ? ' (a dry run restores and compares nothing)' : ': no database was reconciled in this run (see the steps above)'}`,
    ];
  }
  const blocks: SummaryBlock[] = [
    {
      header: ['database', 'report', 'found (rows per class)'],
      rows: databases.map((db) => [db.name, db.status, db.summary]),
    },
  ];
  for (const db of databases) {
    if (db.html) {
      blocks.push({
        label: `${db.name}: missing-transaction report (${REPORT_HTML}, S3 console)`,
        href: s3ObjectConsoleUrl(db.html, region),
      });
      const s3 = `s3://${db.html.bucket}/${db.html.key}`;
      blocks.push(`${db.name}: download it with aws s3 cp ${s3} ./${db.name}-${REPORT_HTML} --region ${region}`);
    } else {
      blocks.push({ label: `${db.name}: no HTML report; what was stored`, href: db.location });
    }
  }
  return blocks;
}
