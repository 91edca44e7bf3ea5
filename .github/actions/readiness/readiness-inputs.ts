import {
  booleanText,
  type GetInput,
  InputReader,
  listOf,
  oneOf,
  regionName,
  resourceNamePart,
  wholeNumber,
} from '../cli-support/action-inputs';

/** The outcomes a step can have (`steps.<id>.outcome`: success, failure, cancelled or skipped; GitHub, Contexts). */
export const STEP_OUTCOMES = ['success', 'failure', 'cancelled', 'skipped'] as const;

/** The validated inputs of the readiness CLI. */
export interface ReadinessInputs {
  /** The deployment's two Regions: each one's latest record is read from its own report bucket. */
  readonly regions: readonly string[];
  readonly appName: string;
  readonly envName: string;
  /** A record that finished longer ago than this is stale (not green). */
  readonly maxAgeMinutes: number;
  /**
   * The outcome of the job's credentials step: anything but `success` means AWS cannot be read, and every Region is
   * judged UNREADABLE (the issue is still opened: a role that cannot be assumed is no reason to stay quiet).
   */
  readonly credentials: (typeof STEP_OUTCOMES)[number];
  /** Whether to open, update and close the readiness issue (`false`: only the summary). */
  readonly manageIssue: boolean;
  readonly validateOnly: boolean;
}

/** The allowed range of `max_age_minutes`: at least the 5-minute shortest schedule, at most a day. */
export const MAX_AGE_RANGE = { min: 5, max: 1440 } as const;

/**
 * Reads and validates the inputs (pipeline/README.md, readiness).
 *
 * @throws InputError listing every invalid input.
 */
export function readReadinessInputs(getInput: GetInput): ReadinessInputs {
  const reader = new InputReader(getInput);
  const regions = reader.required('regions', listOf(regionName, 2));
  if (regions && regions.length !== 2) {
    reader.problem(
      `regions: ${JSON.stringify(regions.join(','))} has ${regions.length} Region; accepted: the deployment's two Regions, separated by a comma`,
    );
  }
  const inputs: ReadinessInputs = {
    regions,
    appName: reader.required('app_name', resourceNamePart),
    envName: reader.required('env_name', resourceNamePart),
    maxAgeMinutes: reader.required('max_age_minutes', wholeNumber(MAX_AGE_RANGE.min, MAX_AGE_RANGE.max)),
    credentials: reader.optional('credentials', oneOf(STEP_OUTCOMES), 'success' as const),
    manageIssue: reader.optional('manage_issue', booleanText, true),
    validateOnly: reader.optional('validate_only', booleanText, false),
  };
  reader.finish();
  return inputs;
}
