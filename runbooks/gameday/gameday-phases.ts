/** The phases of a game day, in the order the workflow runs them (`clean-up` always runs last). */
export const GAMEDAY_PHASES = [
  'preflight',
  'start-traffic',
  'inject',
  'failover',
  'await-return',
  'recover',
  'score',
  'clean-up',
] as const;

/** One of {@link GAMEDAY_PHASES}. */
export type GameDayPhase = (typeof GAMEDAY_PHASES)[number];

/** What a game day proved: PASSED and FAILED only with a complete score; INCONCLUSIVE when it could not judge. */
export type GameDayVerdict = 'PASSED' | 'FAILED' | 'INCONCLUSIVE';

/** `gd-20261207T043000Z-a1b2`: the UTC start time and 4 random characters (contract section 1). */
export const GAMEDAY_ID_PATTERN = /^gd-\d{8}T\d{6}Z-[a-z0-9]{4}$/;

/**
 * The longest a game day's shoppers may run, in hours from the start time its id encodes: the schedules stop then
 * by themselves (their `EndDate`), and the shopper refuses an older game day, even when no clean-up ran.
 */
export const GAMEDAY_MAX_HOURS = 12;

/** The UTC start time a game-day id encodes (`gd-20261207T043000Z-…` → 2026-12-07T04:30:00Z); undefined if none. */
export function gameDayStartedAt(gameDayId: string): Date | undefined {
  const m = /^gd-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[a-z0-9]{4}$/.exec(gameDayId);
  if (!m) return undefined;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** What every phase of one game day is given (the workflow's inputs, validated by the CLI). */
export interface GameDayInput {
  /** See {@link GAMEDAY_ID_PATTERN}. */
  readonly gameDayId: string;
  /** The Region the fault hits (today's primary). */
  readonly failedRegion: string;
  /** The Region that takes over; it keeps the game-day record. */
  readonly survivingRegion: string;
  /** The GitHub actor who dispatched the game day. */
  readonly actor: string;
  /** Who approved the Environment's deployment, when someone did. */
  readonly approver?: string;
  /** Plan and preflight only: nothing is changed or recorded. */
  readonly dryRun: boolean;
  /** Why the game day runs (the dispatch's reason), kept in the record and the runbooks' reasons. */
  readonly reason?: string;
}

/** What one phase did; `summary` is plain text for the job summary. */
export interface PhaseOutcome {
  readonly phase: GameDayPhase;
  readonly status: 'succeeded' | 'failed' | 'inconclusive';
  /** Set by `score`, and by any phase that ends the game day early. */
  readonly verdict?: GameDayVerdict;
  /** Plain text for the job summary, one paragraph per line (the CLI escapes it). */
  readonly summary: string;
  /** Console URL of evidence.html (score / clean-up). */
  readonly evidenceUrl?: string;
}

export type { GameDayPorts } from './gameday-ports';
