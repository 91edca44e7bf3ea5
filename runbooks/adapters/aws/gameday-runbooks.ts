import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type AwsRetryOptions, awsCaller } from '../../../.github/actions/cli-support/aws-retry';
import type { Clock } from '../../../.github/actions/cli-support/clock';
import { perRegion, regionalClientOptions } from '../../../.github/actions/cli-support/regional-clients';
import { type AutomationStep, isFailedStatus } from '../../../.github/actions/failover/automation-report';
import { type DispatchDependencies, dispatchFailover } from '../../../.github/actions/failover/failover-dispatch';
import type { FailoverInputs } from '../../../.github/actions/failover/failover-inputs';
import { returnedObject } from '../../../.github/actions/failover/returned-object';
import { STACK_WAIT_MINUTES } from '../../../.github/actions/failover/stack-operations';
import type { RunbookDispatchPort, RunbookExecution } from '../../gameday/gameday-ports';

/** Options of {@link AwsRunbookDispatch}. */
export interface AwsRunbookDispatchOptions {
  readonly appName: string;
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** How long one phase follows an automation before the phase reports it still running. @default 45 */
  readonly timeoutMinutes?: number;
  /** Seconds between two looks at the automation. @default 10 */
  readonly pollSeconds?: number;
  /** The GitHub Actions run, kept in the deploy freeze record. */
  readonly runUrl?: string;
  /** @default - SSM and CloudFormation clients per Region with the CLIs' limits, the CLIs' retries */
  readonly dependencies?: Partial<
    Pick<DispatchDependencies, 'ssmFor' | 'cloudFormationFor' | 'call' | 'otherRegionCall'>
  >;
  readonly retry?: AwsRetryOptions;
}

/** `shift_traffic_invoke` (an SSM step of the runbook document) → `shift-traffic` (the orchestration's step). */
function orchestrationStepName(ssmName: string): string {
  return ssmName.replace(/_invoke$/, '').replace(/_/g, '-');
}

type ExecutionStep = NonNullable<RunbookExecution['steps']>[number];

/**
 * The minutes the dispatch follows the execution: the phase's time left, less the wait for the stacks a failover
 * does first (dispatchFailover follows `timeoutMinutes` after up to STACK_WAIT_MINUTES of it), at most `limit`.
 */
function followMinutes(request: Parameters<RunbookDispatchPort['run']>[0], limit: number): number {
  if (request.followMinutes === undefined) return limit;
  const before = request.runbook === 'failover' && !request.dryRun ? STACK_WAIT_MINUTES : 0;
  return Math.max(1, Math.min(limit, request.followMinutes - before));
}

/**
 * The orchestration steps of an automation, from what its Lambda steps returned (runbooks/ssm/step-outcome.ts:
 * `Step`, `Status`, `Detail` in the `Payload` output; "Payload: The JSON representation of the object returned by
 * the Lambda function", SSM User Guide, aws:invokeLambdaFunction). A step invoked several times (a wait's loop) is
 * its last invocation. An orchestration step that failed is `Failed` with its `Detail`, although its SSM step
 * succeeded (the document then fails at `<step>_failed`). SSM steps that returned nothing (branches, asserts) are
 * left out, unless SSM itself failed them.
 */
function orchestrationSteps(steps: readonly AutomationStep[]): ExecutionStep[] {
  const byName = new Map<string, ExecutionStep>();
  for (const step of steps) {
    const returned = returnedObject(step);
    if (returned && typeof returned.Status === 'string') {
      const name =
        typeof returned.Step === 'string' && returned.Step ? returned.Step : orchestrationStepName(step.name);
      const failed = returned.Status === 'failed';
      byName.set(name, {
        name,
        status: returned.Status === 'succeeded' ? 'Success' : failed ? 'Failed' : 'InProgress',
        ...(step.endedAt ? { endedAt: step.endedAt } : {}),
        ...(failed && typeof returned.Detail === 'string' ? { failureMessage: returned.Detail } : {}),
      });
    } else if (isFailedStatus(step.status) && !/_(failed|outcome)$/.test(step.name)) {
      const name = orchestrationStepName(step.name);
      byName.set(name, {
        name,
        status: step.status,
        ...(step.endedAt ? { endedAt: step.endedAt } : {}),
        ...(step.failureMessage ? { failureMessage: step.failureMessage } : {}),
      });
    }
  }
  return [...byName.values()];
}

/**
 * Starts the runbooks as on-call does: through the failover CLI's own dispatch (`dispatchFailover` of
 * .github/actions/failover/failover-dispatch.ts, not a copy): the deploy freeze and the dispatch lock for a failover,
 * never two automations at once (attaching to the same one already running), then following it for a bounded
 * time. The execution keeps running when the phase stops following it; the next run of the phase attaches.
 */
export class AwsRunbookDispatch implements RunbookDispatchPort {
  private readonly deps: DispatchDependencies;

  constructor(private readonly options: AwsRunbookDispatchOptions) {
    this.deps = {
      ssmFor: options.dependencies?.ssmFor ?? perRegion((region) => new SSMClient(regionalClientOptions(region))),
      cloudFormationFor:
        options.dependencies?.cloudFormationFor ??
        perRegion((region) => new CloudFormationClient(regionalClientOptions(region))),
      call: options.dependencies?.call ?? awsCaller(options.retry),
      // The other Region may be the failed one: two attempts, as the failover CLI does.
      otherRegionCall: options.dependencies?.otherRegionCall ?? awsCaller({ ...options.retry, attempts: 2 }),
      clock: options.clock,
      log: options.log,
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    };
  }

  async run(request: Parameters<RunbookDispatchPort['run']>[0]): Promise<RunbookExecution> {
    const inputs: FailoverInputs = {
      action: request.runbook,
      region: request.region,
      primaryRegion: this.options.primaryRegion,
      standbyRegion: this.options.standbyRegion,
      dryRun: request.dryRun,
      reason: request.reason.slice(0, 500),
      appName: this.options.appName,
      envName: this.options.envName,
      pollSeconds: this.options.pollSeconds ?? 10,
      timeoutMinutes: followMinutes(request, this.options.timeoutMinutes ?? 45),
      ignoreStackUpdates: false,
      ...(request.failoverAt ? { failoverAt: request.failoverAt.toISOString() } : {}),
    };
    const { run, ended } = await dispatchFailover(inputs, this.deps);
    const succeeded = ended && (run.status === 'Success' || run.status === 'CompletedWithSuccess');
    const steps = orchestrationSteps(run.steps);
    const failedStep = steps.find((s) => s.status === 'Failed' || isFailedStatus(s.status));
    const failure = failedStep?.failureMessage
      ? `${failedStep.name}: ${failedStep.failureMessage}`
      : (run.failureMessage ?? undefined);
    return {
      executionId: run.executionId,
      status: run.status,
      ended,
      succeeded,
      ...(run.startedAt ? { startedAt: run.startedAt } : {}),
      ...(run.endedAt ? { endedAt: run.endedAt } : {}),
      ...(failure ? { failure } : {}),
      steps,
    };
  }
}
