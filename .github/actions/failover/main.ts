import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { InputError } from '../cli-support/action-inputs';
import { type AwsRetryOptions, awsCaller } from '../cli-support/aws-retry';
import { type Clock, systemClock } from '../cli-support/clock';
import { AwsUnavailableError, CheckFailedError, exitCodeOf } from '../cli-support/exit-codes';
import { currentRunActors, currentRunUrl } from '../cli-support/github-run';
import { writeJobSummary } from '../cli-support/job-summary';
import { perRegion, regionalClientOptions } from '../cli-support/regional-clients';
import { readEnvironmentApproval } from '../cli-support/run-approvals';
import { lastReadinessLines } from '../readiness/last-readiness';
import {
  automationFailure,
  automationSummary,
  type DispatchContext,
  type DispatchStop,
  isFailedStatus,
  reportUrlOf,
  stillRunningMessage,
  stoppedSummary,
} from './automation-report';
import { type DispatchDependencies, dispatchFailover } from './failover-dispatch';
import { readFailoverInputs } from './failover-inputs';

/** What tests replace: the clock, the retry backoff and the start request's idempotency token. */
export interface FailoverOverrides {
  readonly clock?: Clock;
  readonly retry?: AwsRetryOptions;
  readonly clientToken?: string;
}

/**
 * The failover CLI: starts the runbook's SSM Automation (`<app>-<env>-<action>`) in the target Region (or attaches
 * to / resumes one: never two at once; a real failover, switchover or failback sets the deploy freeze first; a failback that succeeded lifts it), streams its
 * steps, and fails the job unless it succeeds. Inputs, outputs, exit codes and the automation contract in
 * pipeline/README.md.
 */
export async function run(overrides: FailoverOverrides = {}): Promise<void> {
  const runUrl = currentRunUrl();
  const context: DispatchContext = {
    ...currentRunActors(),
    ...(core.getInput('environment') ? { environment: core.getInput('environment') } : {}),
    ...(runUrl ? { runUrl } : {}),
  };
  let reported = false;
  try {
    const inputs = readFailoverInputs((name) => core.getInput(name));
    // The workflow validates before it assumes a role, so a bad input stops the run before any AWS call.
    if (core.getInput('validate_only') === 'true') {
      const overrides = inputs.overrides ? `, overrides ${inputs.overrides.join(',')}` : '';
      core.info(`inputs valid: ${inputs.action} to ${inputs.region}, dry run ${inputs.dryRun}${overrides}`);
      return;
    }
    const deps: DispatchDependencies = {
      ssmFor: perRegion((region) => new SSMClient(regionalClientOptions(region))),
      cloudFormationFor: perRegion((region) => new CloudFormationClient(regionalClientOptions(region))),
      call: awsCaller(overrides.retry),
      // The Region not moved to may be the failed one: two attempts, so it delays the failover by seconds only.
      otherRegionCall: awsCaller({ ...overrides.retry, attempts: 2 }),
      clock: overrides.clock ?? systemClock,
      log: (line: string) => core.info(line),
      ...(overrides.clientToken ? { clientToken: overrides.clientToken } : {}),
      ...(runUrl ? { runUrl } : {}),
    };
    const { run: automation, ended, freezeNotLifted } = await dispatchFailover(inputs, deps);
    core.setOutput('execution_id', automation.executionId);
    core.setOutput('status', automation.status);
    if (automation.startedAt && automation.endedAt) {
      core.setOutput('rto_seconds', Math.round((automation.endedAt.getTime() - automation.startedAt.getTime()) / 1000));
    }
    core.setOutput('report_url', reportUrlOf(automation) ?? '');
    const approval = context.environment ? await readEnvironmentApproval(context.environment) : undefined;
    // A dry run shows the last scheduled readiness verdicts and their age (issue 17), the target Region first; only
    // shown, never a reason to fail (readiness.yml judges them). A real move spends no time on it.
    const lastReadiness = inputs.dryRun
      ? await lastReadinessLines(
          inputs.appName,
          inputs.envName,
          [inputs.region, inputs.region === inputs.primaryRegion ? inputs.standbyRegion : inputs.primaryRegion],
          {
            cloudFormationFor: deps.cloudFormationFor,
            s3For: perRegion((region) => new S3Client(regionalClientOptions(region))),
            call: deps.otherRegionCall,
          },
          () => deps.clock.now(),
        )
      : [];
    await writeJobSummary(
      automationSummary(inputs, automation, !ended, { ...context, ...(approval ? { approval } : {}) }, lastReadiness),
    );
    reported = true;
    if (!ended) throw new CheckFailedError(stillRunningMessage(automation, inputs.region, inputs.timeoutMinutes));
    if (isFailedStatus(automation.status)) throw new CheckFailedError(automationFailure(automation, inputs.region));
    if (freezeNotLifted) throw new AwsUnavailableError(freezeNotLifted);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(message);
    process.exitCode = exitCodeOf(error);
    // Every way out writes a summary (review m4): invalid inputs and errors before the automation's report too.
    if (!reported) await writeStoppedSummary(error, message, process.exitCode, context);
  }
}

/** The job summary of a run that ended before it could report an automation; a failure to write it is only logged. */
async function writeStoppedSummary(error: unknown, message: string, exitCode: number, context: DispatchContext) {
  const raw = {
    action: core.getInput('action'),
    region: core.getInput('region'),
    dryRun: core.getInput('dry_run'),
    reason: core.getInput('reason'),
  };
  const stop: DispatchStop =
    error instanceof InputError
      ? { kind: 'invalid-inputs', problems: error.problems }
      : { kind: 'stopped', message, exitCode };
  try {
    const approval = context.environment ? await readEnvironmentApproval(context.environment) : undefined;
    await writeJobSummary(stoppedSummary(raw, stop, { ...context, ...(approval ? { approval } : {}) }));
  } catch (summaryError) {
    core.warning(`The job summary could not be written: ${String(summaryError)}`);
  }
}

if (require.main === module) void run();
