import { messageOf } from '../core/errors';
import type { Experiment } from './gameday-ports';
import type { GameDayRecord } from './gameday-record';
import { iso } from './phase-waits';
import type { PhaseContext } from './run-gameday-phase';

/** FIS statuses after which an experiment does nothing more. */
export const ENDED: readonly string[] = ['completed', 'stopped', 'failed', 'cancelled'];

/** Action statuses that show the action began acting on its targets. */
export const ACTED: readonly string[] = ['running', 'completed', 'stopping', 'stopped'];
/** Action statuses of a fault action that is acting as planned (FIS API Reference, ExperimentActionState). */
export const ACTING: readonly string[] = ['running', 'completed'];

/**
 * When the fault fired, once it runs as planned (review 16c S3): the experiment is `running` and every one of its
 * actions is `running` or `completed`. The game-day template's actions are all fault actions (the cross-Region
 * isolation, the global tables' replication pause, the database-port blackhole of each service), none waits for
 * another (no `startAfter`), and an action without targets fails the experiment (`emptyTargetResolutionMode:
 * fail`), so one that is not acting means the Region is not isolated as designed. The moment is the earliest
 * action start. undefined while that is not so.
 */
export function firedAt(experiment: Experiment): Date | undefined {
  if (experiment.status !== 'running' || experiment.actions.length === 0) return undefined;
  if (!experiment.actions.every((a) => ACTING.includes(a.status) && a.startedAt)) return undefined;
  return new Date(Math.min(...experiment.actions.map((a) => (a.startedAt as Date).getTime())));
}

/** The experiment's state for the record: its status, reason and end (review 16c S3). */
export function experimentState(
  experiment: Experiment,
): Pick<NonNullable<GameDayRecord['experiment']>, 'status' | 'reason' | 'endedAt'> {
  return {
    status: experiment.status,
    ...(experiment.reason ? { reason: experiment.reason } : {}),
    ...(experiment.endedAt ? { endedAt: iso(experiment.endedAt) } : {}),
  };
}

/**
 * The recorded experiment as FIS has it now, or undefined when it cannot be read (logged: the score reads it
 * again and fails closed).
 */
export async function readExperiment(
  ctx: PhaseContext,
  recorded: GameDayRecord['experiment'],
): Promise<Experiment | undefined> {
  if (!recorded) return undefined;
  try {
    return await ctx.ports.faults.get(recorded.region, recorded.id);
  } catch (error) {
    ctx.ports.log(`FIS experiment ${recorded.id} in ${recorded.region} could not be read: ${messageOf(error)}`);
    return undefined;
  }
}
