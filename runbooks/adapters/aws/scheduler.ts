import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import type { RetryPolicy } from 'cockatiel';
import type { ShopperSchedulePort } from '../../gameday/gameday-ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';

/** IAM actions each method of {@link AwsShopperSchedules} needs (UpdateSchedule passes the schedule's role). */
export const SHOPPER_SCHEDULE_ACTIONS = {
  isEnabled: ['scheduler:GetSchedule'],
  enable: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule', 'iam:PassRole'],
  disable: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule', 'iam:PassRole'],
} as const;

/** Options of {@link AwsShopperSchedules}. */
export interface AwsShopperSchedulesOptions {
  /** The schedule's name (the same in each Region, default group), e.g. `shop-dev-synthetic-shopper`. */
  readonly scheduleName: string;
  /** @default - a Scheduler client per Region, one attempt, the Regional request limits */
  readonly schedulerFor?: (region: string) => SchedulerClient;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

/**
 * The shopper fleet's EventBridge Scheduler schedules (SDK v3). Enabling and disabling read the schedule first and
 * send it back whole with the new `State` (and, when enabling, the game day's id as the target's input):
 * "EventBridge Scheduler uses all values, including empty values, specified in the request and overrides the
 * existing schedule. [...] Before calling this operation, we recommend that you call the GetSchedule API operation
 * and make a note of all optional parameters for your UpdateSchedule call." (Scheduler API Reference, UpdateSchedule)
 */
export class AwsShopperSchedules implements ShopperSchedulePort {
  static readonly requiredActions = SHOPPER_SCHEDULE_ACTIONS;

  private readonly scheduler: (region: string) => SchedulerClient;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: AwsShopperSchedulesOptions) {
    this.scheduler = perRegion(
      options.schedulerFor ??
        ((region) =>
          new SchedulerClient({
            region,
            maxAttempts: 1,
            requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
          })),
    );
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async isEnabled(region: string): Promise<boolean | undefined> {
    const schedule = await this.read(region);
    return schedule ? schedule.State === 'ENABLED' : undefined;
  }

  /**
   * `EndDate`: "The date, in UTC, before which the schedule can invoke its target" (Scheduler API Reference,
   * UpdateSchedule): the shoppers stop by themselves even if no clean-up runs.
   */
  enable(region: string, gameDayId: string, endDate: Date): Promise<void> {
    return this.update(region, 'ENABLED', JSON.stringify({ gameDayId }), endDate);
  }

  disable(region: string): Promise<void> {
    return this.update(region, 'DISABLED');
  }

  private read(region: string) {
    const name = this.options.scheduleName;
    return awsCall(this.policy, `GetSchedule ${name} in ${region}`, async () => {
      try {
        return await this.scheduler(region).send(new GetScheduleCommand({ Name: name }));
      } catch (error) {
        if (hasName(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    });
  }

  private async update(region: string, state: 'ENABLED' | 'DISABLED', input?: string, endDate?: Date): Promise<void> {
    const name = this.options.scheduleName;
    const current = await this.read(region);
    if (!current?.Target || !current.ScheduleExpression || !current.FlexibleTimeWindow) {
      throw new Error(
        `schedule ${name} in ${region}: ${current ? 'has no target, expression or time window' : 'does not exist'}; accepted: the shopper schedule the game-day stack creates (deploy with gameDays.enabled true)`,
      );
    }
    const {
      $metadata: _metadata,
      Arn: _arn,
      CreationDate: _created,
      LastModificationDate: _modified,
      ...rest
    } = current;
    await awsCall(this.policy, `UpdateSchedule ${name} in ${region} (${state})`, () =>
      this.scheduler(region).send(
        new UpdateScheduleCommand({
          ...rest,
          Name: name,
          ScheduleExpression: current.ScheduleExpression as string,
          FlexibleTimeWindow: current.FlexibleTimeWindow!,
          Target: { ...current.Target!, ...(input !== undefined ? { Input: input } : {}) },
          State: state,
          ...(endDate ? { EndDate: endDate } : {}),
        }),
      ),
    );
  }
}
