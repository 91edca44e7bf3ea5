import * as core from '@actions/core';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type AwsRetryOptions, awsCaller } from '../cli-support/aws-retry';
import { type Clock, formatTime, systemClock } from '../cli-support/clock';
import { CheckFailedError, exitCodeOf } from '../cli-support/exit-codes';
import { writeJobSummary } from '../cli-support/job-summary';
import { readBakeGateInputs } from './bake-inputs';
import { planBake } from './bake-plan';
import { bakeSummary, planSummary } from './bake-summary';
import { verifyBakeHistory } from './bake-verify';
import { watchBake } from './bake-watch';
import { CloudWatchEvidence } from './cloudwatch-evidence';

/** What tests replace: the clock (so a 20-minute bake runs instantly) and the retry backoff. */
export interface BakeGateOverrides {
  readonly clock?: Clock;
  readonly retry?: AwsRetryOptions;
}

/**
 * The bake-gate CLI: `mode` `watch`, `verify-history` or `plan` (inputs in pipeline/README.md). Fails the job when
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
    const client = new CloudWatchClient({ region: inputs.region, maxAttempts: 1 });
    const deps = {
      evidence: new CloudWatchEvidence(client, inputs.region, awsCaller(overrides.retry)),
      clock,
      log: (line: string) => core.info(line),
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
