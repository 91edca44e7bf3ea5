import type { JobSummary } from '../cli-support/job-summary';
import type { ReadinessInputs } from './readiness-inputs';
import { type IssueTracker, reconcileReadinessIssue } from './readiness-issue';
import { judgeReadiness, type ReadinessJudgement } from './readiness-judgement';
import type { LatestReadiness } from './readiness-reader';
import { type IssueOutcome, readinessSummary, regionStates } from './readiness-summary';

/** What one readiness.yml run needs from the outside world. */
export interface ReadinessRunDependencies {
  /** Reads a Region's latest record (readiness-reader.ts); never throws. */
  readonly read: (region: string) => Promise<LatestReadiness>;
  /** The GitHub issues; `undefined` when the job has no token (then the summary says the issue was not touched). */
  readonly tracker?: IssueTracker;
  readonly now: Date;
  readonly runUrl?: string;
}

/** What the run found and did, and how the job ends. */
export interface ReadinessRunResult {
  readonly judgement: ReadinessJudgement;
  readonly issue: IssueOutcome;
  readonly summary: JobSummary;
  /** 0 green; 1 not green, or the issue could not be kept (the message says which). */
  readonly exitCode: 0 | 1;
  readonly message: string;
  /** `green` or `not-green` (the step's `verdict` output). */
  readonly verdict: 'green' | 'not-green';
}

/**
 * One readiness.yml run: reads both Regions' latest records, judges them (fail closed), keeps the one readiness
 * issue (open while not green, updated, closed once green) and writes the summary. The job fails when not green, so
 * the run is red in the Actions list too, and when the issue could not be kept in step (the state would otherwise
 * go unseen).
 */
export async function runReadiness(
  inputs: ReadinessInputs,
  deps: ReadinessRunDependencies,
): Promise<ReadinessRunResult> {
  const latest: LatestReadiness[] =
    inputs.credentials === 'success'
      ? await Promise.all(inputs.regions.map((region) => deps.read(region)))
      : inputs.regions.map((region) => ({
          kind: 'unreadable' as const,
          region,
          detail: `the job's AWS credentials step ended ${inputs.credentials} (the readiness role could not be assumed)`,
        }));
  const judgement = judgeReadiness(latest, deps.now, inputs.maxAgeMinutes);
  const appEnv = `${inputs.appName}-${inputs.envName}`;
  let issue: IssueOutcome;
  if (!inputs.manageIssue) {
    issue = { kind: 'skipped', why: 'manage_issue is false' };
  } else if (!deps.tracker) {
    issue = { kind: 'failed', error: 'no GITHUB_TOKEN, GITHUB_REPOSITORY or GITHUB_API_URL in the environment' };
  } else {
    try {
      issue = await reconcileReadinessIssue(judgement, deps.tracker, {
        appEnv,
        ...(deps.runUrl ? { runUrl: deps.runUrl } : {}),
      });
    } catch (error) {
      issue = { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
    }
  }
  const summary = readinessSummary(judgement, issue, deps.runUrl);
  const problems = [
    ...(judgement.green ? [] : [`Readiness of ${appEnv} is not green: ${regionStates(judgement)}`]),
    ...judgement.regions.filter((r) => !r.green).map((r) => `  - ${r.region}: ${r.status}: ${r.reason}`),
    ...(issue.kind === 'failed' ? [`The readiness issue could not be kept: ${issue.error}`] : []),
  ];
  return {
    judgement,
    issue,
    summary,
    exitCode: problems.length === 0 ? 0 : 1,
    message:
      problems.length === 0 ? `Readiness of ${appEnv} is green: ${regionStates(judgement)}` : problems.join('\n'),
    verdict: judgement.green ? 'green' : 'not-green',
  };
}
