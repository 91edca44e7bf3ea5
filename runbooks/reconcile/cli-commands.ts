import { statSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { ISO_INSTANT_ACCEPTED, parseIsoInstant } from '../core/iso-instant';
import { applyReport } from './apply-report';
import {
  DEFAULT_SESSION_LIMITS,
  SESSION_LIMIT_RANGES,
  type SessionLimits,
  sessionLimitProblems,
} from './database-side';
import { postgresUrlProblem } from './database-url';
import { DEFAULT_JOBS, DEFAULT_MARGIN_SECONDS, type ReconcileProgress, reconcile } from './reconcile';
import { type ReconcileReport, ROW_CLASSES } from './report';
import { outDirProblem, REPORT_FILES } from './report-files';
import { parseTableList } from './table-list';

/**
 * A failed report or apply. The action rejects with it and the runbook CLI's entry turns any rejection into exit
 * code 1 (usage errors reach it as commander errors: exit code 2); its message is the one line to print.
 */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
}

/**
 * Parses a flag value as an ISO 8601 instant with an explicit time zone, strictly ({@link parseIsoInstant}): an
 * impossible date or time (2026-02-30, T24:00) is refused, never rolled over to another day.
 */
export function parseInstant(flag: string): (value: string) => Date {
  return (value) => {
    const date = parseIsoInstant(value);
    if (!date) {
      throw new InvalidArgumentError(
        `${flag}: ${JSON.stringify(value)} is not accepted; accepted: ${ISO_INSTANT_ACCEPTED}`,
      );
    }
    return date;
  };
}

/** Parses `--lock-timeout` / `--statement-timeout`: whole seconds within {@link SESSION_LIMIT_RANGES}. */
export function parseSessionLimit(key: keyof SessionLimits): (value: string) => number {
  return (value) => {
    const seconds = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const problems = sessionLimitProblems({ [key]: Number.isNaN(seconds) ? value : seconds } as Partial<SessionLimits>);
    if (problems.length > 0) throw new InvalidArgumentError(problems.join('; '));
    return seconds;
  };
}

/** Parses a flag value as a postgres:// URL. */
export function parseUrl(flag: string): (value: string) => string {
  return (value) => {
    const problem = postgresUrlProblem(flag, value);
    if (problem) throw new InvalidArgumentError(problem);
    return value;
  };
}

/** Parses `--margin`: whole seconds ≥ 0. */
export function parseMargin(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(
      `--margin: ${JSON.stringify(value)} is not accepted; accepted: a whole number of seconds ≥ 0 (default ${DEFAULT_MARGIN_SECONDS})`,
    );
  }
  return Number(value);
}

/** Parses `--jobs`: connections per database, 1–32. */
export function parseJobs(value: string): number {
  const jobs = Number(value);
  if (!/^\d+$/.test(value) || jobs < 1 || jobs > 32) {
    throw new InvalidArgumentError(
      `--jobs: ${JSON.stringify(value)} is not accepted; accepted: a whole number from 1 to 32 (default ${DEFAULT_JOBS})`,
    );
  }
  return jobs;
}

/** Parses `--tables`: see {@link parseTableList}. */
export function parseTables(value: string): string[] {
  try {
    return parseTableList(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * Parses `--out`: the folder is created and a probe file written and removed at once, so a place that cannot be
 * written (read-only, /proc, a file's path) is a usage error before any database is read.
 */
export function parseOutDir(flag: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '')
      throw new InvalidArgumentError(`${flag}: an empty path is not accepted; accepted: a directory path`);
    const problem = outDirProblem(flag, value);
    if (problem) throw new InvalidArgumentError(problem);
    return path.resolve(value);
  };
}

/** Parses `--report`: an existing folder. */
export function parseReportDir(flag: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '')
      throw new InvalidArgumentError(`${flag}: an empty path is not accepted; accepted: a directory path`);
    let isDirectory = false;
    try {
      isDirectory = statSync(value).isDirectory();
    } catch (error) {
      throw new InvalidArgumentError(
        `${flag}: ${JSON.stringify(value)} cannot be read (${(error as Error).message}); accepted: a folder written by "runbook reconcile --out"`,
      );
    }
    if (!isDirectory) {
      throw new InvalidArgumentError(
        `${flag}: ${JSON.stringify(value)} is not a folder; accepted: a folder written by "runbook reconcile --out"`,
      );
    }
    return path.resolve(value);
  };
}

const LIMIT_HELP: Readonly<Record<keyof SessionLimits, string>> = {
  lockTimeoutSeconds:
    'seconds to wait for a lock (a table behind a migration, a row held by a transaction) before failing',
  statementTimeoutSeconds: 'seconds one statement may run on either database before it is cancelled',
};

function limitFlags(
  key: keyof SessionLimits,
): [flags: string, description: string, parse: (value: string) => number, defaultValue: number] {
  const { flag } = SESSION_LIMIT_RANGES[key];
  return [`${flag} <seconds>`, LIMIT_HELP[key], parseSessionLimit(key), DEFAULT_SESSION_LIMITS[key]];
}

function progressLine(event: ReconcileProgress): string | undefined {
  const at = `+${(event.elapsedMs / 1000).toFixed(2)}s`;
  if (event.phase === 'start') return undefined;
  if (event.phase === 'failed') return `reconcile ${at} ${event.step}: FAILED after ${event.ms} ms`;
  return `reconcile ${at} ${event.step}: done${event.ms !== undefined ? ` in ${event.ms} ms` : ''}${event.detail ? ` (${event.detail})` : ''}`;
}

function summary(report: ReconcileReport, outDir: string): string {
  const classes = ROW_CLASSES.filter((c) => c !== 'identical');
  const lines = [
    `status: ${report.status}`,
    ...report.gaps.map((g) => `not compared: ${g.reason}`),
    `cut: ${report.cut} (${report.cutSource}), window start: ${report.windowStart}, failover: ${report.failoverAt}`,
  ];
  for (const [name, table] of Object.entries(report.tables)) {
    lines.push(
      `  ${name}: identical ${table.counts.identical}, ${classes.map((c) => `${c} ${table.counts[c]}`).join(', ')}`,
    );
  }
  lines.push(`report: ${path.join(outDir, REPORT_FILES.html)} (json, csv, sha256 beside it)`);
  return lines.join('\n');
}

/**
 * Adds `reconcile` and `apply` to the runbook CLI. Both actions resolve when the report is complete / the apply
 * succeeded and reject with {@link CommandFailedError} otherwise; option errors are commander errors. The
 * program's entry maps these to exit codes 0, 1 and 2.
 */
export function registerReconcileCommands(program: Command): void {
  program
    .command('reconcile')
    .description(
      'Build the missing-transaction report of a failover: what the old primary had that never reached the new one. Exit 0 when the report is complete, whatever it found; 1 when it failed or is incomplete (something was not compared); 2 on bad usage.',
    )
    .requiredOption('--old-url <url>', 'the database restored from the failed primary snapshot', parseUrl('--old-url'))
    .requiredOption('--new-url <url>', 'the promoted new primary', parseUrl('--new-url'))
    .requiredOption(
      '--failover-at <iso>',
      'when the new primary was promoted (ISO 8601 with time zone)',
      parseInstant('--failover-at'),
    )
    .requiredOption(
      '--out <dir>',
      'folder for report.json, report.html, report.json.sha256 and one CSV per table',
      parseOutDir('--out'),
    )
    .option('--margin <seconds>', 'seconds before the cut to re-check', parseMargin, DEFAULT_MARGIN_SECONDS)
    .option('--tables <list>', 'comma-separated tables to compare (default: every eligible table)', parseTables)
    .option(
      '--cut <iso>',
      'last replicated moment, when the heartbeat on the new primary was already overwritten',
      parseInstant('--cut'),
    )
    .option('--jobs <n>', 'connections per database (tables classified at once)', parseJobs, DEFAULT_JOBS)
    .option('--no-verify', 'skip the bucketed hash comparison of the rest of every table')
    .option(...limitFlags('lockTimeoutSeconds'))
    .option(...limitFlags('statementTimeoutSeconds'))
    .action(
      async (options: {
        oldUrl: string;
        newUrl: string;
        failoverAt: Date;
        out: string;
        margin: number;
        tables?: string[];
        cut?: Date;
        jobs: number;
        verify: boolean;
        lockTimeout: number;
        statementTimeout: number;
      }) => {
        const report = await reconcile({
          oldUrl: options.oldUrl,
          newUrl: options.newUrl,
          failoverAt: options.failoverAt,
          marginSeconds: options.margin,
          tables: options.tables,
          cut: options.cut,
          verify: options.verify,
          jobs: options.jobs,
          outDir: options.out,
          lockTimeoutSeconds: options.lockTimeout,
          statementTimeoutSeconds: options.statementTimeout,
          onProgress: (event) => {
            const line = progressLine(event);
            if (line) process.stderr.write(`${line}\n`);
          },
        });
        process.stdout.write(`${summary(report, options.out)}\n`);
        if (report.status === 'incomplete') {
          throw new CommandFailedError(
            `reconcile INCOMPLETE: ${report.gaps.length} thing(s) not compared (see "not compared" above and the report); what it lists is right, but it does not show that nothing else was lost`,
          );
        }
        if (report.status !== 'complete') {
          throw new CommandFailedError(`reconcile FAILED at step ${report.error?.step}: ${report.error?.message}`);
        }
      },
    );

  program
    .command('apply')
    .description(
      'Replay the lost inserts and lost updates of a complete report into the new primary, idempotently (a second run changes nothing), one transaction per order; conflicts and possible duplicates are left for a person. Exit 0 when every lost row is in place; 1 when anything was not applied (each listed with its reason) or apply was refused; 2 on bad usage.',
    )
    .requiredOption('--report <dir>', 'folder written by reconcile --out', parseReportDir('--report'))
    .requiredOption('--new-url <url>', 'the promoted new primary', parseUrl('--new-url'))
    .option(...limitFlags('lockTimeoutSeconds'))
    .option(...limitFlags('statementTimeoutSeconds'))
    .option(
      '--accept-target-change',
      'apply although the target server started at another time or answers on another address than the new primary reconcile read (check first that it is the live writer, not a copy)',
    )
    .option(
      '--replay-possibly-lost',
      'replay the possibly_lost rows too (written on old in the moment replication stopped; new lacks them): only when nothing on the new primary deletes such rows, so a row it lacks never reached it',
    )
    .action(
      async (options: {
        report: string;
        newUrl: string;
        lockTimeout: number;
        statementTimeout: number;
        acceptTargetChange?: boolean;
        replayPossiblyLost?: boolean;
      }) => {
        const started = Date.now();
        const result = await applyReport({
          reportDir: options.report,
          newUrl: options.newUrl,
          lockTimeoutSeconds: options.lockTimeout,
          statementTimeoutSeconds: options.statementTimeout,
          acceptTargetChange: options.acceptTargetChange === true,
          replayPossiblyLost: options.replayPossiblyLost === true,
          onProgress: (line) => process.stderr.write(`apply +${((Date.now() - started) / 1000).toFixed(2)}s ${line}\n`),
        });
        if (result.status === 'failed') throw new CommandFailedError(`apply FAILED: ${result.error}`);
        const lines = [
          `${result.status === 'applied' ? 'applied' : 'PARTIALLY applied'}: ${result.changes} change(s), ${result.eventsWritten} order.recovered event(s)`,
          `  units (an order with its rows, or one row): ${result.unitsApplied} in place, ${result.unitsNotApplied} not applied`,
        ];
        for (const [name, t] of Object.entries(result.tables)) {
          const notApplied =
            t.failed + t.heldBack + t.rolledBack + t.notTried > 0
              ? `, ${t.failed} failed, ${t.heldBack} held back (left for a person), ${t.rolledBack} rolled back with their unit, ${t.notTried} not tried (apply stopped)`
              : '';
          lines.push(
            `  ${name}: ${t.inserted} inserted, ${t.updated} updated, ${t.alreadyApplied} already applied, ${t.changedSinceReport} changed since the report, ${t.blocked} blocked${notApplied}`,
          );
        }
        for (const row of result.applied)
          lines.push(`  applied: ${row.table} ${row.id} (${row.class}, ${row.unit}): ${row.outcome}`);
        for (const sequence of result.sequencesAdvanced) lines.push(`  sequence advanced: ${sequence}`);
        for (const row of result.notApplied)
          lines.push(
            `  not applied: ${row.table} ${row.id} (${row.class}${row.unit ? `, ${row.unit}` : ''}): ${row.reason}`,
          );
        for (const row of result.leftForPerson)
          lines.push(`  for a person: ${row.table} ${row.id} (${row.class}): ${row.reason}`);
        process.stdout.write(`${lines.join('\n')}\n`);
        if (result.status !== 'applied') {
          const possiblyLost = result.leftForPerson.filter((r) => r.class === 'possibly_lost').length;
          throw new CommandFailedError(
            `apply did NOT apply ${result.notApplied.length} row(s) (listed above with the reason)${possiblyLost > 0 ? ` and left ${possiblyLost} possibly lost row(s) out (add --replay-possibly-lost if nothing on the new primary deletes such rows)` : ''}${result.error ? `; stopped: ${result.error}` : ''}: fix or decide each, run reconcile again, then apply the new report`,
          );
        }
      },
    );
}
