import { CHAINED_SESSION_MAX_SECONDS } from '../../../pipeline/job-limits';
import { GAMEDAY_ID_PATTERN, GAMEDAY_PHASES, type GameDayPhase } from '../../../runbooks/gameday/gameday-phases';
import {
  booleanText,
  type GetInput,
  InputReader,
  listOf,
  matching,
  oneOf,
  regionName,
  resourceNamePart,
  text,
  wholeNumber,
} from '../cli-support/action-inputs';
import { reasonText } from '../failover/failover-inputs';

/** The verdicts a game day ends with (`GameDayVerdict`), as the clean-up job is handed the earlier jobs' one. */
export const GAMEDAY_VERDICTS = ['PASSED', 'FAILED', 'INCONCLUSIVE'] as const;

/** The phases a resumed game day may continue at: every one but `preflight` (a new game day starts there). */
export const RESUMABLE_PHASES = GAMEDAY_PHASES.filter((phase) => phase !== 'preflight');

/** The longest `await-return` follows the old Region in one job, in minutes: its credentials last 55. */
export const MAX_WAIT_MINUTES = 50;

/**
 * The minutes a phase job keeps after the deadlines of its phases (`phase_minutes`): the record write, the job
 * summary and the outputs happen after a phase's waits end, still within the job's credentials (review 16d G4).
 */
export const PHASE_MARGIN_MINUTES = 5;

/**
 * The longest deadline a phase may be given: a role session lasts at most an hour (the game-day role is created with
 * one), less {@link PHASE_MARGIN_MINUTES}.
 */
export const MAX_PHASE_MINUTES = CHAINED_SESSION_MAX_SECONDS / 60 - PHASE_MARGIN_MINUTES;

/** A DNS name such as `www.shop.example.com` (config `hostName`.`domainName`, as config/load-config.ts accepts them). */
const hostNameText = matching(
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
  'a lowercase DNS name such as "www.shop.example.com" (config hostName.domainName)',
  'is not a DNS name',
);

/** The validated inputs of the game-day CLI. */
export interface GameDayCliInputs {
  /** The phase this step runs. */
  readonly phase: GameDayPhase;
  /** The Region the fault hits: one of the two configured Regions. */
  readonly failedRegion: string;
  /** The other configured Region: it takes over and keeps the game-day record. */
  readonly survivingRegion: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Plan and preflight only (`runGameDayPhase`'s `dryRun`). @default true */
  readonly dryRun: boolean;
  /** Why the game day runs (change or ticket id); shown in every job summary. */
  readonly reason: string;
  readonly appName: string;
  readonly envName: string;
  /**
   * The game day this dispatch continues (the `game_day_id` input), when it resumes one; undefined for a new one.
   */
  readonly resumedGameDayId?: string;
  /** Where this dispatch starts: `preflight` for a new game day, a {@link RESUMABLE_PHASES} one for a resumed one. */
  readonly resumeAt: GameDayPhase;
  /**
   * The game day the phase acts on: the validate job's output (a new id, or the resumed one). Required for a phase;
   * the validate step itself has none yet.
   */
  readonly gameDayId?: string;
  /** The approval Environment whose reviewer is named as the approver. */
  readonly environment?: string;
  /** How long `await-return` follows the old Region in this job before it stops (resumable). @default 50 */
  readonly waitMinutes: number;
  /**
   * The phase's deadline, in minutes from its start (`GameDaySettings.phaseMinutes`): every wait and runbook it follows
   * ends by then. The workflow gives each phase its share of its job's credentials less {@link PHASE_MARGIN_MINUTES}
   * (review 16d G4). Required for a phase; the validate step runs none.
   */
  readonly phaseMinutes?: number;
  /**
   * The shop's public host name (config `hostName`.`domainName`): the Host and TLS server name of a request to a load
   * balancer with a certificate (review 16d G5).
   */
  readonly publicHostName?: string;
  /** The Regions whose load balancer has a certificate (config `certificateArns`): reached over HTTPS. */
  readonly httpsRegions: readonly string[];
  /**
   * The run attempt in which the `approve` job ran (its output `attempt`): a phase acts only in that attempt
   * (gameday-approval.ts). Undefined in the validate step, and when the workflow gave none (then every phase but
   * clean-up refuses).
   */
  readonly approvedAttempt?: number;
  /** For `clean-up`: the verdict an earlier job of the run reached, if any. */
  readonly verdict?: (typeof GAMEDAY_VERDICTS)[number];
  /** Check the inputs, print the game day's id and phases, call nothing. */
  readonly validateOnly: boolean;
  /** Days the evidence pack stays under object lock (config `gameDays.evidenceRetentionDays`). */
  readonly evidenceRetentionDays: number;
  /** The RTO the score judges against (config `rtoTargetMinutes`). */
  readonly rtoTargetMinutes: number;
  /** The RPO the score judges against (config `rpoTargetSeconds`). */
  readonly rpoTargetSeconds: number;
}

const gameDayIdText = matching(
  GAMEDAY_ID_PATTERN,
  'a game-day id such as "gd-20261207T043000Z-a1b2" (gd-, the UTC start time, 4 lowercase letters or digits)',
  'is not a game-day id',
);

/**
 * Reads and validates the game-day inputs (see pipeline/README.md, "Game day workflow"); nothing is called when one is
 * invalid.
 *
 * @throws InputError listing every invalid input, each with the value received and what is accepted.
 */
export function readGameDayInputs(getInput: GetInput): GameDayCliInputs {
  const reader = new InputReader(getInput);
  const validateOnly = reader.optional('validate_only', booleanText, false);
  const phase = reader.required('phase', oneOf(GAMEDAY_PHASES));
  const failedRegion = reader.required('failed_region', regionName);
  const primaryRegion = reader.required('primary_region', regionName);
  const standbyRegion = reader.required('standby_region', regionName);
  const dryRun = reader.optional('dry_run', booleanText, true);
  const reason = reader.required('reason', reasonText);
  const appName = reader.required('app_name', resourceNamePart);
  const envName = reader.required('env_name', resourceNamePart);
  const resumedGameDayId = reader.optional('game_day_id', gameDayIdText, undefined);
  const resumeAt = reader.optional('resume_at', oneOf(GAMEDAY_PHASES), 'preflight');
  const gameDayId = reader.optional('run_game_day_id', gameDayIdText, undefined);
  const environment = reader.optional('environment', text(255), undefined);
  const waitMinutes = reader.optional('wait_minutes', wholeNumber(1, MAX_WAIT_MINUTES), MAX_WAIT_MINUTES);
  const phaseMinutes = reader.optional('phase_minutes', wholeNumber(1, MAX_PHASE_MINUTES), undefined);
  const publicHostName = reader.optional('public_host_name', hostNameText, undefined);
  const httpsRegions = reader.optional('https_regions', listOf(regionName, 2), [] as readonly string[]);
  const verdict = reader.optional('verdict', oneOf(GAMEDAY_VERDICTS), undefined);
  const approvedAttempt = reader.optional('approved_attempt', wholeNumber(1, 1_000_000), undefined);
  // The ranges config/load-config.ts accepts for the same fields.
  const evidenceRetentionDays = reader.required('evidence_retention_days', wholeNumber(1, 36500));
  const rtoTargetMinutes = reader.required('rto_target_minutes', wholeNumber(1, 1440));
  const rpoTargetSeconds = reader.required('rpo_target_seconds', wholeNumber(1, 86400));

  if (primaryRegion && standbyRegion && primaryRegion === standbyRegion) {
    reader.problem(
      `standby_region: "${standbyRegion}" equals primary_region; accepted: a Region other than "${primaryRegion}"`,
    );
  } else if (failedRegion && primaryRegion && standbyRegion && ![primaryRegion, standbyRegion].includes(failedRegion)) {
    reader.problem(
      `failed_region: "${failedRegion}" is not a Region of this deployment; accepted: "${primaryRegion}" (primary) or "${standbyRegion}" (standby)`,
    );
  }
  const foreign = (httpsRegions ?? []).filter((region) => ![primaryRegion, standbyRegion].includes(region));
  if (primaryRegion && standbyRegion && foreign.length > 0) {
    reader.problem(
      `https_regions: ${foreign.map((region) => JSON.stringify(region)).join(', ')} ${foreign.length === 1 ? 'is not a Region' : 'are not Regions'} of this deployment; accepted: Regions among "${primaryRegion}" (primary) and "${standbyRegion}" (standby), separated by commas, or none`,
    );
  }
  if ((httpsRegions ?? []).length > 0 && publicHostName === undefined && !reader.failed) {
    reader.problem(
      `public_host_name: no value given with https_regions "${httpsRegions.join(',')}"; accepted: the shop’s public host name (config hostName.domainName), which its certificates name`,
    );
  }
  if (!validateOnly && phaseMinutes === undefined && getInput('phase_minutes').trim() === '') {
    reader.problem(
      `phase_minutes: no value given; accepted: a whole number from 1 to ${MAX_PHASE_MINUTES} (the workflow gives each phase its share of its job’s credentials, less ${PHASE_MARGIN_MINUTES} minutes for the record)`,
    );
  }
  if (resumedGameDayId === undefined && resumeAt !== undefined && resumeAt !== 'preflight') {
    reader.problem(
      `resume_at: "${resumeAt}" without game_day_id; accepted: "preflight" for a new game day, or game_day_id set to the game day to resume`,
    );
  }
  if (resumedGameDayId !== undefined && resumeAt === 'preflight') {
    reader.problem(
      `resume_at: "preflight" with game_day_id "${resumedGameDayId}"; accepted: one of ${RESUMABLE_PHASES.join(', ')} (the phase the last run's summary names), or no game_day_id to start a new game day`,
    );
  }
  if (resumedGameDayId !== undefined && dryRun === true) {
    reader.problem(
      `dry_run: "true" with game_day_id "${resumedGameDayId}"; accepted: "false" to resume a game day (a dry run plans and checks a new one only)`,
    );
  }
  if (!validateOnly && gameDayId === undefined && !reader.failed) {
    reader.problem(
      'run_game_day_id: no value given; accepted: the game-day id the validate job printed (the workflow passes it to every phase)',
    );
  }
  if (resumedGameDayId !== undefined && gameDayId !== undefined && gameDayId !== resumedGameDayId) {
    reader.problem(`run_game_day_id: "${gameDayId}" is not the resumed game day; accepted: "${resumedGameDayId}"`);
  }
  reader.finish();
  return {
    phase,
    failedRegion,
    survivingRegion: failedRegion === primaryRegion ? standbyRegion : primaryRegion,
    primaryRegion,
    standbyRegion,
    dryRun,
    reason,
    appName,
    envName,
    resumeAt,
    waitMinutes,
    validateOnly,
    evidenceRetentionDays,
    rtoTargetMinutes,
    rpoTargetSeconds,
    httpsRegions,
    ...(phaseMinutes === undefined ? {} : { phaseMinutes }),
    ...(publicHostName === undefined ? {} : { publicHostName }),
    ...(resumedGameDayId === undefined ? {} : { resumedGameDayId }),
    ...(gameDayId === undefined ? {} : { gameDayId }),
    ...(environment === undefined ? {} : { environment }),
    ...(verdict === undefined ? {} : { verdict }),
    ...(approvedAttempt === undefined ? {} : { approvedAttempt }),
  };
}

/**
 * The phases one dispatch runs, in order: a dry run only `preflight` (nothing is changed, so nothing to clean up);
 * a new game day every phase; a resumed one from `resumeAt` on (never `preflight` again: the old Region may still be
 * down).
 */
export function phasesToRun(inputs: Pick<GameDayCliInputs, 'dryRun' | 'resumeAt'>): GameDayPhase[] {
  if (inputs.dryRun) return ['preflight'];
  return GAMEDAY_PHASES.slice(GAMEDAY_PHASES.indexOf(inputs.resumeAt));
}

/**
 * A new game-day id (contract section 1: `gd-<UTC start, yyyyMMddTHHmmssZ>-<4 random lowercase letters or digits>`).
 *
 * @param random returns a number in [0, 1), like Math.random
 */
export function newGameDayId(now: Date, random: () => number = Math.random): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = Array.from({ length: 4 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  return `gd-${stamp}-${suffix}`;
}
