import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../cli-support/action-inputs';
import { type AwsRetryOptions, awsCaller } from '../cli-support/aws-retry';
import { type Clock, systemClock } from '../cli-support/clock';
import { CheckFailedError, exitCodeOf } from '../cli-support/exit-codes';
import { currentRunUrl } from '../cli-support/github-run';
import { writeJobSummary } from '../cli-support/job-summary';
import { perRegion, regionalClientOptions } from '../cli-support/regional-clients';
import { readReadinessInputs } from './readiness-inputs';
import { GitHubIssueTracker } from './readiness-issue';
import { readLatestReadiness } from './readiness-reader';
import { runReadiness } from './readiness-run';

/** What tests replace: the clock and the retry backoff. */
export interface ReadinessOverrides {
  readonly clock?: Clock;
  readonly retry?: AwsRetryOptions;
}

/**
 * The readiness CLI of readiness.yml: reads both Regions' `readiness/latest.json`, judges them (GREEN only when
 * both are GREEN and recent), keeps the `readiness` issue and writes the job summary. Exit 0 green, 1 not green (or
 * the issue could not be kept), 2 invalid inputs. Inputs in pipeline/README.md.
 */
export async function run(overrides: ReadinessOverrides = {}): Promise<void> {
  try {
    const inputs = readReadinessInputs((name) => core.getInput(name));
    if (inputs.validateOnly) {
      core.info(`inputs valid: ${inputs.regions.join(', ')}, stale after ${inputs.maxAgeMinutes} minutes`);
      return;
    }
    const { GITHUB_API_URL: api, GITHUB_REPOSITORY: repository, GITHUB_TOKEN: token } = process.env;
    const cloudFormationFor = perRegion((region) => new CloudFormationClient(regionalClientOptions(region)));
    const s3For = perRegion((region) => new S3Client(regionalClientOptions(region)));
    // A Region may be the failed one: two attempts, so it costs seconds, and it is judged UNREADABLE.
    const call = awsCaller({ ...overrides.retry, attempts: 2 });
    const runUrl = currentRunUrl();
    const result = await runReadiness(inputs, {
      read: (region) => readLatestReadiness(inputs.appName, inputs.envName, region, { cloudFormationFor, s3For, call }),
      ...(api && repository && token ? { tracker: new GitHubIssueTracker(api, repository, token) } : {}),
      now: (overrides.clock ?? systemClock).now(),
      ...(runUrl ? { runUrl } : {}),
    });
    core.setOutput('verdict', result.verdict);
    if (result.issue.kind === 'opened' || result.issue.kind === 'updated') {
      core.setOutput('issue_number', result.issue.number);
    }
    await writeJobSummary(result.summary);
    if (result.exitCode !== 0) throw new CheckFailedError(result.message);
    core.info(result.message);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
    process.exitCode = exitCodeOf(error);
    if (error instanceof InputError) {
      await writeJobSummary({
        title: 'Readiness: inputs invalid, nothing read',
        blocks: [
          'Result: invalid inputs; no AWS call was made (exit 2)',
          { header: ['problem'], rows: error.problems.map((p) => [p]) },
        ],
      }).catch((summaryError: unknown) =>
        core.warning(`The job summary could not be written: ${String(summaryError)}`),
      );
    }
  }
}

if (require.main === module) void run();
