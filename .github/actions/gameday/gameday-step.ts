import type { GameDayInput, GameDayPhase, PhaseOutcome } from '../../../runbooks/gameday/gameday-phases';
import type { Clock } from '../cli-support/clock';
import { EXIT_CODES, exitCodeOf } from '../cli-support/exit-codes';
import { type GameDayCliInputs, newGameDayId, phasesToRun } from './gameday-inputs';

/** What one step of gameday.yml needs besides its inputs: the phase runner (AWS in the job, in memory in tests). */
export interface GameDayStepDependencies {
  /** `runGameDayPhase` with the AWS ports of the job's Regions. */
  readonly runPhase: (phase: GameDayPhase, input: GameDayInput) => Promise<PhaseOutcome>;
  readonly clock: Clock;
  /** Makes a new game-day id's 4 random characters; @default Math.random */
  readonly random?: () => number;
  /** The GitHub actor who dispatched the run. */
  readonly actor: string;
  /** Who approved the approval Environment, when the review history says so. */
  readonly approver?: string;
  readonly log: (line: string) => void;
}

/** What a step did: its job summary (Markdown), its outputs and how it exits. */
export interface GameDayStepResult {
  /** Markdown for the job summary: the game day, the phase, the verdict, the evidence link, how to resume. */
  readonly summary: string;
  /** `game_day_id`, `phases` (validate); `verdict`, `evidence_url`, `status` (a phase). */
  readonly outputs: Readonly<Record<string, string>>;
  /** 0, or 1 for a failed or inconclusive phase and a FAILED or INCONCLUSIVE verdict (see exit-codes.ts). */
  readonly exitCode: number;
  /** Why the step failed (for `core.setFailed`), when it did. */
  readonly failure?: string;
}

/** The line that tells a person how to go on with this game day from `phase`. */
export function resumeLine(inputs: GameDayCliInputs, gameDayId: string, phase: GameDayPhase): string {
  return `To go on: dispatch gameday.yml again with failed_region \`${inputs.failedRegion}\`, dry_run \`false\`, game_day_id \`${gameDayId}\` and resume_at \`${phase}\` (or re-run the failed jobs of this run).`;
}

/** The header lines of every summary: which game day, what it does, who. */
function header(
  inputs: GameDayCliInputs,
  gameDayId: string,
  deps: Pick<GameDayStepDependencies, 'actor' | 'approver'>,
): string[] {
  return [
    `## Game day \`${gameDayId}\`: ${inputs.phase}${inputs.dryRun ? ' (dry run)' : ''}`,
    '',
    `- Fault in: \`${inputs.failedRegion}\`; takes over: \`${inputs.survivingRegion}\``,
    `- Reason: ${inputs.reason}`,
    `- Dispatched by: ${deps.actor || 'unknown'}; approved by: ${deps.approver ?? 'not read (see the run’s approval)'}`,
  ];
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
  return {
    summary: [
      ...header({ ...inputs, phase: 'preflight' }, gameDayId, context),
      `- Phases of this run: ${phases.join(' → ')}${inputs.resumedGameDayId ? ` (resumed at ${inputs.resumeAt})` : ''}`,
      '',
      'Verdict: not yet (the game day waits for its approval).',
    ].join('\n'),
    outputs: { game_day_id: gameDayId, phases: JSON.stringify(phases) },
    exitCode: 0,
  };
}

/**
 * What a phase step reports once its phase returned `outcome`: its summary, outputs and exit. It fails (exit 1) when the phase failed or was inconclusive, and (but for
 * clean-up, which repeats the game day's verdict) when it reached a FAILED or INCONCLUSIVE verdict.
 */
export function phaseStepResult(
  inputs: GameDayCliInputs,
  outcome: PhaseOutcome,
  context: Pick<GameDayStepDependencies, 'actor' | 'approver'>,
): GameDayStepResult {
  const gameDayId = inputs.gameDayId!;
  const verdict = outcome.verdict ?? (inputs.phase === 'clean-up' ? inputs.verdict : undefined);
  const verdictLine =
    verdict !== undefined
      ? `**Verdict: ${verdict}**`
      : inputs.phase === 'clean-up'
        ? 'Verdict: none (the game day stopped before a verdict; its record keeps where it stopped).'
        : 'Verdict: not yet (the score phase gives it).';
  // Clean-up repeats the game day's verdict; its own exit says only whether it cleaned up (the job that reached a
  // FAILED or INCONCLUSIVE verdict has failed already).
  const failed =
    outcome.status !== 'succeeded' ||
    (inputs.phase !== 'clean-up' && outcome.verdict !== undefined && outcome.verdict !== 'PASSED');
  const lines = [
    ...header(inputs, gameDayId, context),
    '',
    verdictLine,
    '',
    outcome.summary,
    ...(outcome.evidenceUrl ? ['', `Evidence pack: [evidence.html](${outcome.evidenceUrl})`] : []),
    ...(failed && outcome.verdict === undefined && inputs.phase !== 'clean-up'
      ? ['', resumeLine(inputs, gameDayId, inputs.phase)]
      : []),
  ];
  return {
    summary: lines.join('\n'),
    outputs: {
      status: outcome.status,
      verdict: verdict ?? '',
      evidence_url: outcome.evidenceUrl ?? '',
    },
    exitCode: failed ? EXIT_CODES.checkFailed : 0,
    ...(failed
      ? {
          failure: `${inputs.phase} of game day ${gameDayId}: ${outcome.status}${outcome.verdict ? `, verdict ${outcome.verdict}` : ''}`,
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
  let outcome: PhaseOutcome;
  try {
    outcome = await deps.runPhase(inputs.phase, input);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      summary: [
        ...header(inputs, gameDayId, deps),
        '',
        `**${inputs.phase} stopped with an error**: ${message}`,
        '',
        'Verdict: not reached (the phase did not complete).',
        '',
        resumeLine(inputs, gameDayId, inputs.phase),
      ].join('\n'),
      outputs: { status: 'error' },
      exitCode: exitCodeOf(error),
      failure: `${inputs.phase} of game day ${gameDayId} stopped: ${message}`,
    };
  }
  return phaseStepResult(inputs, outcome, deps);
}
