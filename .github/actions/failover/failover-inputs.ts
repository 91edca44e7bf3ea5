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
import {
  FAILBACK_OVERRIDE_VALUES,
  type FailbackOverride,
  RUNBOOK_ACTIONS,
  type RunbookAction,
} from './automation-document-name';

/** The validated inputs of the failover CLI. */
export interface FailoverInputs {
  readonly action: RunbookAction;
  /** The Region to move to (for `readiness`: the Region checked); one of the two configured Regions. */
  readonly region: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Whether the runbook only checks and prints its plan. */
  readonly dryRun: boolean;
  readonly reason: string;
  readonly appName: string;
  readonly envName: string;
  /** Seconds between two `GetAutomationExecution` calls. */
  readonly pollSeconds: number;
  /** How long the job follows the automation before giving up (the automation itself keeps running). */
  readonly timeoutMinutes: number;
  /**
   * Whether a failover, switchover or failback starts although CloudFormation is still changing a stack of the
   * target Region after the wait (review D6). @default false
   */
  readonly ignoreStackUpdates: boolean;
  /**
   * An execution of this action and target to follow (when still running) or to resume (when it ended without
   * succeeding: a new execution with `ResumeExecutionId`), instead of starting a fresh one.
   */
  readonly executionId?: string;
  /**
   * For `recover`: when the failover it reports on happened, as an ISO 8601 instant in UTC (the document's
   * `FailoverAt`). Needed when that failover did not run through the runbook, which records it.
   * @default - the time the latest failover execution recorded
   */
  readonly failoverAt?: string;
  /**
   * For `failback`: the failback readiness conditions to go on without when unmet ({@link FAILBACK_OVERRIDE_VALUES};
   * `all` waives every one), in the order given, without repeats. Passed to the document as `Overrides`.
   * @default - none: every condition must hold
   */
  readonly overrides?: readonly FailbackOverride[];
}

/** An SSM Automation execution id (a UUID, as StartAutomationExecution returns it). */
const executionIdText = matching(
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  'an SSM Automation execution id such as "4f6c1a2e-8d3b-4c5e-9f7a-0b1c2d3e4f5a"',
  'is not an automation execution id',
);

/** The longest reason accepted, in characters. */
export const MAX_REASON_LENGTH = 500;

/** Why a runbook runs (or a freeze is set or lifted): one line of at most {@link MAX_REASON_LENGTH} characters. */
export const reasonText: InputParser<string> = {
  accepted: `one line of text of at most ${MAX_REASON_LENGTH} characters`,
  parse: (value) => {
    if (value.length > MAX_REASON_LENGTH) return { problem: `is ${value.length} characters long` };
    if (/\p{Cc}/u.test(value)) return { problem: 'has control characters (such as new lines)' };
    return { value };
  },
};

/**
 * A failback readiness condition the runbook does not let be overridden, and why (runbooks/README.md, "Failback
 * readiness"): named as such rather than as an unknown value.
 */
const NOT_OVERRIDABLE: Readonly<Record<string, string>> = {
  'replication-caught-up': 'Aurora switches over only to a connected member; raise maxLagSeconds instead',
};

/** One value of `overrides`: {@link FAILBACK_OVERRIDE_VALUES}, exactly (lower case). */
const failbackOverride: InputParser<FailbackOverride> = {
  accepted: oneOf(FAILBACK_OVERRIDE_VALUES).accepted,
  parse: (value) => {
    const why = NOT_OVERRIDABLE[value];
    if (why !== undefined) return { problem: `cannot be overridden (${why})` };
    return oneOf(FAILBACK_OVERRIDE_VALUES).parse(value);
  },
};

/**
 * `overrides`: a list separated by commas (or new lines) of {@link FAILBACK_OVERRIDE_VALUES}; items are trimmed and
 * repeats dropped, so what the CLI passes matches the document parameter's pattern (lower-case names and commas).
 */
export const failbackOverrides = listOf(failbackOverride, FAILBACK_OVERRIDE_VALUES.length);

/**
 * Reads and validates the failover inputs (see pipeline/README.md); nothing is started when one is invalid.
 *
 * @throws InputError listing every invalid input.
 */
export function readFailoverInputs(getInput: GetInput): FailoverInputs {
  const reader = new InputReader(getInput);
  const inputs: FailoverInputs = {
    action: reader.required('action', oneOf(RUNBOOK_ACTIONS)),
    region: reader.required('region', regionName),
    primaryRegion: reader.required('primary_region', regionName),
    standbyRegion: reader.required('standby_region', regionName),
    dryRun: reader.optional('dry_run', booleanText, true),
    reason: reader.required('reason', reasonText),
    appName: reader.required('app_name', resourceNamePart),
    envName: reader.required('env_name', resourceNamePart),
    pollSeconds: reader.optional('poll_seconds', wholeNumber(1, 60), 5),
    timeoutMinutes: reader.optional('timeout_minutes', wholeNumber(1, 720), 25),
    ignoreStackUpdates: reader.optional('ignore_stack_updates', booleanText, false),
  };
  const executionId = reader.optional('execution_id', executionIdText, undefined);
  const failoverAt = reader.optional('failover_at', isoTime, undefined);
  if (failoverAt !== undefined && inputs.action !== undefined && inputs.action !== 'recover') {
    reader.problem(
      `failover_at: only recover takes it (the time of the failover it reports on); accepted: empty for "${inputs.action}"`,
    );
  }
  const overrides = reader.optional('overrides', failbackOverrides, [] as readonly FailbackOverride[]);
  if (overrides !== undefined && overrides.length > 0 && inputs.action !== undefined && inputs.action !== 'failback') {
    reader.problem(
      `overrides: only failback takes it (the failback readiness conditions to go on without); accepted: empty for "${inputs.action}"`,
    );
  }
  const { region, primaryRegion, standbyRegion } = inputs;
  if (region && primaryRegion && standbyRegion) {
    if (primaryRegion === standbyRegion) {
      reader.problem(
        `standby_region: "${standbyRegion}" equals primary_region; accepted: a Region other than "${primaryRegion}"`,
      );
    } else if (region !== primaryRegion && region !== standbyRegion) {
      reader.problem(
        `region: "${region}" is not a Region of this deployment; accepted: "${primaryRegion}" (primary) or "${standbyRegion}" (standby)`,
      );
    }
  }
  reader.finish();
  return {
    ...inputs,
    ...(overrides.length === 0 ? {} : { overrides }),
    ...(executionId === undefined ? {} : { executionId }),
    ...(failoverAt === undefined ? {} : { failoverAt: failoverAt.toISOString() }),
  };
}
