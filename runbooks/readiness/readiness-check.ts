import type { StepContext } from '../core/step';
import type { TargetInput } from '../orchestrations/database-steps';
import type { PortMethod } from '../ports';
import type { Topology } from '../topology';

/** A routing mode of the topology (`routing.mode`): `arc-cluster` or `region-switch`. */
export type RoutingMode = Topology['routing']['mode'];

/** Input of readiness checks: the Region that would take over, the replication lag it tolerates, which checks. */
export interface ReadinessInput extends TargetInput {
  /** Highest acceptable Aurora global replication lag, in seconds. */
  readonly maxLagSeconds: number;
}

/** What a check sees: the input, the topology and the ports (a step's context, or the scheduled run's). */
export type ReadinessContext = Pick<StepContext<ReadinessInput>, 'input' | 'topology' | 'ports'>;

/**
 * What one readiness check found.
 * - `failures`: red, one sentence each, naming what is wrong and the value read;
 * - `unknowns`: what the check could not read or decide (an API that did not answer, a metric without data): with
 *   no failure the check is INCONCLUSIVE, which gates and alarms treat as red (fail closed);
 * - `notes`: what was read and found good;
 * - `evidence`: the values read, as JSON (kept in the readiness record for whoever looks later).
 */
export interface Assessment {
  readonly failures: readonly string[];
  readonly notes: readonly string[];
  readonly unknowns?: readonly string[];
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/**
 * `takeover`: about the Region that would take over (services, replication, routing, secrets); run by the bake, the
 * failover workflow's dry run and the gate of planned moves. `standing`: about both Regions staying alike and ready
 * (parity, quotas, canaries, routing configuration); run on the schedule and by the drill's preflight, with the
 * takeover checks.
 */
export type ReadinessScope = 'takeover' | 'standing';

/** One readiness check: a name, what it looks at, and how. */
export interface ReadinessCheck {
  /** kebab-case, unique; the metric's `Check` dimension and the step name. */
  readonly name: string;
  readonly title: string;
  readonly scope: ReadinessScope;
  /** What a red result means for the person on call, one or two sentences (README and the readiness record). */
  readonly whenRed: string;
  readonly uses: readonly PortMethod[];
  /**
   * The routing modes the check applies in (see {@link onlyInRoutingModes}): in another mode it reads nothing and is
   * GREEN with a note saying it does not apply.
   * @default - every routing mode
   */
  readonly routingModes?: readonly RoutingMode[];
  assess(ctx: ReadinessContext): Promise<Assessment>;
}

/** Whether `check` applies in routing mode `mode`. */
export function appliesInMode(check: Pick<ReadinessCheck, 'routingModes'>, mode: RoutingMode): boolean {
  return check.routingModes === undefined || check.routingModes.includes(mode);
}

/**
 * `check` made to apply in `modes` only. In another routing mode its assessment reads nothing (its ports may not
 * exist in that mode: no routing controls with a Region switch plan, no plan with the ARC cluster) and is GREEN with
 * the note `does not apply: …` and `evidence.appliesIn`: there is nothing of the kind to be wrong, and whatever runs
 * it (the scheduled run, the drill's preflight, the `readiness` runbook's step, the gate of planned moves) goes on.
 * Whoever lists checks by mode (the metrics, the dashboard, the README) uses {@link appliesInMode}.
 */
export function onlyInRoutingModes(modes: readonly RoutingMode[], check: ReadinessCheck): ReadinessCheck {
  return {
    ...check,
    routingModes: modes,
    assess: async (ctx) => {
      const mode = ctx.topology.routing.mode;
      if (modes.includes(mode)) return check.assess(ctx);
      return {
        failures: [],
        notes: [
          `does not apply: routing.mode is ${JSON.stringify(mode)}; ${check.name} applies in routing mode ${modes.map((m) => JSON.stringify(m)).join(' or ')}`,
        ],
        evidence: { routingMode: mode, appliesIn: [...modes] },
      };
    },
  };
}

/** GREEN: nothing wrong; RED: something wrong; INCONCLUSIVE: nothing found wrong, but something could not be read. */
export type ReadinessVerdict = 'GREEN' | 'RED' | 'INCONCLUSIVE';

/** The verdict of one assessment. */
export function verdictOf(assessment: Assessment): ReadinessVerdict {
  if (assessment.failures.length > 0) return 'RED';
  if ((assessment.unknowns ?? []).length > 0) return 'INCONCLUSIVE';
  return 'GREEN';
}

/** The overall verdict of several: RED if any is, else INCONCLUSIVE if any is, else GREEN (none is INCONCLUSIVE). */
export function overallVerdict(verdicts: readonly ReadinessVerdict[]): ReadinessVerdict {
  if (verdicts.length === 0) return 'INCONCLUSIVE';
  if (verdicts.includes('RED')) return 'RED';
  if (verdicts.includes('INCONCLUSIVE')) return 'INCONCLUSIVE';
  return 'GREEN';
}
