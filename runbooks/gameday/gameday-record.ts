import { z } from 'zod';
import type { ScoreTargets } from '../scoring/score-input';
import { GAMEDAY_PHASES, type GameDayInput, type GameDayPhase, type GameDayVerdict } from './gameday-phases';

/** Format tag of the game-day record. */
export const GAMEDAY_RECORD_FORMAT = 'multi-region-shop/gameday-record@1';

/** Where a game day keeps its record: in the surviving Region's report bucket. */
export function gameDayRecordKey(gameDayId: string): string {
  return `gamedays/${gameDayId}/record.json`;
}

/** Where the shoppers of a game day write their acknowledgments (in the report bucket of the other Region). */
export function ackPrefix(gameDayId: string): string {
  return `gamedays/${gameDayId}/acks/`;
}

/** Where a game day's evidence pack goes. */
export function evidencePrefix(gameDayId: string): string {
  return `gamedays/${gameDayId}/evidence/`;
}

/** What one phase left in the record. */
export interface PhaseEntry {
  readonly status: 'succeeded' | 'failed' | 'inconclusive';
  readonly at: string;
  readonly summary: string;
  /** Who ran this phase (a resumed game day's phases may be another dispatch's). */
  readonly by?: { readonly actor: string; readonly approver?: string };
}

/**
 * The state of one game day between its phases (each workflow job runs one or more phases with its own
 * credentials): `gamedays/<id>/record.json` in the surviving Region's report bucket. Every instant is ISO 8601 UTC.
 */
export interface GameDayRecord {
  readonly format: typeof GAMEDAY_RECORD_FORMAT;
  readonly gameDayId: string;
  readonly failedRegion: string;
  readonly survivingRegion: string;
  readonly actor: string;
  readonly approver?: string;
  /** Why the game day runs. */
  readonly reason?: string;
  readonly createdAt: string;
  /**
   * The RTO/RPO targets the game day started with (review 16c S13): the score judges against these, not against the
   * config of a later dispatch. Absent in records made before it was kept.
   */
  readonly targets?: ScoreTargets;
  readonly phases: Partial<Record<GameDayPhase, PhaseEntry>>;
  /**
   * Set by start-traffic: when the schedules were enabled and when the first acknowledgment was seen; `stoppedAt`
   * when a clean-up disabled them (a pause when the game day has no verdict yet: start-traffic runs again).
   */
  readonly traffic?: { readonly startedAt: string; readonly firstAckAt?: string; readonly stoppedAt?: string };
  /** Set by inject. */
  readonly experiment?: {
    readonly id: string;
    readonly region: string;
    readonly templateId: string;
    readonly startedAt: string;
    /**
     * When its first action started, once the experiment ran with every fault action running: the fault fired
     * (review 16c S3). Absent when the fault did not run as planned.
     */
    readonly firedAt?: string;
    /** The experiment's status when last read (inject, failover, score): FIS `ExperimentState.status`. */
    readonly status?: string;
    /** FIS `ExperimentState.reason` when last read, e.g. the stop condition that stopped it. */
    readonly reason?: string;
    /** When the experiment ended (FIS `endTime`), once it has: the fault's end. */
    readonly endedAt?: string;
  };
  /** Set by failover. */
  readonly failover?: {
    readonly executionId: string;
    readonly status: string;
    readonly startedAt: string;
    readonly endedAt?: string;
    /** When traffic moved (the routing step ended), when writers moved (the database step ended). */
    readonly trafficMovedAt?: string;
    readonly writersMovedAt?: string;
  };
  /** Set by await-return once the failed Region answers again. */
  readonly returnedAt?: string;
  /** Set by recover. */
  readonly recover?: { readonly executionId: string; readonly status: string; readonly reportPrefix: string };
  /** Set by the phase that decided it. */
  readonly verdict?: GameDayVerdict;
  readonly verdictReasons?: readonly string[];
  readonly evidenceUrl?: string;
}

const instant = z.iso.datetime({ offset: true });
const phaseEntry = z.strictObject({
  status: z.enum(['succeeded', 'failed', 'inconclusive']),
  at: instant,
  summary: z.string(),
  by: z.strictObject({ actor: z.string(), approver: z.string().optional() }).optional(),
});

const recordSchema = z.strictObject({
  format: z.literal(GAMEDAY_RECORD_FORMAT),
  gameDayId: z.string(),
  failedRegion: z.string(),
  survivingRegion: z.string(),
  actor: z.string(),
  approver: z.string().optional(),
  reason: z.string().optional(),
  createdAt: instant,
  targets: z.strictObject({ rtoSeconds: z.number().positive(), rpoSeconds: z.number().nonnegative() }).optional(),
  phases: z.partialRecord(z.enum(GAMEDAY_PHASES), phaseEntry),
  traffic: z
    .strictObject({ startedAt: instant, firstAckAt: instant.optional(), stoppedAt: instant.optional() })
    .optional(),
  experiment: z
    .strictObject({
      id: z.string().min(1),
      region: z.string(),
      templateId: z.string().min(1),
      startedAt: instant,
      firedAt: instant.optional(),
      status: z.string().optional(),
      reason: z.string().optional(),
      endedAt: instant.optional(),
    })
    .optional(),
  failover: z
    .strictObject({
      executionId: z.string().min(1),
      status: z.string(),
      startedAt: instant,
      endedAt: instant.optional(),
      trafficMovedAt: instant.optional(),
      writersMovedAt: instant.optional(),
    })
    .optional(),
  returnedAt: instant.optional(),
  recover: z.strictObject({ executionId: z.string().min(1), status: z.string(), reportPrefix: z.string() }).optional(),
  verdict: z.enum(['PASSED', 'FAILED', 'INCONCLUSIVE']).optional(),
  verdictReasons: z.array(z.string()).optional(),
  evidenceUrl: z.string().optional(),
}) satisfies z.ZodType<GameDayRecord>;

/** A stored record that cannot be used: unreadable, or of another game day. */
export class GameDayRecordError extends Error {
  override readonly name = 'GameDayRecordError';
}

/** A new record for `input`, keeping the targets it starts with. */
export function newGameDayRecord(input: GameDayInput, now: Date, targets?: ScoreTargets): GameDayRecord {
  return {
    format: GAMEDAY_RECORD_FORMAT,
    gameDayId: input.gameDayId,
    failedRegion: input.failedRegion,
    survivingRegion: input.survivingRegion,
    actor: input.actor,
    ...(input.approver ? { approver: input.approver } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    createdAt: now.toISOString(),
    ...(targets ? { targets: { rtoSeconds: targets.rtoSeconds, rpoSeconds: targets.rpoSeconds } } : {}),
    phases: {},
  };
}

/**
 * Reads a stored record and checks it belongs to this game day (its id and Regions).
 *
 * @param text the object's text; `where` names it in messages (its `s3://` URL).
 * @throws GameDayRecordError naming the field, the value and what is accepted.
 */
export function parseGameDayRecord(text: string, where: string, input: GameDayInput): GameDayRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GameDayRecordError(`${where}: is not JSON; accepted: a game-day record (${GAMEDAY_RECORD_FORMAT})`);
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || '(record)';
      const value = issue.path.reduce<unknown>(
        (at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined),
        json,
      );
      return `${field}: ${JSON.stringify(value) ?? 'missing'} (${issue.message})`;
    });
    throw new GameDayRecordError(
      `${where}: not a valid game-day record: ${problems.join('; ')}; accepted: a ${GAMEDAY_RECORD_FORMAT} record as the game day's phases write it`,
    );
  }
  const record = parsed.data as GameDayRecord;
  for (const field of ['gameDayId', 'failedRegion', 'survivingRegion'] as const) {
    if (record[field] !== input[field]) {
      throw new GameDayRecordError(
        `${where}: ${field} is "${record[field]}"; accepted: "${input[field]}" (the record of another game day is never used; dispatch with the inputs that game day was started with)`,
      );
    }
  }
  return record;
}
