import type { GameDayInput, GameDayPhase, PhaseOutcome } from '../../../runbooks/gameday/gameday-phases';
import { AwsUnavailableError } from '../cli-support/exit-codes';
import type { GameDayCliInputs } from './gameday-inputs';

/**
 * `runGameDayPhase` over the AWS ports of the two Regions, for the inputs of one step. The AWS ports
 * (`gameDayAwsPorts`, runbooks/adapters/aws/gameday-ports.ts, helper-33) are not written yet: until they are, a phase
 * stops with exit 3 naming what is missing, before any AWS call (the validate step works; gameday.yml is only
 * generated with game days enabled).
 */
export function awsPhaseRunner(
  inputs: GameDayCliInputs,
  log: (line: string) => void,
): (phase: GameDayPhase, input: GameDayInput) => Promise<PhaseOutcome> {
  return async (phase) => {
    log(`${phase}: ${inputs.appName}-${inputs.envName}, ${inputs.failedRegion} → ${inputs.survivingRegion}`);
    throw new AwsUnavailableError(
      `${phase}: the game day's AWS ports (runbooks/adapters/aws/gameday-ports.ts, gameDayAwsPorts) are not built into this CLI yet; nothing was called`,
    );
  };
}
