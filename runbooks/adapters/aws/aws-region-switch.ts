import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { RetryPolicy } from 'cockatiel';
import { messageOf, NonRetriableError } from '../../core/errors';
import type {
  ClockPort,
  RegionSwitchActivateRequest,
  RegionSwitchExecutionSummary,
  RegionSwitchPlanStatus,
  RegionSwitchPort,
} from '../../ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { type RegionSwitchApi, RegionSwitchExecutions } from './region-switch-executions';
import { readRegionSwitchPlanStatus } from './region-switch-plan-status';
import { sdkRegionSwitchApi } from './region-switch-sdk';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';

/** Options of {@link AwsRegionSwitch}. */
export interface AwsRegionSwitchOptions {
  /** The plan's ARN, when the topology holds it. */
  readonly planArn?: string;
  /** The SSM parameter holding the plan's ARN, read in {@link parameterRegion} (when {@link planArn} is not given). */
  readonly planParameterName?: string;
  /** The Region whose parameter is read: where the runbook runs. */
  readonly parameterRegion: string;
  /** The plan's Regions (the topology's primary and standby). */
  readonly planRegions: readonly string[];
  readonly clock: ClockPort;
  /** @default - the SDK client of each Region ({@link sdkRegionSwitchApi}) */
  readonly apiFor?: (region: string) => RegionSwitchApi;
  /** @default - an SSM client of {@link parameterRegion} */
  readonly ssmClient?: SSMClient;
  /** @default 15 */
  readonly pollIntervalSeconds?: number;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

/**
 * The {@link RegionSwitchPort} over AWS: the plan's ARN from the topology or from the SSM parameter the routing stack
 * writes in both Regions (read in the runbook's own Region, so no call leaves it but the data plane's), and the
 * executions through {@link RegionSwitchExecutions} (data plane of the Region being activated; never the control plane
 * in us-east-1).
 */
export class AwsRegionSwitch implements RegionSwitchPort {
  private readonly policy: RetryPolicy;
  private readonly apis = new Map<string, RegionSwitchApi>();
  private planArn?: Promise<string>;

  constructor(private readonly options: AwsRegionSwitchOptions) {
    if (!options.planArn && !options.planParameterName) {
      throw new NonRetriableError(
        'routing.regionSwitch: neither planArn nor planParameterName is given; accepted: one of them',
      );
    }
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  /** Starts (or follows) the `activate` execution of the target Region and follows it to its end. */
  async activate(request: RegionSwitchActivateRequest): Promise<RegionSwitchExecutionSummary> {
    const executions = await this.executions();
    return executions.run({ ...request, action: 'activate' });
  }

  /**
   * The plan's evaluation and executions, asked in `region`'s data plane only (see {@link readRegionSwitchPlanStatus}):
   * readiness asks the Region that would be activated, the data plane a move would call. What cannot be read (the
   * plan's ARN in its parameter, the evaluation, the executions) is named in `error`, never thrown; `planArn` is empty
   * when the ARN itself could not be read. A Region outside the plan is refused (thrown: a wrong input, not AWS).
   */
  async describePlan(region: string): Promise<RegionSwitchPlanStatus> {
    if (!this.options.planRegions.includes(region)) {
      throw new NonRetriableError(
        `region: ${region} is not a Region of the Region switch plan; accepted: ${this.options.planRegions.join(', ')}`,
      );
    }
    let executions: RegionSwitchExecutions;
    try {
      executions = await this.executions();
    } catch (error) {
      return { planArn: '', apiRegion: region, running: [], error: messageOf(error) };
    }
    const planArn = await this.resolvePlanArn();
    return readRegionSwitchPlanStatus({
      planArn,
      region,
      api: this.api(region),
      policy: this.policy,
      describe: (executionId, targetRegion) =>
        executions.describe({ executionId, apiRegion: region, adopted: false }, targetRegion),
    });
  }

  /** The executions adapter of the plan. */
  protected async executions(): Promise<RegionSwitchExecutions> {
    const planArn = await this.resolvePlanArn();
    return new RegionSwitchExecutions({
      planArn,
      planRegions: this.options.planRegions,
      clock: this.options.clock,
      apiFor: (region) => this.api(region),
      ...(this.options.pollIntervalSeconds ? { pollIntervalSeconds: this.options.pollIntervalSeconds } : {}),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
    });
  }

  /** The data-plane API of `region` (one per Region). */
  protected api(region: string): RegionSwitchApi {
    let api = this.apis.get(region);
    if (!api) {
      api = (this.options.apiFor ?? sdkRegionSwitchApi)(region);
      this.apis.set(region, api);
    }
    return api;
  }

  /** The plan's ARN: from the options, else the parameter (read once; a failed read is tried again next time). */
  protected resolvePlanArn(): Promise<string> {
    if (this.options.planArn) return Promise.resolve(this.options.planArn);
    this.planArn ??= this.readParameter().catch((error: unknown) => {
      this.planArn = undefined;
      throw error;
    });
    return this.planArn;
  }

  private async readParameter(): Promise<string> {
    const name = this.options.planParameterName!;
    const region = this.options.parameterRegion;
    const client =
      this.options.ssmClient ??
      new SSMClient({ region, maxAttempts: 1, requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS) });
    const what = `GetParameter ${name} in ${region}`;
    const answer = await awsCall(this.policy, what, async () => {
      try {
        return await client.send(new GetParameterCommand({ Name: name }));
      } catch (error) {
        if (hasName(error, 'ParameterNotFound')) {
          throw new NonRetriableError(
            `${what}: the parameter does not exist; the routing stack writes the Region switch plan's ARN there when it deploys (deploy it, or give routing.regionSwitch.planArn in the topology)`,
          );
        }
        throw error;
      }
    });
    const value = answer.Parameter?.Value?.trim() ?? '';
    if (!/^arn:aws[a-zA-Z-]*:arc-region-switch::[0-9]{12}:plan\/[A-Za-z0-9-]+:[a-z0-9]{6}$/.test(value)) {
      throw new NonRetriableError(
        `${what}: ${JSON.stringify(value.slice(0, 200))} is not a Region switch plan ARN; accepted: arn:aws:arc-region-switch::<account>:plan/<name>:<suffix>`,
      );
    }
    return value;
  }
}
