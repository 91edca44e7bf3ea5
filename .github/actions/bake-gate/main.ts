import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type AwsRetryOptions, awsCaller } from '../cli-support/aws-retry';
import { type Clock, formatTime, systemClock } from '../cli-support/clock';
import { CheckFailedError, exitCodeOf } from '../cli-support/exit-codes';
import { writeJobSummary } from '../cli-support/job-summary';
import { regionalClientOptions } from '../cli-support/regional-clients';
import { lastReadinessLines } from '../readiness/last-readiness';
import { readBakeGateInputs } from './bake-inputs';
import { planBake } from './bake-plan';
import { bakeReadiness, readinessSummary } from './bake-readiness';
import { bakeSummary, planSummary } from './bake-summary';
import { verifyBakeHistory } from './bake-verify';
import { watchBake } from './bake-watch';
import { CloudWatchEvidence, stackCreationTimes } from './cloudwatch-evidence';

/**
 * What tests replace: the clock (so a 20-minute bake runs instantly), the retry backoff and the readiness start's
 * idempotency token.
 */
export interface BakeGateOverrides {
  readonly clock?: Clock;
  readonly retry?: AwsRetryOptions;
  readonly clientToken?: string;
}

/**
 * The bake-gate CLI: `mode` `watch`, `verify-history`, `readiness` or `plan` (inputs in pipeline/README.md). Fails the job when
 * the bake fails, an input is invalid, or CloudWatch cannot be read.
 */
export async function run(overrides: BakeGateOverrides = {}): Promise<void> {
  const clock = overrides.clock ?? systemClock;
  try {
    const inputs = readBakeGateInputs((name) => core.getInput(name), clock.now());
    if (inputs.mode === 'plan') {
      const plan = planBake(inputs.bakeMinutes, inputs.credentialMinutes);
      core.setOutput('modes', plan.modes.join(' '));
      core.setOutput('watch_minutes', plan.watchMinutes);
      core.setOutput('wait_minutes', plan.waitMinutes);
      await writeJobSummary(planSummary(plan));
      return;
    }
    if (inputs.mode === 'readiness') {
      const ssm = new SSMClient(regionalClientOptions(inputs.region));
      const readiness = await bakeReadiness(inputs, {
        ssm,
        call: awsCaller(overrides.retry),
        clock,
        log: (line: string) => core.info(line),
        ...(overrides.clientToken ? { clientToken: overrides.clientToken } : {}),
      });
      core.setOutput('readiness', readiness.outcome);
      core.setOutput('readiness_execution_id', 'run' in readiness ? readiness.run.executionId : '');
      // The deploy's summary shows the Region's last scheduled readiness verdict and its age (issue 17): shown only,
      // two attempts, never a reason to fail the bake.
      const lastReadiness = await lastReadinessLines(
        inputs.appName,
        inputs.envName,
        [inputs.region],
        {
          cloudFormationFor: (region) => new CloudFormationClient(regionalClientOptions(region)),
          s3For: (region) => new S3Client(regionalClientOptions(region)),
          call: awsCaller({ ...overrides.retry, attempts: 2 }),
        },
        () => clock.now(),
      );
      await writeJobSummary(readinessSummary(inputs, readiness, lastReadiness));
      if (readiness.outcome === 'failed') {
        throw new CheckFailedError(`Readiness dry run failed in ${inputs.region}: ${readiness.failure}`);
      }
      core.info(`Readiness dry run in ${inputs.region}: ${readiness.outcome}`);
      return;
    }
    const client = new CloudWatchClient({ region: inputs.region, maxAttempts: 1 });
    const call = awsCaller(overrides.retry);
    const cloudFormation = new CloudFormationClient({ region: inputs.region, maxAttempts: 1 });
    const deps = {
      evidence: new CloudWatchEvidence(client, inputs.region, call),
      clock,
      log: (line: string) => core.info(line),
      stackCreationTimes: stackCreationTimes(cloudFormation, inputs.region, call),
    };
    const result = inputs.mode === 'watch' ? await watchBake(inputs, deps) : await verifyBakeHistory(inputs, deps);
    const passed = result.failures.length === 0;
    core.setOutput('result', passed ? 'passed' : 'failed');
    core.setOutput('window_start', formatTime(result.windowStart));
    core.setOutput('window_end', formatTime(result.windowEnd));
    await writeJobSummary(bakeSummary(result));
    if (!passed) {
      throw new CheckFailedError(
        `Bake gate (${inputs.mode}) failed in ${inputs.region}:\n${result.failures.map((f) => `  - ${f}`).join('\n')}`,
      );
    }
    core.info(`Bake gate (${inputs.mode}) passed in ${inputs.region}`);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
    process.exitCode = exitCodeOf(error);
  }
}

if (require.main === module) void run();
