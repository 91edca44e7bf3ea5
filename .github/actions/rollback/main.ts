import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type AwsRetryOptions, awsCaller } from '../cli-support/aws-retry';
import { type Clock, formatTime, systemClock } from '../cli-support/clock';
import { CheckFailedError, exitCodeOf } from '../cli-support/exit-codes';
import { writeJobSummary } from '../cli-support/job-summary';
import { type KnownGoodRecord, lastKnownGoodParameterName } from './known-good-record';
import { KnownGoodStore } from './known-good-store';
import { readRollbackInputs } from './rollback-inputs';
import {
  nothingRecordedSummary,
  planOutputs,
  planSummary,
  recordSummary,
  stacksToRedeploy,
  verifySummary,
} from './rollback-plan';
import { describeStackHealth, stackProblem } from './stack-health';

/** What tests replace: the clock (the record's time) and the retry backoff. */
export interface RollbackOverrides {
  readonly clock?: Clock;
  readonly retry?: AwsRetryOptions;
}

/** The URL of the current GitHub Actions run, from the variables every run has. */
function currentRunUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
}

/**
 * The rollback CLI: `command` `record` (after a bake passed), `plan` (after a bake failed: what to redeploy) or
 * `verify` (after the redeploy). Inputs, outputs and exit codes in pipeline/README.md.
 */
export async function run(overrides: RollbackOverrides = {}): Promise<void> {
  const clock = overrides.clock ?? systemClock;
  try {
    const inputs = readRollbackInputs((name) => core.getInput(name));
    const call = awsCaller(overrides.retry);

    if (inputs.command === 'verify') {
      const client = new CloudFormationClient({ region: inputs.region, maxAttempts: 1 });
      const health = await describeStackHealth(client, inputs.region, call, inputs.stackNames);
      await writeJobSummary(verifySummary(inputs.region, health));
      const problems = health.flatMap((s) => stackProblem(s) ?? []);
      if (problems.length > 0) {
        throw new CheckFailedError(
          `Rollback verification failed in ${inputs.region}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
      core.info(`Every application stack is healthy in ${inputs.region}: ${inputs.stackNames.join(', ')}`);
      return;
    }

    const parameterName = lastKnownGoodParameterName(inputs.appName, inputs.envName);
    const client = new SSMClient({ region: inputs.region, maxAttempts: 1 });
    const store = new KnownGoodStore(client, inputs.region, parameterName, call);

    if (inputs.command === 'record') {
      const runUrl = currentRunUrl();
      const record: KnownGoodRecord = {
        schemaVersion: 1,
        sha: inputs.sha,
        region: inputs.region,
        stacks: inputs.stacks,
        recordedAt: formatTime(clock.now()),
        ...(runUrl ? { runUrl } : {}),
      };
      const version = await store.write(record);
      core.info(`Recorded ${inputs.sha} as the known-good version of ${inputs.region} in ${parameterName}`);
      await writeJobSummary(recordSummary(record, parameterName, version));
      return;
    }

    const record = await store.read();
    if (record === undefined) {
      const message = `No known-good version is recorded for ${inputs.region} (SSM parameter ${parameterName} does not exist): there is nothing to roll back to. This is expected until a first bake passes in this Region; fix forward instead.`;
      await writeJobSummary(nothingRecordedSummary(inputs.region, message));
      throw new CheckFailedError(message);
    }
    const stacks = stacksToRedeploy(record, inputs.only);
    for (const [name, value] of Object.entries(planOutputs(record, stacks))) core.setOutput(name, value);
    core.info(`Roll back ${inputs.region} to ${record.sha}: ${stacks.map((s) => s.cdkId).join(' ')}`);
    await writeJobSummary(planSummary(record, stacks));
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
    process.exitCode = exitCodeOf(error);
  }
}

if (require.main === module) void run();
