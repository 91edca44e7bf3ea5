import type { RunResult } from './core/engine';

/** What a run's input says about its Regions (every orchestration that moves the shop has a target). */
interface RegionsOfInput {
  readonly targetRegion?: string;
  readonly failedRegion?: string;
}

/** Row counts by class from a reconcile summary such as `identical 92, lost_insert 3, possibly_lost 20`. */
function countsOf(summary: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, name, n] of summary.matchAll(/\b([a-z_]+) (\d+)\b/g)) counts[name!] = Number(n);
  return counts;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The reconcile steps of a recover run: database, status, summary, report location. */
function reconcileSteps(result: RunResult) {
  return result.steps
    .filter((s) => s.step.startsWith('reconcile-') && s.outputs)
    .map((s) => ({
      database: s.step.slice('reconcile-'.length),
      status: String(s.outputs?.['status'] ?? ''),
      summary: String(s.outputs?.['summary'] ?? ''),
      counts: countsOf(String(s.outputs?.['summary'] ?? '')),
      report: String(s.outputs?.['report'] ?? ''),
    }));
}

function recoverLines(result: RunResult, target: string | undefined): string[] {
  const dbs = reconcileSteps(result);
  const count = (names: readonly string[]) =>
    dbs.reduce((n, db) => n + names.reduce((m, c) => m + (db.counts[c] ?? 0), 0), 0);
  const lost = count(['lost_insert', 'lost_update']);
  const possibly = count(['possibly_lost']);
  const person = count(['conflict', 'possible_duplicate', 'unexplained']);
  const where = dbs.map((db) => `${db.database}: ${db.report}`).join('; ');
  // Fail closed: a report without counts (a simulated world, a summary this code cannot read) shows nothing.
  const uncounted = dbs.filter((db) => Object.keys(db.counts).length === 0);
  if (dbs.length === 0 || uncounted.length > 0) {
    return [
      `headline: ${uncounted.length > 0 ? uncounted.map((db) => `${db.database} (${db.summary})`).join(', ') : 'no database'}: no rows were compared, so this does not show that nothing was lost (reports: ${where || 'none'})`,
    ];
  }
  if (lost + possibly + person === 0) {
    return [`headline: nothing was lost: every write of the failed Region is on the new writers (reports: ${where})`];
  }
  const lines = [
    `headline: ${plural(lost, 'lost row')} can be replayed${possibly > 0 ? `, ${plural(possibly, 'row')} ${possibly === 1 ? 'was' : 'were'} possibly lost (written as replication stopped)` : ''}${person > 0 ? `, ${plural(person, 'row')} ${person === 1 ? 'needs' : 'need'} a person` : ''} (reports: ${where})`,
  ];
  for (const db of dbs) {
    const rows = ['lost_insert', 'lost_update', 'possibly_lost'].reduce((n, c) => n + (db.counts[c] ?? 0), 0);
    if (rows === 0) continue;
    lines.push(
      `next: replay ${db.database}'s lost rows from its report folder (download it first when it is in S3): npm run runbook -- apply --report <folder of ${db.report}> --new-url <writer URL of ${db.database} in ${target ?? 'the target Region'}>${(db.counts['possibly_lost'] ?? 0) > 0 ? ' (add --replay-possibly-lost only if nothing on the new primary deletes such rows)' : ''}`,
    );
  }
  if (person > 0) lines.push('next: decide each row the reports leave for a person, then run recover again');
  return lines;
}

/**
 * One sentence on what the run did and the exact next command, for the person on call (issue 15), printed after
 * the run's own progress lines: the Region that now serves after a failover, switchover or failback; what recover
 * found and how to replay it; where a failed run stopped and how to resume it.
 */
export function runHeadline(result: RunResult, input: unknown, adapter: string): string[] {
  const { targetRegion: target, failedRegion: failed } = (input ?? {}) as RegionsOfInput;
  if (result.status === 'planned') return [];
  if (result.status === 'failed') {
    const error = result.error;
    return [
      `headline: ${result.orchestration} FAILED at ${error?.step ?? '?'}: ${error?.message ?? 'unknown error'}`,
      error?.retriable
        ? 'next: once the cause is fixed (or the AWS service answers again), run the same command again: it resumes where it stopped'
        : 'next: fix the cause named above, then run the same command again: steps already done are skipped',
    ];
  }
  switch (result.orchestration) {
    case 'failover':
      return [
        `headline: ${target ?? 'the target Region'} now serves the shop: traffic and database writers moved${failed ? ` from ${failed}` : ''} (unplanned: writes ${failed ?? 'the failed Region'} had not replicated are not on the new writers)`,
        `next: once ${failed ?? 'the failed Region'} is back, find what it lost: npm run runbook -- recover --adapter ${adapter} --target-region ${target ?? '<region>'} --reason "missing-transaction report"`,
      ];
    case 'switchover':
    case 'failback':
      return [
        `headline: ${target ?? 'the target Region'} serves the shop (planned: writes drained first, nothing lost)`,
      ];
    case 'recover':
      return recoverLines(result, target);
    default:
      return [];
  }
}
