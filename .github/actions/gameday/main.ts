import * as core from '@actions/core';
import { InputError } from '../cli-support/action-inputs';
import { type Clock, systemClock } from '../cli-support/clock';
import { exitCodeOf } from '../cli-support/exit-codes';
import { currentRunActors, currentRunUrl } from '../cli-support/github-run';
import { readEnvironmentApproval } from '../cli-support/run-approvals';
import { awsPhaseRunner } from './aws-phase-runner';
import { readGameDayInputs } from './gameday-inputs';
import { type GameDayStepDependencies, type GameDayStepResult, runGameDayStep } from './gameday-step';

/** What tests replace: the clock and the phase runner. */
export interface GameDayOverrides {
  readonly clock?: Clock;
  readonly runPhase?: GameDayStepDependencies['runPhase'];
}

/**
 * The game-day CLI, one step of gameday.yml: validates the inputs (exit 2 naming each invalid one, before any AWS
 * call), then either names the game day and its phases (`validate_only`) or runs one phase with `runGameDayPhase` over
 * the AWS ports of the two Regions, writes the job summary (the verdict in every one, the evidence link when there is
 * one) and sets the outputs `game_day_id`, `phases`, `status`, `verdict`, `evidence_url`. Exit 1 for a failed or
 * inconclusive phase and a FAILED or INCONCLUSIVE verdict; 3 when AWS could not be called. pipeline/README.md, "Game
 * day workflow".
 */
export async function run(overrides: GameDayOverrides = {}): Promise<void> {
  const { actor, triggeringActor } = currentRunActors();
  try {
    const inputs = readGameDayInputs((name) => core.getInput(name));
    const environment = inputs.environment;
    const approval = !inputs.validateOnly && environment ? await readEnvironmentApproval(environment) : undefined;
    const approver = approval?.kind === 'approved' ? approval.by.map((entry) => entry.login).join(', ') : undefined;
    const clock = overrides.clock ?? systemClock;
    const log = (line: string) => core.info(line);
    const runUrl = currentRunUrl();
    const runPhase = overrides.runPhase ?? awsPhaseRunner(inputs, log, runUrl);
    const result = await runGameDayStep(inputs, {
      runPhase,
      clock,
      actor: actor ?? triggeringActor ?? '',
      ...(approver ? { approver } : {}),
      log,
    });
    await report(result);
  } catch (error) {
    // Invalid inputs (exit 2) and anything unexpected: the summary says what stopped the step.
    const message = error instanceof Error ? error.message : String(error);
    const problems = error instanceof InputError ? error.problems : [message];
    await report({
      summary: [
        `## Game day: ${core.getInput('phase') || 'step'} stopped before it started`,
        '',
        ...problems.map((problem) => `- ${problem}`),
        '',
        'Verdict: not reached (nothing was called).',
      ].join('\n'),
      outputs: {},
      exitCode: exitCodeOf(error),
      failure: message,
    });
  }
}

/** Writes the job summary and the outputs, and fails the step when the result says so. */
async function report(result: GameDayStepResult): Promise<void> {
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value);
  const runUrl = currentRunUrl();
  const summary = runUrl ? `${result.summary}\n\n[This run](${runUrl})\n` : `${result.summary}\n`;
  try {
    if (process.env['GITHUB_STEP_SUMMARY']) await core.summary.emptyBuffer().addRaw(summary).write();
    else core.info(summary);
  } catch (error) {
    core.warning(`The job summary could not be written: ${String(error)}`);
  }
  if (result.failure !== undefined) core.setFailed(result.failure);
  process.exitCode = result.exitCode;
}

if (require.main === module) void run();
