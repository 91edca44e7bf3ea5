import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError } from '../cli-support/aws-retry';
import type { JobSummary } from '../cli-support/job-summary';
import type { AutomationRun } from '../failover/automation-report';
import { automationFailure, isFailedStatus, stillRunningMessage } from '../failover/automation-report';
import { type AutomationDependencies, runAutomation } from '../failover/automation-run';
import type { ReadinessInputs } from './bake-inputs';

/** How a readiness dry run inside a bake ended. */
export type ReadinessResult =
  | { readonly outcome: 'passed' | 'failed'; readonly run: AutomationRun; readonly failure?: string }
  | { readonly outcome: 'deferred'; readonly reason: string };

/**
 * Runs the Region's `<app>-<env>-readiness` runbook as a dry run (`TargetRegion` = the Region baked, `DryRun` true)
 * and follows it to its end, with the failover CLI's own `runAutomation` (start with an idempotency token, then one
 * `GetAutomationExecution` per `pollSeconds`). Review M12: the runbooks are redeployed by every wave, so every bake
 * checks that they still work where they would run. The start is direct, not the failover dispatch: a read-only dry
 * run conflicts with no other automation (a scheduled `preserve-snapshots` run must not fail the bake).
 *
 * Fails closed: any AWS error is thrown (exit 3), an automation that does not succeed, or is still running after
 * `timeoutMinutes`, is `failed`. The one exception is `routingParameter`: when the routing stack's parameter does not
 * exist in the Region (SSM GetParameter answers `ParameterNotFound`), the routing stage has never deployed (the
 * primary's bake of a first deploy, before the ARC cluster exists) and readiness, whose routing-controls check
 * would fail, is `deferred` to the bakes after the routing stage, which never defer.
 */
export async function bakeReadiness(
  inputs: ReadinessInputs,
  deps: AutomationDependencies & { readonly ssm: SSMClient },
): Promise<ReadinessResult> {
  const { region } = inputs;
  if (inputs.routingParameter !== undefined) {
    const name = inputs.routingParameter;
    try {
      await deps.call(`SSM GetParameter ${name} in ${region}`, () =>
        deps.ssm.send(new GetParameterCommand({ Name: name })),
      );
    } catch (error) {
      if (error instanceof AwsCallError && (error.failure as { name?: string }).name === 'ParameterNotFound') {
        const reason = `${name} does not exist in ${region} (the routing stage has not deployed yet); the bakes after the routing stage run it in both Regions`;
        deps.log(`Readiness dry run deferred: ${reason}`);
        return { outcome: 'deferred', reason };
      }
      throw error;
    }
  }
  const { run, ended } = await runAutomation(
    {
      action: 'readiness',
      region,
      dryRun: true,
      reason: inputs.reason,
      appName: inputs.appName,
      envName: inputs.envName,
      pollSeconds: inputs.pollSeconds,
      timeoutMinutes: inputs.timeoutMinutes,
    },
    deps,
  );
  if (!ended) return { outcome: 'failed', run, failure: stillRunningMessage(run, region, inputs.timeoutMinutes) };
  if (isFailedStatus(run.status)) return { outcome: 'failed', run, failure: automationFailure(run, region) };
  return { outcome: 'passed', run };
}

/**
 * The job summary of a readiness dry run; `lastReadiness`: the line of the Region's last scheduled readiness verdict
 * and its age (issue 17, readiness/last-readiness.ts), shown after the dry run's result, never deciding it.
 */
export function readinessSummary(
  inputs: ReadinessInputs,
  result: ReadinessResult,
  lastReadiness: readonly string[] = [],
): JobSummary {
  const title = `Bake gate readiness in ${inputs.region}`;
  if (result.outcome === 'deferred') {
    return { title, blocks: [`Readiness dry run in ${inputs.region}: deferred: ${result.reason}`, ...lastReadiness] };
  }
  return {
    title,
    blocks: [
      `Readiness dry run in ${inputs.region}: ${result.outcome} (${result.run.documentName}, execution ${result.run.executionId}, ${result.run.status})`,
      ...(result.failure ? [result.failure] : []),
      ...lastReadiness,
      {
        header: ['step', 'status', 'failure'],
        rows: result.run.steps.map((s) => [s.name, s.status, s.failureMessage ?? '']),
      },
    ],
  };
}
