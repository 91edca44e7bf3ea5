import type { Orchestration, Step } from '../core/step';
import type { Topology } from '../topology';
import { restoreTargetCapacity, waitForTargetCapacity } from './capacity-steps';
import { startWriterMove, verifyWriters, waitForWriterMove } from './database-steps';
import { numberField, regionField, rejectUnknownFields } from './input-fields';
import { DEFAULT_MAX_LAG_SECONDS, MAX_LAG_INPUT } from './readiness';
import { type ReadinessInput, readinessGate } from './readiness-checks';
import { moveTraffic } from './region-switch-steps';
import { type ScaleUpMode, scaleToPeak, waitForPeakCapacity } from './scale-to-peak';
import { storeSummary } from './summary-step';
import { validateTarget } from './validate-step';

/** Input of {@link switchover} and {@link failback}. */
export type SwitchoverInput = ReadinessInput;

/**
 * The steps of a planned move, after validation: the target's writer services restored (a failover fenced them
 * there) and running; the readiness gate and `beforeScaleUp` (failback readiness), which refuse before anything
 * changed; every service raised to its share of the other Region's peak and running (within
 * `readiness.scaleUpTimeoutSeconds`, else the move fails before anything moved); `afterScaleUp` (failback capacity);
 * switchovers (all started, then all awaited), verification, then traffic; then `afterMove`.
 *
 * Writers move before traffic: a switchover can fail or be rolled back by Aurora, and then traffic has not moved
 * and there is nothing to undo; once the writers are in the target Region, its services write locally (no
 * cross-Region write forwarding) from the moment they receive traffic. RPO is 0: Aurora synchronises the secondary
 * before it promotes it.
 */
export function plannedMoveSteps<I extends SwitchoverInput>(
  orchestration: string,
  topology: Topology,
  options: {
    /** How a scale-up that falls short is treated. @default 'planned' (the move fails) */
    readonly scaleUp?: ScaleUpMode;
    readonly beforeScaleUp?: readonly Step<I>[];
    readonly afterScaleUp?: readonly Step<I>[];
    readonly afterMove?: readonly Step<I>[];
    readonly summary?: Parameters<typeof storeSummary<I>>[1];
  } = {},
): Step<I>[] {
  return [
    restoreTargetCapacity<I>(),
    waitForTargetCapacity<I>(),
    readinessGate<I>(),
    ...(options.beforeScaleUp ?? []),
    scaleToPeak<I>(options.scaleUp ?? 'planned'),
    waitForPeakCapacity<I>(options.scaleUp ?? 'planned'),
    ...(options.afterScaleUp ?? []),
    ...writersThenTraffic<I>(topology),
    ...(options.afterMove ?? []),
    storeSummary<I>(orchestration, (ctx) => ({ rpoSeconds: 0, ...options.summary?.(ctx) })),
  ];
}

/**
 * The writers, then the traffic. In routing mode `arc-cluster`: every switchover started, then awaited, verified, then
 * the routing controls. In mode `region-switch` the plan (graceful) switches every database over and then moves DNS, in
 * that order too; the switchover steps after it find the writers moved and only wait for and verify them.
 */
function writersThenTraffic<I extends SwitchoverInput>(topology: Topology): Step<I>[] {
  const writers = [
    ...topology.databases.map((db) => startWriterMove<I>(db, 'switchover')),
    ...topology.databases.map((db) => waitForWriterMove<I>(db, 'switchover')),
    verifyWriters<I>(topology.databases),
  ];
  return topology.routing.mode === 'region-switch'
    ? [moveTraffic<I>(topology, 'planned'), ...writers]
    : [...writers, moveTraffic<I>(topology, 'planned')];
}

/** Parses `targetRegion` (defaulting to `defaultTarget`) and `maxLagSeconds`. */
export function parsePlannedMoveInput(
  raw: Readonly<Record<string, unknown>>,
  topology: Topology,
  defaultTarget?: string,
): SwitchoverInput {
  rejectUnknownFields(raw, ['targetRegion', 'maxLagSeconds']);
  return {
    targetRegion: regionField(raw, 'targetRegion', topology, defaultTarget),
    maxLagSeconds: numberField(raw, 'maxLagSeconds', { min: 0, max: 3600, fallback: DEFAULT_MAX_LAG_SECONDS }),
  };
}

/** `switchover` (planned, no data loss): readiness must pass, then writers, then traffic move to the target Region. */
export const switchover: Orchestration<SwitchoverInput> = {
  name: 'switchover',
  title: 'Planned switchover: move writers, then traffic, to the target Region without data loss',
  mutates: true,
  inputs: [
    { name: 'targetRegion', type: 'region', required: true, description: 'The Region that takes over.' },
    MAX_LAG_INPUT,
  ],
  parseInput: (raw, topology) => parsePlannedMoveInput(raw, topology),
  steps: (topology) => [
    validateTarget<SwitchoverInput>(),
    ...plannedMoveSteps<SwitchoverInput>('switchover', topology),
  ],
};
