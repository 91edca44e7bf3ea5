import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type AwsRetryOptions, awsCaller } from '../../../.github/actions/cli-support/aws-retry';
import type { Clock } from '../../../.github/actions/cli-support/clock';
import { perRegion, regionalClientOptions } from '../../../.github/actions/cli-support/regional-clients';
import { isFailedStatus } from '../../../.github/actions/failover/automation-report';
import { type DispatchDependencies, dispatchFailover } from '../../../.github/actions/failover/failover-dispatch';
import type { FailoverInputs } from '../../../.github/actions/failover/failover-inputs';
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
      timeoutMinutes: this.options.timeoutMinutes ?? 45,
      ignoreStackUpdates: false,
      ...(request.failoverAt ? { failoverAt: request.failoverAt.toISOString() } : {}),
    };
    const { run, ended } = await dispatchFailover(inputs, this.deps);
    const succeeded = ended && (run.status === 'Success' || run.status === 'CompletedWithSuccess');
    const failedStep = run.steps.find((s) => isFailedStatus(s.status));
    return {
      executionId: run.executionId,
      status: run.status,
      ended,
      succeeded,
      ...(run.startedAt ? { startedAt: run.startedAt } : {}),
      ...(run.endedAt ? { endedAt: run.endedAt } : {}),
      ...(run.failureMessage || failedStep?.failureMessage
        ? { failure: run.failureMessage ?? failedStep?.failureMessage }
        : {}),
      steps: run.steps.map((s) => ({
        name: orchestrationStepName(s.name),
        status: s.status,
        ...(s.endedAt ? { endedAt: s.endedAt } : {}),
        ...(s.failureMessage ? { failureMessage: s.failureMessage } : {}),
      })),
    };
  }
}
