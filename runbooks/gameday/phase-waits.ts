import type { PhaseOutcome } from './gameday-phases';
import type { GameDayRecord } from './gameday-record';
import { finish, type PhaseContext } from './run-gameday-phase';

/** A time as the record and the summaries write it (ISO 8601, UTC). */
export const iso = (date: Date) => date.toISOString();

/**
 * Waits (on the ports' clock) until `done` returns a value or the minutes are up, never past the phase's deadline;
 * undefined when time is up.
 */
export async function pollUntil<T>(
  ctx: PhaseContext,
  minutes: number,
  done: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const clock = ctx.ports.clock;
  const deadline = Math.min(clock.now().getTime() + minutes * 60_000, ctx.deadline);
  for (;;) {
    const value = await done();
    if (value !== undefined) return value;
    if (clock.now().getTime() >= deadline) return undefined;
    await clock.sleep(ctx.settings.pollSeconds * 1000);
  }
}

/** An outcome that ends the game day INCONCLUSIVE (clean-up still runs). */
export function inconclusive(
  ctx: PhaseContext,
  record: GameDayRecord | undefined,
  phase: PhaseOutcome['phase'],
  reasons: string[],
) {
  return finish(
    ctx,
    record,
    {
      phase,
      status: 'inconclusive',
      verdict: 'INCONCLUSIVE',
      summary: `${phase}: INCONCLUSIVE\n\n${reasons.map((r) => `- ${r}`).join('\n')}\n\nNothing was judged; clean-up runs next.`,
    },
    reasons,
  );
}
