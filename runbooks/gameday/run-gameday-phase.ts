import type { GameDayInput, GameDayPhase, PhaseOutcome } from './gameday-phases';
import type { GameDayPorts } from './gameday-ports';

/**
 * Runs one phase of a game day (see runbooks/README.md, "Game day"): reads the game-day record from the surviving
 * Region's report bucket, acts through `ports`, writes the record back and says what happened.
 */
export async function runGameDayPhase(
  phase: GameDayPhase,
  input: GameDayInput,
  ports: GameDayPorts,
): Promise<PhaseOutcome> {
  ports.log(`${input.gameDayId}: ${phase}`);
  return { phase, status: 'failed', summary: `**${phase}**: not written yet` };
}
