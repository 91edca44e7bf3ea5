import type { GameDayInput, GameDayPhase, PhaseOutcome } from '../../../runbooks/gameday/gameday-phases';
import type { Clock } from '../cli-support/clock';
import { EXIT_CODES, exitCodeOf } from '../cli-support/exit-codes';
import type { JobSummary, SummaryBlock } from '../cli-support/job-summary';
import { isAwsFailure } from './aws-phase-runner';
import type { GameDayFreezePort } from './gameday-freeze';
import { type GameDayCliInputs, newGameDayId, phasesToRun } from './gameday-inputs';

/** The phases before which a real game day freezes deploys: the traffic, then the fault (review 16d G11). */
export const FREEZING_PHASES: readonly GameDayPhase[] = ['start-traffic', 'inject'];

/** What one step of gameday.yml needs besides its inputs: the phase runner (AWS in the job, in memory in tests). */
export interface GameDayStepDependencies {
  /** `runGameDayPhase` with the AWS ports of the job's Regions. */
  readonly runPhase: (phase: GameDayPhase, input: GameDayInput) => Promise<PhaseOutcome>;
  /**
   * The deploy freeze around the fault (review 16d G11): set before start-traffic and inject of a real game day,
   * lifted after clean-up unless a failover happened. Absent: no freeze is touched (tests of other concerns).
   */
  readonly freeze?: GameDayFreezePort;
  /** The AWS failure that made an outcome fail, if any (aws-phase-runner.ts): the step then exits 3. */
  readonly awsFailureOf?: (outcome: PhaseOutcome) => string | undefined;
  readonly clock: Clock;
  /** Makes a new game-day id's 4 random characters; @default Math.random */
  readonly random?: () => number;
  /** The GitHub actor who dispatched the run. */
  readonly actor: string;
  /** Who approved the approval Environment, when the review history says so. */
  readonly approver?: string;
  readonly log: (line: string) => void;
}

/** What a step did: its job summary, its outputs and how it exits. */
export interface GameDayStepResult {
  /**
   * The job summary: the game day, the phase, the verdict, the evidence link, how to go on. Written through
   * cli-support/job-summary.ts like the failover CLI's (review 16d G9): every text is HTML-escaped, so the dispatch's
   * reason and AWS's error text show as text, never as Markdown links or HTML.
   */
  readonly summary: JobSummary;
  /** `game_day_id`, `phases` (validate); `verdict`, `evidence_url`, `status` (a phase). */
  readonly outputs: Readonly<Record<string, string>>;
  /**
   * 0; 1 for a failed or inconclusive phase and a FAILED or INCONCLUSIVE verdict; 2 for a refused step (invalid inputs,
   * no approval of this attempt); 3 when an AWS call failed after its retries (see exit-codes.ts).
   */
  readonly exitCode: number;
  /** Why the step failed (for `core.setFailed`), when it did. */
  readonly failure?: string;
}

/**
 * The line that tells a person how to go on with this game day after `phase` stopped: a new dispatch (a new
 * approval) resuming at that phase, or, when preflight stopped, a new game day (preflight is never resumed: the
 * validation refuses `resume_at: preflight` with a `game_day_id`). Never "re-run the failed jobs": a re-run is not
 * approved again, so its phases refuse (review 16d G1, G7).
 */
export function resumeLine(inputs: GameDayCliInputs, gameDayId: string, phase: GameDayPhase): string {
  if (phase === 'preflight') {
    return `To go on: dispatch gameday.yml again for a new game day (no game_day_id), with failed_region ${inputs.failedRegion}: game day ${gameDayId} changed nothing before its preflight succeeded. Re-running the failed jobs of this run does not work: a re-run is not approved again.`;
  }
  return `To go on: dispatch gameday.yml again with failed_region ${inputs.failedRegion}, dry_run false, game_day_id ${gameDayId} and resume_at ${phase} (a new run asks for a new approval; re-running the failed jobs of this run does not work: a re-run is not approved again).`;
}

/** The title and the first blocks of every summary: which game day, what it does, who. */
function header(
  inputs: GameDayCliInputs,
  gameDayId: string,
  deps: Pick<GameDayStepDependencies, 'actor' | 'approver'>,
): Pick<JobSummary, 'title'> & { readonly blocks: string[] } {
  return {
    title: `Game day ${gameDayId}: ${inputs.phase}${inputs.dryRun ? ' (dry run)' : ''}`,
    blocks: [
      `Fault in: ${inputs.failedRegion}; takes over: ${inputs.survivingRegion}`,
      `Reason: ${inputs.reason}`,
      `Dispatched by: ${deps.actor || 'unknown'}; approved by: ${deps.approver ?? 'not read (see the run’s approval)'}`,
    ],
  };
}

/** Markdown a phase returned (C's `PhaseOutcome.summary`), as paragraphs of plain text (escaped when written). */
function paragraphs(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
}

/** Who runs the game day and how a new id is made: what {@link validateStep} and {@link phaseStepResult} need. */
export type GameDayStepContext = Pick<GameDayStepDependencies, 'actor' | 'approver' | 'random'> & {
  readonly now: Date;
};

/**
 * The validate step (`validate_only`): names the game day (the resumed id, or a new one) and the phases this dispatch
 * runs, as the outputs `game_day_id` and `phases` (a JSON array the jobs' `if:` look into). No AWS call.
 */
export function validateStep(inputs: GameDayCliInputs, context: GameDayStepContext): GameDayStepResult {
  const gameDayId = inputs.resumedGameDayId ?? newGameDayId(context.now, context.random);
  const phases = phasesToRun(inputs);
  const head = header({ ...inputs, phase: 'preflight' }, gameDayId, context);
  return {
    summary: {
      title: head.title,
      blocks: [
        ...head.blocks,
        `Phases of this run: ${phases.join(' → ')}${inputs.resumedGameDayId ? ` (resumed at ${inputs.resumeAt})` : ''}`,
        'Verdict: not yet (the game day waits for its approval).',
      ],
    },
    outputs: { game_day_id: gameDayId, phases: JSON.stringify(phases) },
    exitCode: 0,
  };
}

/**
 * A phase step that must not act (review 16d G1, G2): no approval of this attempt by someone other than who started
 * the run. Exit 2, as for invalid inputs: nothing was called.
 */
export function refusedStep(
  inputs: GameDayCliInputs,
  problems: readonly string[],
  context: Pick<GameDayStepDependencies, 'actor' | 'approver'>,
): GameDayStepResult {
  const gameDayId = inputs.gameDayId!;
  const head = header(inputs, gameDayId, context);
  return {
    summary: {
      title: `${head.title}: refused, no approval of this run attempt`,
      blocks: [
        ...head.blocks,
        ...problems,
        'Verdict: not reached (nothing was called).',
        resumeLine(inputs, gameDayId, inputs.phase),
      ],
    },
    outputs: { status: 'refused' },
    exitCode: EXIT_CODES.invalidInput,
    failure: `${inputs.phase} of game day ${gameDayId} refused: ${problems.join('; ')}`,
  };
}

/**
 * What a phase step reports once its phase returned `outcome`: its summary, outputs and exit. It fails (exit 1) when
 * the phase failed or was inconclusive, and (but for clean-up, which repeats the game day's verdict) when it reached a
 * FAILED or INCONCLUSIVE verdict; with exit 3 when `awsFailure` says an AWS call failed after its retries and made the
 * phase fail (review 16d G8).
 */
export function phaseStepResult(
  inputs: GameDayCliInputs,
  outcome: PhaseOutcome,
  context: Pick<GameDayStepDependencies, 'actor' | 'approver'> & {
    readonly awsFailure?: string;
    /** Sentences of the CLI's own about this step (the deploy freeze). */
    readonly notes?: readonly string[];
  },
): GameDayStepResult {
  const gameDayId = inputs.gameDayId!;
  const verdict = outcome.verdict ?? (inputs.phase === 'clean-up' ? inputs.verdict : undefined);
  const verdictLine =
    verdict !== undefined
      ? `Verdict: ${verdict}`
      : inputs.phase === 'clean-up'
        ? 'Verdict: none (the game day stopped before a verdict; its record keeps where it stopped).'
        : 'Verdict: not yet (the score phase gives it).';
  // Clean-up repeats the game day's verdict; its own exit says only whether it cleaned up (the job that reached a
  // FAILED or INCONCLUSIVE verdict has failed already).
  const failed =
    outcome.status !== 'succeeded' ||
    (inputs.phase !== 'clean-up' && outcome.verdict !== undefined && outcome.verdict !== 'PASSED');
  const awsFailed = failed && outcome.status === 'failed' && outcome.verdict === undefined && !!context.awsFailure;
  const head = header(inputs, gameDayId, context);
  const blocks: SummaryBlock[] = [
    ...head.blocks,
    verdictLine,
    ...paragraphs(outcome.summary),
    ...(awsFailed ? [`An AWS call failed after its retries: ${context.awsFailure}`] : []),
    ...(context.notes ?? []),
    ...(outcome.evidenceUrl ? [{ label: 'Evidence pack (evidence.html)', href: outcome.evidenceUrl }] : []),
    ...(failed && outcome.verdict === undefined && inputs.phase !== 'clean-up'
      ? [resumeLine(inputs, gameDayId, inputs.phase)]
      : []),
  ];
  return {
    summary: { title: head.title, blocks },
    outputs: {
      status: outcome.status,
      verdict: verdict ?? '',
      evidence_url: outcome.evidenceUrl ?? '',
    },
    exitCode: awsFailed ? EXIT_CODES.awsCallFailed : failed ? EXIT_CODES.checkFailed : 0,
    ...(failed
      ? {
          failure: `${inputs.phase} of game day ${gameDayId}: ${outcome.status}${outcome.verdict ? `, verdict ${outcome.verdict}` : ''}${awsFailed ? ' (an AWS call failed)' : ''}`,
        }
      : {}),
  };
}

/**
 * Runs one step of gameday.yml.
 *
 * - `validate_only`: names the game day (the resumed id, or a new one) and the phases this dispatch runs; no AWS call.
 * - a phase: `runGameDayPhase` (await-return waits for the old Region itself, for at most `waitMinutes`: main.ts
 *   passes it as the ports' `returnWaitMinutes`).
 *
 * The step fails (exit 1) when the phase failed or was inconclusive, or when it reached a FAILED or INCONCLUSIVE
 * verdict; a verdict is named in every summary (the one reached, or that none is reached yet). A phase that throws
 * fails with the exit code of its error and a summary that says where to resume.
 */
export async function runGameDayStep(
  inputs: GameDayCliInputs,
  deps: GameDayStepDependencies,
): Promise<GameDayStepResult> {
  if (inputs.validateOnly) {
    const result = validateStep(inputs, { ...deps, now: deps.clock.now() });
    deps.log(
      `inputs valid: game day ${result.outputs['game_day_id']}, fault in ${inputs.failedRegion}, phases ${result.outputs['phases']}`,
    );
    return result;
  }
  const gameDayId = inputs.gameDayId!;
  const input: GameDayInput = {
    gameDayId,
    failedRegion: inputs.failedRegion,
    survivingRegion: inputs.survivingRegion,
    actor: deps.actor,
    ...(deps.approver ? { approver: deps.approver } : {}),
    dryRun: inputs.dryRun,
  };
  const stopped = (what: string, error: unknown): GameDayStepResult => {
    const message = error instanceof Error ? error.message : String(error);
    const head = header(inputs, gameDayId, deps);
    return {
      summary: {
        title: head.title,
        blocks: [
          ...head.blocks,
          `${what}: ${message}`,
          'Verdict: not reached (the phase did not complete).',
          resumeLine(inputs, gameDayId, inputs.phase),
        ],
      },
      outputs: { status: 'error' },
      // An AWS call that failed after its retries exits 3 (pipeline/README.md), whoever wrapped it.
      exitCode: isAwsFailure(error) ? EXIT_CODES.awsCallFailed : exitCodeOf(error),
      failure: `${inputs.phase} of game day ${gameDayId} stopped: ${message}`,
    };
  };
  const notes: string[] = [];
  const freeze = inputs.dryRun ? undefined : deps.freeze;
  if (freeze && FREEZING_PHASES.includes(inputs.phase)) {
    // Before the fault: no deploy wave may start in the Region FIS is about to isolate (review 16d G11).
    try {
      notes.push(await freeze.set(input, inputs.reason));
    } catch (error) {
      return stopped(`${inputs.phase} not started: the deploy freeze could not be set`, error);
    }
  }
  let outcome: PhaseOutcome;
  try {
    outcome = await deps.runPhase(inputs.phase, input);
  } catch (error) {
    return stopped(`${inputs.phase} stopped with an error`, error);
  }
  let liftFailure: unknown;
  if (freeze && inputs.phase === 'clean-up' && outcome.status !== 'succeeded') {
    notes.push(
      'The deploy freeze stays: the clean-up did not complete (the experiment or the shoppers may still run); run the clean-up again.',
    );
  } else if (freeze && inputs.phase === 'clean-up') {
    try {
      notes.push(await freeze.liftUnlessFailedOver(input));
    } catch (error) {
      liftFailure = error;
      notes.push(error instanceof Error ? error.message : String(error));
    }
  }
  const awsFailure = deps.awsFailureOf?.(outcome);
  const result = phaseStepResult(inputs, outcome, { ...deps, notes, ...(awsFailure ? { awsFailure } : {}) });
  if (liftFailure === undefined) return result;
  return {
    ...result,
    exitCode: exitCodeOf(liftFailure),
    failure: `clean-up of game day ${gameDayId}: the deploy freeze was not lifted everywhere`,
  };
}
