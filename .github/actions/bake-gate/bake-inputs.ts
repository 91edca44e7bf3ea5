import {
  booleanText,
  type GetInput,
  type InputParser,
  InputReader,
  isoTime,
  listOf,
  matching,
  oneOf,
  regionName,
  resourceNamePart,
  wholeNumber,
} from '../cli-support/action-inputs';
import { formatDuration, formatTime } from '../cli-support/clock';
import { reasonText } from '../failover/failover-inputs';
import { MAX_BAKE_MINUTES, MAX_CREDENTIAL_MINUTES, MIN_CREDENTIAL_MINUTES, maxWatchMinutes } from './bake-plan';

/** The modes of the bake-gate CLI: the two bake modes, the readiness dry run and the planner. */
export const BAKE_GATE_MODES = ['watch', 'verify-history', 'readiness', 'plan'] as const;

/** Which CloudWatch alarms the bake watches: named ones, those whose name starts with a prefix, or both. */
export interface AlarmSelection {
  /** Alarm names; each must exist. */
  readonly names: readonly string[];
  /** An alarm-name prefix; it must match at least one alarm. */
  readonly prefix?: string;
}

/** What both bake modes need to judge a Region. */
export interface EvidenceInputs {
  readonly region: string;
  readonly alarms: AlarmSelection;
  /** CloudWatch Synthetics canaries whose runs are counted. */
  readonly canaryNames: readonly string[];
  /** The whole bake, in minutes. */
  readonly bakeMinutes: number;
  /** Runs each canary must have made inside the window. */
  readonly minCanaryRuns: number;
  /**
   * When this run started: a watched alarm whose definition changed at or after it was changed by the release it
   * gates (review M12), and fails the bake unless `acceptAlarmChanges`. Not checked when absent.
   */
  readonly alarmDefinitionsSince?: Date;
  /** Whether the release declares its alarm changes, so a redefined alarm is reported, not failed. */
  readonly acceptAlarmChanges: boolean;
  /**
   * The CloudFormation stacks that define the watched alarms: when every one was created since
   * `alarmDefinitionsSince`, this run is the Region's first deploy and its alarms are new, not redefined.
   */
  readonly alarmStacks?: readonly string[];
}

/** `mode: plan`: print how a bake of `bakeMinutes` should run. */
export interface PlanInputs {
  readonly mode: 'plan';
  readonly bakeMinutes: number;
  readonly credentialMinutes: number;
}

/** `mode: readiness`: run the Region's readiness runbook as a dry run and follow it to its end (review M12). */
export interface ReadinessInputs {
  readonly mode: 'readiness';
  readonly region: string;
  readonly appName: string;
  readonly envName: string;
  /** Why it runs, kept in the execution (the bake's commit). */
  readonly reason: string;
  /**
   * The routing stack's SSM parameter: when given and absent in the Region, the routing stage has never deployed
   * (the primary's bake of a first deploy) and the dry run is deferred to the bakes after routing.
   */
  readonly routingParameter?: string;
  readonly pollSeconds: number;
  readonly timeoutMinutes: number;
}

/**
 * What the readiness step before a watch gave (its `readiness` output, `none` when it gave none): the watch gives the
 * job's verdict for both (review M12).
 */
export const READINESS_OUTCOMES = ['passed', 'deferred', 'failed', 'none'] as const;

/** `mode: watch`: watch the alarms live for `watchMinutes`. */
export interface WatchInputs extends EvidenceInputs {
  readonly mode: 'watch';
  /** The outcome of the readiness dry run that ran before the watch, when one did. */
  readonly readiness?: (typeof READINESS_OUTCOMES)[number];
  /** Minutes to watch live; less than `bakeMinutes` when a `verify-history` job completes the bake. */
  readonly watchMinutes: number;
  readonly pollSeconds: number;
  readonly credentialMinutes: number;
}

/** `mode: verify-history`: check alarm history and canary runs over [windowStart, windowEnd]. */
export interface VerifyHistoryInputs extends EvidenceInputs {
  readonly mode: 'verify-history';
  readonly windowStart: Date;
  readonly windowEnd: Date;
}

/** The validated inputs of the bake-gate CLI. */
export type BakeGateInputs = PlanInputs | WatchInputs | VerifyHistoryInputs | ReadinessInputs;

const alarmName = matching(
  /^[^,\n\p{Cc}]{1,255}$/u,
  'an alarm name of 1 to 255 characters without commas',
  'is not an alarm name',
);
const canaryName = matching(
  /^[0-9a-z_-]{1,255}$/,
  'a canary name (lowercase letters, digits, hyphens, underscores)',
  'is not a canary name',
);
const bakeMinutesInput = wholeNumber(1, MAX_BAKE_MINUTES);
const stackName = matching(
  /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
  'a CloudFormation stack name (letters, digits, hyphens; a letter first)',
  'is not a stack name',
);
const parameterName = matching(
  /^\/[A-Za-z0-9_./-]{1,1010}$/,
  'an SSM parameter name such as "/shop/dev/arc-routing"',
  'is not an SSM parameter name',
);
/** `window_start` of verify-history: when the watch (and so the bake) started. */
const watchStart: InputParser<Date> = {
  accepted: `the watch job's window_start output (when the bake started), ${isoTime.accepted}`,
  parse: isoTime.parse,
};
/** `credential_minutes`: at most an hour, the roles' maximum session and the role-chaining maximum (bake-plan.ts). */
const credentialMinutesInput: InputParser<number> = {
  ...wholeNumber(MIN_CREDENTIAL_MINUTES, MAX_CREDENTIAL_MINUTES),
  accepted: `a whole number from ${MIN_CREDENTIAL_MINUTES} to ${MAX_CREDENTIAL_MINUTES} (an hour: the roles' maximum session and the role-chaining maximum)`,
};

/**
 * Reads and validates the bake-gate inputs (see pipeline/README.md). `now` is used for the default window of
 * `verify-history` and to refuse a window that ends in the future.
 *
 * @throws InputError listing every invalid input.
 */
export function readBakeGateInputs(getInput: GetInput, now: Date): BakeGateInputs {
  const reader = new InputReader(getInput);
  const mode = reader.required('mode', oneOf(BAKE_GATE_MODES));
  if (reader.failed) reader.finish();

  if (mode === 'plan') {
    const inputs: PlanInputs = {
      mode,
      bakeMinutes: reader.required('bake_minutes', bakeMinutesInput),
      credentialMinutes: reader.optional('credential_minutes', credentialMinutesInput, 30),
    };
    reader.finish();
    return inputs;
  }

  if (mode === 'readiness') {
    const routingParameter = reader.optional('routing_parameter', parameterName, undefined);
    const inputs: ReadinessInputs = {
      mode,
      region: reader.required('region', regionName),
      appName: reader.required('app_name', resourceNamePart),
      envName: reader.required('env_name', resourceNamePart),
      reason: reader.optional('reason', reasonText, 'readiness dry run of the bake gate'),
      pollSeconds: reader.optional('poll_seconds', wholeNumber(1, 60), 5),
      // Within the watch job's credentials, with the watch still to come after it.
      timeoutMinutes: reader.optional('timeout_minutes', wholeNumber(1, 20), 10),
    };
    reader.finish();
    return routingParameter === undefined ? inputs : { ...inputs, routingParameter };
  }

  const names = reader.optional('alarm_names', listOf(alarmName, 100), [] as readonly string[]);
  const prefix = reader.optional('alarm_prefix', alarmName, undefined);
  if (names.length === 0 && prefix === undefined && !reader.failed) {
    reader.problem(
      'alarm_names, alarm_prefix: neither given; accepted: alarm names, an alarm-name prefix, or both (at least one)',
    );
  }
  const alarmDefinitionsSince = reader.optional('alarm_definitions_since', isoTime, undefined);
  const alarmStacks = reader.optional('alarm_stacks', listOf(stackName, 20), [] as readonly string[]);
  const evidence: EvidenceInputs = {
    region: reader.required('region', regionName),
    alarms: prefix === undefined ? { names } : { names, prefix },
    canaryNames: reader.required('canary_names', listOf(canaryName, 100)),
    bakeMinutes: reader.required('bake_minutes', bakeMinutesInput),
    minCanaryRuns: reader.required('min_canary_runs', wholeNumber(1, 100)),
    acceptAlarmChanges: reader.optional('accept_alarm_changes', booleanText, false),
    ...(alarmDefinitionsSince === undefined ? {} : { alarmDefinitionsSince }),
    ...(alarmStacks.length === 0 ? {} : { alarmStacks }),
  };

  if (mode === 'watch') {
    const credentialMinutes = reader.optional('credential_minutes', credentialMinutesInput, 30);
    const watchMinutes = reader.optional('watch_minutes', wholeNumber(1, MAX_BAKE_MINUTES), undefined);
    const readiness = reader.optional('readiness', oneOf(READINESS_OUTCOMES), undefined);
    const inputs: WatchInputs = {
      mode,
      ...evidence,
      ...(readiness === undefined ? {} : { readiness }),
      watchMinutes: watchMinutes ?? evidence.bakeMinutes,
      pollSeconds: reader.optional('poll_seconds', wholeNumber(5, 300), 30),
      credentialMinutes,
    };
    const source = watchMinutes === undefined ? 'bake_minutes (watch_minutes not given)' : 'watch_minutes';
    if (!reader.failed && inputs.watchMinutes > inputs.bakeMinutes) {
      reader.problem(
        `watch_minutes: "${inputs.watchMinutes}" is longer than the bake; accepted: at most bake_minutes (${inputs.bakeMinutes})`,
      );
    } else if (!reader.failed && inputs.watchMinutes > maxWatchMinutes(credentialMinutes)) {
      reader.problem(
        `${source}: "${inputs.watchMinutes}" would outlast the job's ${credentialMinutes}-minute credentials; accepted: at most ${maxWatchMinutes(credentialMinutes)} minutes of live watching (split the bake: watch, then verify-history after a GitHub Environment wait timer, as planBake says)`,
      );
    }
    reader.finish();
    return inputs;
  }

  const windowEnd = reader.optional('window_end', isoTime, now);
  // Required, and anchored to the watch's start: a default of [now - bake, now] reaches back into the old version
  // when the Environment wait timer did not run (review scenario V1).
  const windowStart = reader.required('window_start', watchStart);
  const inputs: VerifyHistoryInputs = { mode, ...evidence, windowEnd, windowStart };
  if (!reader.failed) {
    if (windowEnd.getTime() > now.getTime()) {
      reader.problem(
        `window_end: "${formatTime(windowEnd)}" is in the future; accepted: a time not after now (${formatTime(now)}), or nothing for now`,
      );
    } else if (inputs.windowStart.getTime() >= windowEnd.getTime()) {
      reader.problem(
        `window_start: "${formatTime(inputs.windowStart)}" is not before the window end (${formatTime(windowEnd)}); accepted: a time at least bake_minutes (${evidence.bakeMinutes}) before it`,
      );
    } else if (windowEnd.getTime() - inputs.windowStart.getTime() < evidence.bakeMinutes * 60_000) {
      const span = formatDuration(windowEnd.getTime() - inputs.windowStart.getTime());
      reader.problem(
        `window_start: "${formatTime(inputs.windowStart)}" is only ${span} before the window end (${formatTime(windowEnd)}); accepted: a time at least bake_minutes (${evidence.bakeMinutes}) before it — did the Environment wait timer run?`,
      );
    }
  }
  reader.finish();
  return inputs;
}
