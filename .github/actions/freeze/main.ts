import * as core from '@actions/core';
import { SSMClient } from '@aws-sdk/client-ssm';
import { InputError } from '../cli-support/action-inputs';
import { type AwsRetryOptions, awsCaller } from '../cli-support/aws-retry';
import { type Clock, formatTime, systemClock } from '../cli-support/clock';
import { AwsUnavailableError, CheckFailedError, exitCodeOf } from '../cli-support/exit-codes';
import { currentRunUrl } from '../cli-support/github-run';
import { type JobSummary, writeJobSummary } from '../cli-support/job-summary';
import { perRegion, regionalClientOptions } from '../cli-support/regional-clients';
import { readFreezeInputs } from './freeze-inputs';
import { deployFreezeParameterName, type FreezeRecord } from './freeze-record';
import { checkSummary, clearCommand, frozenMessage, stoppedSummary, writeSummary } from './freeze-report';
import { type FreezeDependencies, readFreeze, writeDeployFreeze } from './freeze-store';

/** What tests replace: the clock (the record's time) and the retry backoff. */
export interface FreezeOverrides {
  readonly clock?: Clock;
  readonly retry?: AwsRetryOptions;
}

/** The freeze dependencies of the CLIs: one SSM client per Region, bounded requests, the CLIs' retry layer. */
export function freezeDependencies(retry?: AwsRetryOptions): FreezeDependencies {
  return {
    ssmFor: perRegion((region) => new SSMClient(regionalClientOptions(region))),
    call: awsCaller(retry),
    log: (line) => core.info(line),
  };
}

/**
 * The deploy-freeze CLI: `command` `check` (exit 0 not frozen, 1 frozen, 3 could not decide), `set` (before a
 * failover, switchover or failback, by hand: the failover CLI writes it itself; succeeds when at least one Region
 * took it) or `clear` (by hand: the failover CLI lifts it after a failback that succeeded; succeeds when every
 * Region took it). Inputs, outputs and exit codes in pipeline/README.md.
 */
export async function run(overrides: FreezeOverrides = {}): Promise<void> {
  const clock = overrides.clock ?? systemClock;
  // Whether a job summary was written: every way out writes one (review m4), invalid inputs too.
  let reported = false;
  const report = async (summary: JobSummary) => {
    reported = true;
    await writeJobSummary(summary);
  };
  try {
    const inputs = readFreezeInputs((name) => core.getInput(name), currentRunUrl());
    const parameterName = deployFreezeParameterName(inputs.appName, inputs.envName);
    const deps = freezeDependencies(overrides.retry);
    const clear = clearCommand(inputs.regions, inputs.appName, inputs.envName);

    if (inputs.command === 'check') {
      const decision = await readFreeze(inputs.regions, parameterName, deps);
      core.setOutput(
        'frozen',
        decision.decision === 'frozen' ? 'true' : decision.decision === 'undecided' ? 'unknown' : 'false',
      );
      const frozen = decision.regions.find((r) => r.state === 'frozen');
      if (frozen?.state === 'frozen') {
        core.setOutput('action', frozen.record.action);
        core.setOutput('target_region', frozen.record.targetRegion);
        core.setOutput('run_url', frozen.record.runUrl ?? '');
      }
      if (decision.decision === 'frozen') {
        const message = frozenMessage(decision, clear);
        await report(checkSummary(decision, message));
        throw new CheckFailedError(message);
      }
      if (decision.decision === 'undecided') {
        const unreadable = decision.regions.flatMap((r) =>
          r.state === 'unreadable' ? [`${r.region}: ${r.error}`] : [],
        );
        const message = `Could not decide whether deploys are frozen: the freeze ${parameterName} could not be read in ${unreadable.length === 1 ? 'one Region' : 'any Region'} and no Region read holds a freeze (the unread one may, after a failover away from it); deploys must not start:\n${unreadable.map((u) => `  - ${u}`).join('\n')}`;
        await report(checkSummary(decision, message));
        throw new AwsUnavailableError(message);
      }
      core.info(`No deploy freeze in ${inputs.regions.join(' or ')} (${parameterName})`);
      await report(checkSummary(decision, undefined));
      return;
    }

    const at = formatTime(clock.now());
    const runUrl = inputs.runUrl ? { runUrl: inputs.runUrl } : {};
    const record: FreezeRecord =
      inputs.command === 'set'
        ? {
            schemaVersion: 1,
            frozen: true,
            action: inputs.action,
            targetRegion: inputs.targetRegion,
            reason: inputs.reason,
            at,
            ...runUrl,
          }
        : { schemaVersion: 1, frozen: false, reason: inputs.reason, at, ...runUrl };
    const what =
      inputs.command === 'set'
        ? `Deploys are frozen for a ${inputs.action} to ${inputs.targetRegion}: ${inputs.reason}. Lift it after the failback: ${clear}`
        : `Deploy freeze lifted: ${inputs.reason}`;
    let write: Awaited<ReturnType<typeof writeDeployFreeze>>;
    try {
      write = await writeDeployFreeze({ regions: inputs.regions, parameterName, record }, deps);
    } catch (error) {
      await report(
        writeSummary(inputs.command, what, {
          written: [],
          failed: inputs.regions.map((region) => ({ region, error: String((error as Error).message) })),
        }),
      );
      throw error;
    }
    core.setOutput('written_regions', write.written.join(','));
    core.setOutput('failed_regions', write.failed.map((f) => f.region).join(','));
    await report(writeSummary(inputs.command, what, write));
    if (write.failed.length > 0) {
      const failed = write.failed.map((f) => `  - ${f.region}: ${f.error}`).join('\n');
      if (inputs.command === 'clear') {
        // A Region that still holds the freeze keeps deploys frozen (check fails closed): say so and fail.
        throw new AwsUnavailableError(
          `The deploy freeze was lifted in ${write.written.join(', ')} but NOT in (deploys stay frozen until it is; run clear again):\n${failed}`,
        );
      }
      core.warning(
        `The deploy freeze was set in ${write.written.join(', ')} but NOT in (that Region may be the failed one; deploys read both Regions, so one is enough):\n${failed}`,
      );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(message);
    process.exitCode = exitCodeOf(error);
    if (!reported) {
      const summary = stoppedSummary(core.getInput('command'), error instanceof InputError ? error.problems : message);
      await writeJobSummary(summary).catch((summaryError: unknown) =>
        core.warning(`The job summary could not be written: ${String(summaryError)}`),
      );
    }
  }
}

if (require.main === module) void run();
