import { resourcePrefix } from './resource-prefix';

/** The FIS experiment templates each Region's game-day stack creates, by the value of their `gameday-experiment` tag. */
export const GAMEDAY_EXPERIMENTS = ['region-isolation', 'aurora-global-failover'] as const;

/** One of {@link GAMEDAY_EXPERIMENTS}. */
export type GameDayExperiment = (typeof GAMEDAY_EXPERIMENTS)[number];

/** The tag key naming which experiment a template is (`region-isolation`, `aurora-global-failover`). */
export const GAMEDAY_EXPERIMENT_TAG = 'gameday-experiment';

/** The tag key every game-day resource carries; its value is `<app>-<env>`. */
export const GAMEDAY_TAG = 'gameday';

/** Deterministic names of the game-day resources of one Region, read by the game-day orchestration and workflow. */
export interface GameDayNames {
  /** The tag every game-day resource carries: `{ key: 'gameday', value: '<app>-<env>' }`. */
  readonly tag: { readonly key: string; readonly value: string };
  /**
   * The game-day stack: `<app>-<env>-<region>-gameday` (not in `stackNames`, which the bundled failover CLI carries:
   * the runbooks never wait for this stack).
   */
  readonly stack: string;
  /** The EventBridge Scheduler schedule (default group) that invokes the synthetic shopper, created DISABLED. */
  readonly shopperSchedule: string;
  /** The synthetic shopper Lambda function. */
  readonly shopperFunction: string;
  /** The synthetic shopper's execution role (a fixed name: the other Region's report bucket policy names it). */
  readonly shopperRole: string;
  /** The role the shopper schedule invokes the function with. */
  readonly shopperScheduleRole: string;
  /** The IAM role FIS runs this Region's experiments with. */
  readonly experimentRole: string;
  /** The role the tasks with the FIS SSM agent sidecar register as SSM managed instances with. */
  readonly managedInstanceRole: string;
  /** The CloudWatch Logs log group the experiments log to. */
  readonly experimentLogGroup: string;
  /** The Resilience Hub application and its resiliency policy. */
  readonly resilienceApp: string;
  readonly resiliencyPolicy: string;
}

/**
 * Names the game-day resources of one Region. IAM role names are global: they carry the Region.
 *
 * @example gameDayNames('shop', 'dev', region).shopperSchedule // 'shop-dev-synthetic-shopper'
 */
export function gameDayNames(appName: string, envName: string, region: string): GameDayNames {
  const prefix = resourcePrefix(appName, envName);
  return {
    tag: { key: GAMEDAY_TAG, value: prefix },
    stack: `${prefix}-${region}-gameday`,
    shopperSchedule: `${prefix}-synthetic-shopper`,
    shopperFunction: `${prefix}-synthetic-shopper`,
    shopperRole: `${prefix}-${region}-gameday-shopper`,
    shopperScheduleRole: `${prefix}-${region}-gameday-schedule`,
    experimentRole: `${prefix}-${region}-gameday-fis`,
    managedInstanceRole: `${prefix}-${region}-gameday-ssm-agent`,
    experimentLogGroup: `/${appName}/${envName}/gameday/experiments`,
    resilienceApp: `${prefix}-${region}`,
    resiliencyPolicy: `${prefix}-${region}-targets`,
  };
}

/**
 * The S3 key prefixes of a game day in a report bucket (the game-day contract, `/work/notes/gameday-contracts.md`):
 * acknowledgments under `gamedays/<id>/acks/`, the evidence pack under `gamedays/<id>/evidence/` (object lock).
 */
export const GAMEDAY_KEYS = {
  /** IAM resource pattern of every acknowledgment object. */
  acks: 'gamedays/*/acks/*',
  /** IAM resource pattern of every evidence pack object. */
  evidence: 'gamedays/*/evidence/*',
} as const;
