import { InputError } from '../core/input-error';
import type { InputFieldSpec, Orchestration } from '../core/step';
import { READINESS_CHECKS, TAKEOVER_CHECKS } from '../readiness/readiness-checks';
import { listField, numberField, regionField, rejectUnknownFields } from './input-fields';
import { type ReadinessInput, readinessStep } from './readiness-checks';
import { validateTarget } from './validate-step';

/** Default highest acceptable replication lag, in seconds. */
export const DEFAULT_MAX_LAG_SECONDS = 30;

/** The `maxLagSeconds` input field. */
export const MAX_LAG_INPUT: InputFieldSpec = {
  name: 'maxLagSeconds',
  type: 'number',
  required: false,
  defaultText: String(DEFAULT_MAX_LAG_SECONDS),
  description: 'Highest acceptable Aurora global replication lag, in seconds.',
};

/** The value of the `checks` input that selects every check. */
export const ALL_CHECKS = 'all';

/** The `checks` input field. */
export const CHECKS_INPUT: InputFieldSpec = {
  name: 'checks',
  type: 'list',
  required: false,
  defaultText: `the takeover checks (${TAKEOVER_CHECKS.map((c) => c.name).join(', ')})`,
  description: `Which readiness checks run: ${ALL_CHECKS}, or check names (comma-separated).`,
};

/** Input of the `readiness` orchestration: the readiness input and the checks it runs. */
export interface ReadinessRunInput extends ReadinessInput {
  /** Names of the checks that run, in {@link READINESS_CHECKS} order. */
  readonly checks: readonly string[];
}

/**
 * The checks selected by `raw.checks`: absent or empty, the takeover checks (what the bake and the failover
 * workflow's dry run have always run); `all`, every check; else a comma-separated list (or an array) of check names.
 */
export function checksField(raw: Readonly<Record<string, unknown>>): readonly string[] {
  const value = raw.checks;
  const names = READINESS_CHECKS.map((c) => c.name);
  if (value === undefined || value === '') return TAKEOVER_CHECKS.map((c) => c.name);
  if (value === ALL_CHECKS || (Array.isArray(value) && value.length === 1 && value[0] === ALL_CHECKS)) return names;
  // An empty list would run no check and pass: fail closed.
  if (Array.isArray(value) && value.length === 0) {
    throw new InputError(
      'checks',
      `[] selects no check; accepted: ${ALL_CHECKS}, or a comma-separated list of ${names.join(', ')}`,
    );
  }
  try {
    return listField(raw, 'checks', names);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const items = Array.isArray(value)
      ? value
      : typeof value === 'string'
        ? value.split(',').map((v) => v.trim())
        : [value];
    const wrong = items.find((item) => typeof item !== 'string' || !names.includes(item));
    throw new InputError(
      'checks',
      `${JSON.stringify(wrong)} is not a readiness check; accepted: ${ALL_CHECKS}, or a comma-separated list of ${names.join(', ')}`,
    );
  }
}

/**
 * `readiness`: can the target Region take over, and are both Regions alike and ready? One step per check; the input
 * `checks` selects which run (by default the takeover checks: services healthy, capacity, replication, routing
 * controls readable, secrets present), the others are skipped as "not selected". Read-only; reports every failure
 * and every check that could not decide (both fail the run: fail closed).
 */
export const readiness: Orchestration<ReadinessRunInput> = {
  name: 'readiness',
  title: 'Check that the target Region can take over',
  mutates: false,
  continueAfterFailedCheck: true,
  inputs: [
    { name: 'targetRegion', type: 'region', required: true, description: 'The Region that would take over.' },
    MAX_LAG_INPUT,
    CHECKS_INPUT,
  ],
  parseInput: (raw, topology) => {
    rejectUnknownFields(raw, ['targetRegion', 'maxLagSeconds', 'checks']);
    return {
      targetRegion: regionField(raw, 'targetRegion', topology),
      maxLagSeconds: numberField(raw, 'maxLagSeconds', { min: 0, max: 3600, fallback: DEFAULT_MAX_LAG_SECONDS }),
      checks: checksField(raw),
    };
  },
  steps: () => [
    validateTarget(),
    ...READINESS_CHECKS.map((c) => readinessStep<ReadinessRunInput>(c, (input) => input.checks.includes(c.name))),
  ],
};
