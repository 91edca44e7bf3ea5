import { messageOf } from '../core/errors';
import { awaitReturnPhase } from './await-return-phase';
import { cleanUpPhase } from './clean-up-phase';
import { failoverPhase } from './failover-phase';
import {
  GAMEDAY_ID_PATTERN,
  GAMEDAY_PHASES,
  type GameDayInput,
  type GameDayPhase,
  type PhaseOutcome,
} from './gameday-phases';
import { DEFAULT_GAMEDAY_SETTINGS, type GameDayPorts, type GameDaySettings } from './gameday-ports';
import {
  type GameDayRecord,
  GameDayRecordError,
  gameDayRecordKey,
  newGameDayRecord,
  parseGameDayRecord,
} from './gameday-record';
import { injectPhase } from './inject-phase';
import { preflightPhase } from './preflight-phase';
import { recoverPhase } from './recover-phase';
import { scorePhase } from './score-phase';
import { startTrafficPhase } from './start-traffic-phase';

/** What a phase works with: the input, the ports, the settings and the game-day record. */
export interface PhaseContext {
  readonly input: GameDayInput;
  readonly ports: GameDayPorts;
  readonly settings: GameDaySettings;
  /** The stored record; undefined before preflight wrote it (and always in a dry run). */
  readonly record: GameDayRecord | undefined;
  /** Writes the record (nothing in a dry run) and returns it. */
  save(record: GameDayRecord): Promise<GameDayRecord>;
  /** When the phase must be done (ms since the epoch, on the ports' clock): see GameDaySettings.phaseMinutes. */
  readonly deadline: number;
  /** Whole minutes left before {@link deadline} (at least 1). */
  minutesLeft(): number;
}

/** A phase: what it does, given the context. */
export type PhaseRunner = (ctx: PhaseContext) => Promise<PhaseOutcome>;

const RUNNERS: Readonly<Record<GameDayPhase, PhaseRunner>> = {
  preflight: preflightPhase,
  'start-traffic': startTrafficPhase,
  inject: injectPhase,
  failover: failoverPhase,
  'await-return': awaitReturnPhase,
  recover: recoverPhase,
  score: scorePhase,
  'clean-up': cleanUpPhase,
};

/** The problems of an input (empty when it is valid), each naming the field, the value and what is accepted. */
export function gameDayInputProblems(input: GameDayInput): string[] {
  const problems: string[] = [];
  if (!GAMEDAY_ID_PATTERN.test(input.gameDayId)) {
    problems.push(
      `gameDayId: ${JSON.stringify(input.gameDayId)}; accepted: gd-<UTC start as yyyymmddThhmmssZ>-<4 lower-case letters or digits>, e.g. "gd-20261207T043000Z-a1b2"`,
    );
  }
  const region = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
  for (const field of ['failedRegion', 'survivingRegion'] as const) {
    if (!region.test(input[field])) {
      problems.push(`${field}: ${JSON.stringify(input[field])}; accepted: a Region name such as "us-east-1"`);
    }
  }
  if (input.failedRegion === input.survivingRegion) {
    problems.push(
      `survivingRegion: "${input.survivingRegion}" equals failedRegion; accepted: the deployment's other Region`,
    );
  }
  if (input.actor.trim() === '') problems.push('actor: empty; accepted: the GitHub actor who dispatched the game day');
  return problems;
}

/**
 * Runs one phase of a game day (see runbooks/README.md, "Game day"). Every phase reads the game-day record from
 * the surviving Region's report bucket first (refusing the record of another game day, or one that is not valid),
 * acts through `ports`, writes the record back and says what happened. Phases are re-runnable: a phase whose work
 * the record shows done does not do it again. A dry run checks and plans: it changes and records nothing.
 */
export async function runGameDayPhase(
  phase: GameDayPhase,
  input: GameDayInput,
  ports: GameDayPorts,
): Promise<PhaseOutcome> {
  const runner = RUNNERS[phase];
  if (!runner) {
    return {
      phase,
      status: 'failed',
      summary: `phase: ${JSON.stringify(phase)}; accepted: ${GAMEDAY_PHASES.join(', ')}`,
    };
  }
  const problems = gameDayInputProblems(input);
  if (problems.length > 0) {
    return { phase, status: 'failed', summary: `${phase} refused: ${problems.join('; ')}` };
  }
  const settings: GameDaySettings = { ...DEFAULT_GAMEDAY_SETTINGS, ...ports.settings };
  const key = gameDayRecordKey(input.gameDayId);
  const where = `s3 report bucket of ${input.survivingRegion}, ${key}`;
  let record: GameDayRecord | undefined;
  try {
    const text = await ports.buckets.get(input.survivingRegion, key);
    record = text === undefined ? undefined : parseGameDayRecord(text, where, input);
  } catch (error) {
    if (error instanceof GameDayRecordError)
      return { phase, status: 'failed', summary: `${phase} refused: ${error.message}` };
    return {
      phase,
      status: 'failed',
      summary: `${phase} could not read the game-day record (${where}): ${messageOf(error)}`,
    };
  }
  // A game day dispatched with the other failed Region looks in the wrong bucket: say which Region it failed.
  let misdirected: string | undefined;
  if (!record && phase !== 'preflight' && !input.dryRun) {
    const swapped = await ports.buckets.get(input.failedRegion, key).catch(() => undefined);
    if (swapped !== undefined) {
      misdirected = `the record of ${input.gameDayId} is in ${input.failedRegion}'s report bucket, not ${input.survivingRegion}'s: this game day failed ${input.survivingRegion}; dispatch again with failed_region ${input.survivingRegion}`;
    }
  }
  if (misdirected && phase !== 'clean-up') {
    return { phase, status: 'failed', summary: `${phase} refused: ${misdirected}` };
  }
  if (!record && phase !== 'preflight' && phase !== 'clean-up' && !input.dryRun) {
    return {
      phase,
      status: 'failed',
      summary: `${phase} refused: no game-day record at ${where}; run preflight of ${input.gameDayId} first (it writes the record)`,
    };
  }
  if (record?.verdict && phase !== 'clean-up' && phase !== 'score') {
    return {
      phase,
      status: record.verdict === 'INCONCLUSIVE' ? 'inconclusive' : 'failed',
      verdict: record.verdict,
      summary: `${phase} not run: the game day already ended ${record.verdict} (${(record.verdictReasons ?? []).join(' ')}); only clean-up runs now`,
    };
  }
  const deadline = ports.clock.now().getTime() + settings.phaseMinutes * 60_000;
  const ctx: PhaseContext = {
    input,
    ports,
    settings,
    record,
    deadline,
    minutesLeft: () => Math.max(1, Math.floor((deadline - ports.clock.now().getTime()) / 60_000)),
    save: async (next) => {
      if (!input.dryRun)
        await ports.buckets.put(input.survivingRegion, key, `${JSON.stringify(next, null, 2)}\n`, 'application/json');
      return next;
    },
  };
  try {
    let outcome = await runner(ctx);
    if (misdirected) {
      // Clean-up still disabled the schedules, but neither stopped that game day's experiment nor read its record.
      outcome = { ...outcome, status: 'failed', summary: `${outcome.summary}\nFAILED: ${misdirected}` };
    }
    ports.log(`${input.gameDayId} ${phase}: ${outcome.status}${outcome.verdict ? ` (${outcome.verdict})` : ''}`);
    return outcome;
  } catch (error) {
    return { phase, status: 'failed', summary: `${phase} failed: ${messageOf(error)}. Run the phase again.` };
  }
}

/** Records a phase's outcome (and its verdict, when it ends the game day) and returns the outcome. */
export async function finish(
  ctx: PhaseContext,
  record: GameDayRecord | undefined,
  outcome: PhaseOutcome,
  verdictReasons?: readonly string[],
): Promise<PhaseOutcome> {
  const base = record ?? newGameDayRecord(ctx.input, ctx.ports.clock.now(), ctx.ports.targets);
  const next: GameDayRecord = {
    ...base,
    phases: {
      ...base.phases,
      [outcome.phase]: {
        status: outcome.status,
        at: ctx.ports.clock.now().toISOString(),
        summary: outcome.summary,
        by: { actor: ctx.input.actor, ...(ctx.input.approver ? { approver: ctx.input.approver } : {}) },
      },
    },
    ...(outcome.verdict ? { verdict: outcome.verdict, verdictReasons: verdictReasons ?? [outcome.summary] } : {}),
    ...(outcome.evidenceUrl ? { evidenceUrl: outcome.evidenceUrl } : {}),
  };
  await ctx.save(next);
  return outcome;
}
