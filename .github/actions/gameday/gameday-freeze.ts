import type { GameDayInput } from '../../../runbooks/gameday/gameday-phases';
import type { GameDayRecord } from '../../../runbooks/gameday/gameday-record';
import { type Clock, formatTime } from '../cli-support/clock';
import { AwsUnavailableError, CheckFailedError } from '../cli-support/exit-codes';
import { deployFreezeParameterName, type FrozenRecord } from '../freeze/freeze-record';
import { clearCommand } from '../freeze/freeze-report';
import { type FreezeDependencies, readFreeze, writeDeployFreeze, writeFreeze } from '../freeze/freeze-store';

/** The deploy freeze around a game day's fault (review 16d G11), as the game-day CLI step uses it. */
export interface GameDayFreezePort {
  /**
   * Before start-traffic and inject of a real game day: writes the game day's deploy freeze in both Regions.
   *
   * @returns the sentence for the job summary
   * @throws CheckFailedError when another freeze is in force (a failover, switchover or failback not failed back):
   *   no fault is injected then; AwsUnavailableError when the freeze could not be read or written in any Region
   */
  set(input: GameDayInput, reason: string): Promise<string>;
  /**
   * After clean-up: lifts the game day's own freeze when its record shows no failover was started; after a failover
   * the freeze stays until the failback lifts it, as after any failover (the failover CLI's rule).
   *
   * @returns the sentence for the job summary
   * @throws AwsUnavailableError when a Region holding the game day's freeze did not take the lifting
   */
  liftUnlessFailedOver(input: GameDayInput): Promise<string>;
}

/** What {@link gameDayFreeze} needs. */
export interface GameDayFreezeOptions {
  /** The freeze store's dependencies (SSM of both Regions, the CLIs' retry layer): freeze/main.ts `freezeDependencies`. */
  readonly deps: FreezeDependencies;
  readonly appName: string;
  readonly envName: string;
  readonly clock: Clock;
  /** Reads the game-day record (undefined when there is none); throws when it cannot be read. */
  readonly readRecord: () => Promise<GameDayRecord | undefined>;
  /** The GitHub Actions run, kept in the freeze record. */
  readonly runUrl?: string;
}

/** The freeze reason of a game day: it starts with `game day <id>` (the failover phase's own reason does too). */
export const gameDayFreezeReason = (input: GameDayInput, reason: string) =>
  `game day ${input.gameDayId}: fault in ${input.failedRegion} (${reason})`.slice(0, 500);

const isOurs = (input: GameDayInput, reason: string) => reason.startsWith(`game day ${input.gameDayId}:`);

/**
 * The deploy freeze of a game day over the failover CLI's freeze code (`.github/actions/freeze/freeze-store.ts`: the
 * same parameter `/<app>/<env>/deploy-freeze` in both Regions, the same record, read by every deploy). The record's
 * action is `failover` and its target the surviving Region: what the game day is about to do.
 */
export function gameDayFreeze(options: GameDayFreezeOptions): GameDayFreezePort {
  const { deps } = options;
  const names = (input: GameDayInput) => ({
    parameterName: deployFreezeParameterName(options.appName, options.envName),
    regions: [input.failedRegion, input.survivingRegion],
  });
  const byHand = (regions: readonly string[]) => clearCommand(regions, options.appName, options.envName);
  return {
    async set(input, reason) {
      const { parameterName, regions } = names(input);
      const decision = await readFreeze(regions, parameterName, deps);
      const other = decision.regions.flatMap((r) =>
        r.state === 'frozen' && !isOurs(input, r.record.reason)
          ? [`${r.region}: ${r.record.action} to ${r.record.targetRegion} (${r.record.reason}, ${r.record.at})`]
          : r.state === 'invalid'
            ? [`${r.region}: a value that is not a freeze record (${r.problems.join('; ')})`]
            : [],
      );
      if (other.length > 0) {
        throw new CheckFailedError(
          `Deploys are frozen by something else than game day ${input.gameDayId}, so the application may not be where a game day expects it: ${other.join('; ')}. No fault is injected; fail back (or lift a stale freeze: ${byHand(regions)}) and dispatch again.`,
        );
      }
      if (decision.decision === 'undecided') {
        const unread = decision.regions.flatMap((r) => (r.state === 'unreadable' ? [`${r.region}: ${r.error}`] : []));
        throw new AwsUnavailableError(
          `Could not read the deploy freeze ${parameterName} in ${unread.join('; ')}: no fault is injected while it cannot be set for sure.`,
        );
      }
      const record: FrozenRecord = {
        schemaVersion: 1,
        frozen: true,
        action: 'failover',
        targetRegion: input.survivingRegion,
        reason: gameDayFreezeReason(input, reason),
        at: formatTime(options.clock.now()),
        ...(options.runUrl ? { runUrl: options.runUrl } : {}),
      };
      const write = await writeDeployFreeze({ regions, parameterName, record }, deps);
      return `Deploys are frozen (${parameterName} in ${write.written.join(' and ')}${write.failed.length > 0 ? `; NOT in ${write.failed.map((f) => `${f.region}: ${f.error}`).join(', ')}` : ''}) for game day ${input.gameDayId}: no wave starts while the fault is live.`;
    },

    async liftUnlessFailedOver(input) {
      const { parameterName, regions } = names(input);
      let record: GameDayRecord | undefined;
      try {
        record = await options.readRecord();
      } catch (error) {
        return `The deploy freeze stays: the game-day record could not be read (${error instanceof Error ? error.message : String(error)}), so whether a failover happened is unknown. If none did, lift it by hand: ${byHand(regions)}`;
      }
      if (record?.failover || record?.phases.failover) {
        return `A failover was started (${record.failover ? `execution ${record.failover.executionId}, ${record.failover.status}` : 'the failover phase ran'}): the deploy freeze stays until the failback lifts it, as after any failover.`;
      }
      const decision = await readFreeze(regions, parameterName, deps);
      const ours = decision.regions.flatMap((r) =>
        r.state === 'frozen' && isOurs(input, r.record.reason) ? [r.region] : [],
      );
      const others = decision.regions.filter((r) => r.state === 'frozen' && !isOurs(input, r.record.reason));
      const unread = decision.regions.flatMap((r) => (r.state === 'unreadable' ? [`${r.region}: ${r.error}`] : []));
      if (ours.length === 0) {
        return `No deploy freeze of game day ${input.gameDayId} to lift${others.length > 0 ? ` (another freeze stays: ${others.map((r) => r.region).join(', ')})` : ''}${unread.length > 0 ? `; could not read ${unread.join(', ')}` : ''}.`;
      }
      const write = await writeFreeze(
        ours,
        parameterName,
        {
          schemaVersion: 1,
          frozen: false,
          reason: `game day ${input.gameDayId} cleaned up before any failover`,
          at: formatTime(options.clock.now()),
          ...(options.runUrl ? { runUrl: options.runUrl } : {}),
        },
        deps,
      );
      if (write.failed.length > 0) {
        throw new AwsUnavailableError(
          `The deploy freeze of game day ${input.gameDayId} was NOT lifted in ${write.failed.map((f) => `${f.region}: ${f.error}`).join('; ')} (deploys stay frozen until it is): ${byHand(regions)}`,
        );
      }
      return `No failover happened: the deploy freeze of game day ${input.gameDayId} is lifted in ${write.written.join(' and ')}${unread.length > 0 ? `; could not read ${unread.join(', ')} (lift it there by hand if it holds the freeze: ${byHand(regions)})` : ''}.`;
    },
  };
}
