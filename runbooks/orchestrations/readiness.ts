import type { InputFieldSpec, Orchestration } from '../core/step';
import { numberField, regionField, rejectUnknownFields } from './input-fields';
import { READINESS_CHECKS, type ReadinessInput, readinessStep } from './readiness-checks';
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

/**
 * `readiness`: can the target Region take over? Services healthy, capacity, replication (member connected and
 * available, lag under the limit), routing controls readable, secrets present. Read-only; reports every failure.
 */
export const readiness: Orchestration<ReadinessInput> = {
  name: 'readiness',
  title: 'Check that the target Region can take over',
  mutates: false,
  continueAfterFailedCheck: true,
  inputs: [
    { name: 'targetRegion', type: 'region', required: true, description: 'The Region that would take over.' },
    MAX_LAG_INPUT,
  ],
  parseInput: (raw, topology) => {
    rejectUnknownFields(raw, ['targetRegion', 'maxLagSeconds']);
    return {
      targetRegion: regionField(raw, 'targetRegion', topology),
      maxLagSeconds: numberField(raw, 'maxLagSeconds', { min: 0, max: 3600, fallback: DEFAULT_MAX_LAG_SECONDS }),
    };
  },
  steps: () => [validateTarget(), ...READINESS_CHECKS.map((c) => readinessStep<ReadinessInput>(c))],
};
