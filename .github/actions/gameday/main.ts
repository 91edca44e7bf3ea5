import * as core from '@actions/core';
import { InputError } from '../cli-support/action-inputs';
import { type Clock, systemClock } from '../cli-support/clock';
import { exitCodeOf } from '../cli-support/exit-codes';
import { currentRunActors, currentRunUrl } from '../cli-support/github-run';
import { writeJobSummary } from '../cli-support/job-summary';
import { readEnvironmentApproval } from '../cli-support/run-approvals';
import { awsPhaseRunner, type PhaseRunner } from './aws-phase-runner';
import { actingPeople, decideApproval } from './gameday-approval';
import { readGameDayInputs } from './gameday-inputs';
import { type GameDayStepDependencies, type GameDayStepResult, refusedStep, runGameDayStep } from './gameday-step';

/** What tests replace: the clock and the phase runner. */
export interface GameDayOverrides {
  readonly clock?: Clock;
  readonly runPhase?: GameDayStepDependencies['runPhase'];
}

/**
 * The game-day CLI, one step of gameday.yml: validates the inputs (exit 2 naming each invalid one, before any AWS
 * call), then either names the game day and its phases (`validate_only`) or runs one phase with `runGameDayPhase` over
 * the AWS ports of the two Regions, writes the job summary (the verdict in every one, the evidence link when there is
 * one) and sets the outputs `game_day_id`, `phases`, `status`, `verdict`, `evidence_url`. Before a phase other than
 * clean-up it reads the run's review history and refuses (exit 2, no AWS call) unless the approval Environment was
 * approved in this run attempt by someone other than who started the run (gameday-approval.ts). Exit 1 for a failed
 * or inconclusive phase and a FAILED or INCONCLUSIVE verdict; 3 when an AWS call failed after its retries.
 * pipeline/README.md, "Game day workflow".
 */
export async function run(overrides: GameDayOverrides = {}): Promise<void> {
  const { actor, triggeringActor } = currentRunActors();
  const runAttempt = process.env['GITHUB_RUN_ATTEMPT'];
  try {
    const inputs = readGameDayInputs((name) => core.getInput(name));
    const clock = overrides.clock ?? systemClock;
    const log = (line: string) => core.info(line);
    const people = actingPeople(actor, triggeringActor, runAttempt);
    if (inputs.validateOnly) {
      await report(await runGameDayStep(inputs, { runPhase: refuse, clock, actor: people, log }));
      return;
    }
    const environment = inputs.environment ?? '';
    const approval = environment ? await readEnvironmentApproval(environment) : undefined;
    const decision = decideApproval({
      phase: inputs.phase,
      environment: environment || '(no environment input)',
      approval,
      ...(actor ? { actor } : {}),
      ...(triggeringActor ? { triggeringActor } : {}),
      ...(runAttempt ? { runAttempt } : {}),
      ...(inputs.approvedAttempt === undefined ? {} : { approvedAttempt: inputs.approvedAttempt }),
    });
    if (decision.kind === 'refused') {
      // Nothing is built or called: no AWS client exists yet.
      await report(refusedStep(inputs, decision.problems, { actor: people }));
      return;
    }
    const approver = decision.approvers.length > 0 ? decision.approvers.join(', ') : undefined;
    const runUrl = currentRunUrl();
    const runner: PhaseRunner = overrides.runPhase
      ? { runPhase: overrides.runPhase, awsFailureOf: () => undefined }
      : awsPhaseRunner(inputs, log, runUrl);
    const result = await runGameDayStep(inputs, {
      runPhase: runner.runPhase,
      awsFailureOf: runner.awsFailureOf,
      ...(runner.freeze ? { freeze: runner.freeze } : {}),
      clock,
      actor: people,
      ...(approver ? { approver } : {}),
      log,
    });
    await report(result);
  } catch (error) {
    // Invalid inputs (exit 2) and anything unexpected: the summary says what stopped the step.
    const message = error instanceof Error ? error.message : String(error);
    const problems = error instanceof InputError ? error.problems : [message];
    await report({
      summary: {
        title: `Game day: ${core.getInput('phase') || 'step'} stopped before it started`,
        blocks: [...problems, 'Verdict: not reached (nothing was called).'],
      },
      outputs: {},
      exitCode: exitCodeOf(error),
      failure: message,
    });
  }
}

/** The validate step runs no phase. */
const refuse: GameDayStepDependencies['runPhase'] = async (phase) => {
  throw new Error(`the validate step runs no phase (asked for ${phase})`);
};

/**
 * Writes the job summary (HTML-escaped, cli-support/job-summary.ts, review 16d G9) and the outputs, and fails the step
 * when the result says so.
 */
async function report(result: GameDayStepResult): Promise<void> {
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value);
  const runUrl = currentRunUrl();
  const summary = runUrl
    ? { ...result.summary, blocks: [...result.summary.blocks, { label: 'This run', href: runUrl }] }
    : result.summary;
  try {
    await writeJobSummary(summary);
  } catch (error) {
    core.warning(`The job summary could not be written: ${String(error)}`);
  }
  if (result.failure !== undefined) core.setFailed(result.failure);
  process.exitCode = result.exitCode;
}

if (require.main === module) void run();
