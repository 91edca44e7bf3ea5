import type { ReadinessRecord } from '../../../runbooks/readiness/readiness-record';
import { formatDuration, formatTime } from '../cli-support/clock';
import type { LatestReadiness } from './readiness-reader';

/**
 * How readiness.yml judges one Region: GREEN only for a record that says GREEN, every check of it GREEN, finished
 * within the allowed age. Everything else is not green (fail closed): RED, INCONCLUSIVE, STALE (older than the
 * allowed age, whatever it said), MISSING (never written) and UNREADABLE (an AWS error, not JSON, not a
 * readiness-record@1 of this Region, or finished in the future).
 */
export type RegionStatus = 'GREEN' | 'RED' | 'INCONCLUSIVE' | 'STALE' | 'MISSING' | 'UNREADABLE';

/** A check of a record that was not GREEN, with what it found and what red means for on-call. */
export interface CheckProblem {
  readonly name: string;
  readonly title: string;
  readonly verdict: 'RED' | 'INCONCLUSIVE';
  readonly failures: readonly string[];
  readonly unknowns: readonly string[];
  readonly whenRed: string;
}

/** The judgement of one Region's latest record. */
export interface RegionJudgement {
  readonly region: string;
  readonly status: RegionStatus;
  readonly green: boolean;
  /** One sentence: why this status (the age, what could not be read, ...). */
  readonly reason: string;
  /** The record's own verdict, when there is a record. */
  readonly verdict?: ReadinessRecord['verdict'];
  /** When the record's run finished, and how long before `now`. */
  readonly finishedAt?: Date;
  readonly ageMs?: number;
  readonly location?: string;
  /** The checks that were not GREEN, in the record's order. */
  readonly problems: readonly CheckProblem[];
}

/** A record may finish this far "in the future" (the clocks of the Lambda and the runner) and still be trusted. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Judges the latest record of a Region at `now`: stale when it finished more than `maxAgeMinutes` before (readiness.yml
 * uses 2 × the schedule: one missed run is tolerated, two are not).
 */
export function judgeRegion(latest: LatestReadiness, now: Date, maxAgeMinutes: number): RegionJudgement {
  const { region } = latest;
  if (latest.kind === 'missing') {
    return { region, status: 'MISSING', green: false, reason: `no readiness record: ${latest.detail}`, problems: [] };
  }
  if (latest.kind === 'unreadable') {
    return { region, status: 'UNREADABLE', green: false, reason: `could not read: ${latest.detail}`, problems: [] };
  }
  const { record, location } = latest;
  const finishedAt = new Date(record.finishedAt);
  const ageMs = now.getTime() - finishedAt.getTime();
  const problems: CheckProblem[] = record.checks
    .filter((check) => check.verdict !== 'GREEN')
    .map((check) => ({
      name: check.name,
      title: check.title,
      verdict: check.verdict as 'RED' | 'INCONCLUSIVE',
      failures: check.failures,
      unknowns: check.unknowns,
      whenRed: check.whenRed,
    }));
  const base = { region, verdict: record.verdict, finishedAt, ageMs, location, problems };
  if (ageMs < -CLOCK_SKEW_MS) {
    return {
      ...base,
      status: 'UNREADABLE',
      green: false,
      reason: `the record says it finished at ${formatTime(finishedAt)}, ${formatDuration(-ageMs)} in the future: not trusted`,
    };
  }
  const age = formatDuration(Math.max(0, ageMs));
  if (ageMs > maxAgeMinutes * 60_000) {
    return {
      ...base,
      status: 'STALE',
      green: false,
      reason: `the latest record (${record.verdict}) finished ${age} ago, more than ${maxAgeMinutes} minutes: the scheduled readiness has stopped running or writing`,
    };
  }
  // A record that says GREEN over no check, or over a check that is not GREEN, is not believed (fail closed).
  if (record.verdict === 'GREEN' && (record.checks.length === 0 || problems.length > 0)) {
    return {
      ...base,
      status: 'INCONCLUSIVE',
      green: false,
      reason:
        record.checks.length === 0
          ? 'the record says GREEN but lists no check'
          : `the record says GREEN but ${problems.map((p) => `${p.name} is ${p.verdict}`).join(', ')}`,
    };
  }
  const count = `${record.checks.length} check${record.checks.length === 1 ? '' : 's'}`;
  const reason =
    record.verdict === 'GREEN'
      ? `all ${count} GREEN, ${age} ago`
      : `${problems.length} of ${count} not GREEN (${problems.map((p) => p.name).join(', ')}), ${age} ago`;
  return { ...base, status: record.verdict, green: record.verdict === 'GREEN', reason };
}

/** The judgement of every Region: green only when each one is. */
export interface ReadinessJudgement {
  readonly green: boolean;
  readonly regions: readonly RegionJudgement[];
  readonly judgedAt: Date;
  readonly maxAgeMinutes: number;
}

/** Judges the latest records of the Regions at `now`. */
export function judgeReadiness(
  latest: readonly LatestReadiness[],
  now: Date,
  maxAgeMinutes: number,
): ReadinessJudgement {
  const regions = latest.map((one) => judgeRegion(one, now, maxAgeMinutes));
  return { green: regions.length > 0 && regions.every((r) => r.green), regions, judgedAt: now, maxAgeMinutes };
}

/**
 * One line for the summaries that only show the last verdict (the failover workflow's dry run, the deploy's bake):
 * `Last scheduled readiness of us-west-2: GREEN, finished 12m05s ago (2026-12-07T08:00:00Z)`, `…: no readiness
 * record (…)`, `…: could not read (…)`. Never a reason to fail: the caller only shows it.
 */
export function lastVerdictLine(latest: LatestReadiness, now: Date): string {
  const head = `Last scheduled readiness of ${latest.region}`;
  if (latest.kind === 'missing') return `${head}: no readiness record (${latest.detail})`;
  if (latest.kind === 'unreadable') return `${head}: could not read (${latest.detail})`;
  const { record } = latest;
  const finishedAt = new Date(record.finishedAt);
  const ageMs = now.getTime() - finishedAt.getTime();
  const age = ageMs >= 0 ? `finished ${formatDuration(ageMs)} ago` : `finishes ${formatDuration(-ageMs)} from now`;
  const notGreen = record.checks.filter((check) => check.verdict !== 'GREEN');
  const checks =
    notGreen.length > 0 ? `; not green: ${notGreen.map((c) => `${c.name} (${c.verdict})`).join(', ')}` : '';
  return `${head}: ${record.verdict}, ${age} (${formatTime(finishedAt)})${checks}`;
}
