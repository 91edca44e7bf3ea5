import { ResourceNotFoundException, ValidationException } from '@aws-sdk/client-scheduler';
import { serviceError } from './aws-errors';
import type { Timeline } from './model-timeline';

/** One schedule (default group). */
export interface ModelSchedule {
  readonly name: string;
  readonly region: string;
  state: 'ENABLED' | 'DISABLED';
  scheduleExpression: string;
  flexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  target: { Arn: string; RoleArn: string; Input?: string; RetryPolicy?: Record<string, number> };
  description?: string;
  /** `EndDate`: the schedule invokes nothing from then on. */
  endDate?: Date;
  /** Every change, for tests: when and to what state and input. */
  readonly history: { at: Date; state: string; input?: string }[];
}

type Input = Readonly<Record<string, unknown>>;

/**
 * EventBridge Scheduler schedules, each in one Region. "An EventBridge Scheduler schedule has two states: enabled
 * and disabled" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-state.html).
 * UpdateSchedule replaces the schedule: "EventBridge Scheduler uses all values, including empty values, specified in
 * the request and overrides the existing schedule [...] if you do not set an optional field in your request, that
 * field will be set to its system-default value after the update" (API_UpdateSchedule): the model drops what the
 * request leaves out (a target input, a description), so an adapter that does not send the schedule back whole
 * loses it, as on AWS. State defaults to ENABLED when left out (the API's default for `State`; UNVERIFIED beyond
 * the CreateSchedule reference's "default").
 */
export class SchedulerModel {
  /** Keyed `<region>/<name>`. */
  readonly schedules = new Map<string, ModelSchedule>();

  constructor(private readonly timeline: Timeline) {}

  /** Adds a schedule (what the game-day stack deploys: DISABLED). */
  addSchedule(region: string, schedule: Omit<ModelSchedule, 'region' | 'history'>): void {
    this.schedules.set(`${region}/${schedule.name}`, { ...schedule, region, history: [] });
  }

  /** Whether the schedule is enabled (undefined when there is none). */
  enabled(region: string, name: string): boolean | undefined {
    const found = this.schedules.get(`${region}/${name}`);
    return found ? found.state === 'ENABLED' : undefined;
  }

  /** Whether the schedule invokes its target now: enabled and before its `EndDate`. */
  fires(region: string, name: string): boolean {
    const found = this.schedules.get(`${region}/${name}`);
    return found?.state === 'ENABLED' && (!found.endDate || this.timeline.now() < found.endDate.getTime());
  }

  /** GetSchedule: a missing schedule is ResourceNotFoundException. */
  getSchedule(input: Input, region: string): unknown {
    const schedule = this.schedule(input, region);
    return {
      Arn: `arn:aws:scheduler:${region}:111122223333:schedule/default/${schedule.name}`,
      Name: schedule.name,
      GroupName: 'default',
      State: schedule.state,
      ScheduleExpression: schedule.scheduleExpression,
      FlexibleTimeWindow: { ...schedule.flexibleTimeWindow },
      Target: structuredClone(schedule.target),
      ...(schedule.description ? { Description: schedule.description } : {}),
      ...(schedule.endDate ? { EndDate: schedule.endDate } : {}),
      CreationDate: new Date('2026-01-01T00:00:00Z'),
      LastModificationDate: this.timeline.date(),
    };
  }

  /** UpdateSchedule: required `ScheduleExpression`, `FlexibleTimeWindow`, `Target`; replaces everything else. */
  updateSchedule(input: Input, region: string): unknown {
    const schedule = this.schedule(input, region);
    const target = input.Target as ModelSchedule['target'] | undefined;
    const window = input.FlexibleTimeWindow as ModelSchedule['flexibleTimeWindow'] | undefined;
    if (!input.ScheduleExpression || !window || !target?.Arn || !target.RoleArn) {
      throw serviceError(ValidationException, 'ScheduleExpression, FlexibleTimeWindow and Target are required', 400);
    }
    const state = input.State === undefined ? 'ENABLED' : String(input.State);
    if (state !== 'ENABLED' && state !== 'DISABLED') throw serviceError(ValidationException, `State: ${state}`, 400);
    schedule.state = state;
    schedule.scheduleExpression = String(input.ScheduleExpression);
    schedule.flexibleTimeWindow = { ...window };
    schedule.target = structuredClone(target);
    if (typeof input.Description === 'string') schedule.description = input.Description;
    else delete schedule.description;
    if (input.EndDate) schedule.endDate = new Date(input.EndDate as Date);
    else delete schedule.endDate;
    schedule.history.push({ at: this.timeline.date(), state, ...(target.Input ? { input: target.Input } : {}) });
    return { ScheduleArn: `arn:aws:scheduler:${region}:111122223333:schedule/default/${schedule.name}` };
  }

  private schedule(input: Input, region: string): ModelSchedule {
    const name = String(input.Name ?? '');
    const found = this.schedules.get(`${region}/${name}`);
    if (!found) throw serviceError(ResourceNotFoundException, `Schedule ${name} does not exist.`, 404);
    return found;
  }
}
