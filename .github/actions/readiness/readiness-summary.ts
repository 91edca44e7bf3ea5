import { formatDuration, formatTime } from '../cli-support/clock';
import type { JobSummary, SummaryBlock } from '../cli-support/job-summary';
import type { ReadinessJudgement, RegionJudgement } from './readiness-judgement';

/** What the run did with the readiness issue, for the summary. */
export type IssueOutcome =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'opened' | 'updated';
      readonly number: number;
      readonly url: string;
      readonly commented?: boolean;
      /** Other open issues of this workflow, closed as duplicates of this one. */
      readonly duplicatesClosed?: readonly number[];
    }
  | { readonly kind: 'closed'; readonly numbers: readonly number[] }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'skipped'; readonly why: string };

const ageOf = (region: RegionJudgement) =>
  region.ageMs === undefined
    ? ''
    : region.ageMs < 0
      ? `in ${formatDuration(-region.ageMs)}`
      : formatDuration(region.ageMs);

/** The short state of each Region, e.g. `us-east-1 RED, us-west-2 STALE`. */
export function regionStates(judgement: ReadinessJudgement): string {
  return judgement.regions.map((region) => `${region.region} ${region.status}`).join(', ');
}

/** The problems of a Region as table rows: check, verdict, what it found (failures, then unknowns), what red means. */
export function problemRows(region: RegionJudgement): string[][] {
  return region.problems.map((problem) => [
    `${problem.name} (${problem.title})`,
    problem.verdict,
    [...problem.failures, ...problem.unknowns.map((unknown) => `could not decide: ${unknown}`)].join(' / '),
    problem.whenRed,
  ]);
}

function issueLine(issue: IssueOutcome): string {
  switch (issue.kind) {
    case 'opened':
      return `Issue: opened #${issue.number} (${issue.url})`;
    case 'updated':
      return `Issue: updated #${issue.number}${issue.commented ? ' (the state changed: commented)' : ' (same state: body refreshed)'} (${issue.url})${issue.duplicatesClosed?.length ? `; duplicates closed: ${issue.duplicatesClosed.map((n) => `#${n}`).join(', ')}` : ''}`;
    case 'closed':
      return `Issue: closed ${issue.numbers.map((n) => `#${n}`).join(', ')}: green again`;
    case 'failed':
      return `Issue: could not be opened, updated or closed: ${issue.error}`;
    case 'skipped':
      return `Issue: not touched (${issue.why})`;
    default:
      return 'Issue: none open, none needed';
  }
}

/**
 * The job summary of readiness.yml (plain text, escaped by cli-support/job-summary.ts when rendered): the verdict,
 * one row per Region (status, the record's verdict, when it finished, its age, why), then per Region each check that
 * was not GREEN with its failures and unknowns and what red means for on-call, and what was done with the issue.
 */
export function readinessSummary(judgement: ReadinessJudgement, issue: IssueOutcome, runUrl?: string): JobSummary {
  const title = judgement.green
    ? 'Readiness: GREEN in both Regions'
    : `Readiness: NOT GREEN (${regionStates(judgement)})`;
  const blocks: SummaryBlock[] = [
    judgement.green
      ? 'Result: green. Every Region’s latest scheduled readiness record is GREEN and recent.'
      : 'Result: not green. A Region is RED, INCONCLUSIVE, or its record is missing, unreadable or stale: read the rows below.',
    `Judged at ${formatTime(judgement.judgedAt)}; a record older than ${judgement.maxAgeMinutes} minutes is stale.`,
    {
      header: ['Region', 'status', 'record verdict', 'finished', 'age', 'why'],
      rows: judgement.regions.map((region) => [
        region.region,
        region.status,
        region.verdict ?? '',
        region.finishedAt ? formatTime(region.finishedAt) : '',
        ageOf(region),
        region.reason,
      ]),
    },
  ];
  for (const region of judgement.regions) {
    if (region.problems.length === 0) continue;
    blocks.push(`Checks not green in ${region.region}:`, {
      header: ['check', 'verdict', 'found', 'what red means'],
      rows: problemRows(region),
    });
  }
  for (const region of judgement.regions) {
    if (region.location) blocks.push({ label: `Record of ${region.region}`, href: region.location });
  }
  blocks.push(issueLine(issue));
  if (runUrl) blocks.push({ label: 'Run', href: runUrl });
  return { title, blocks };
}
