import type { GameDayPhase } from '../../../runbooks/gameday/gameday-phases';
import type { EnvironmentApproval } from '../cli-support/run-approvals';

/** What the approval gate of a phase step knows: the run, its people and its review history. */
export interface ApprovalContext {
  /** The phase the step runs. */
  readonly phase: GameDayPhase;
  /** The approval Environment (`<app>-<env>-gameday`, required reviewers). */
  readonly environment: string;
  /** The run's review history as read (`readEnvironmentApproval`); undefined when it could not be asked for. */
  readonly approval: EnvironmentApproval | undefined;
  /** `GITHUB_ACTOR`: who dispatched the run. */
  readonly actor?: string;
  /** `GITHUB_TRIGGERING_ACTOR`: who started this attempt (differs from the actor on a re-run). */
  readonly triggeringActor?: string;
  /** `GITHUB_RUN_ATTEMPT` of this job. */
  readonly runAttempt?: string;
  /** The attempt in which the `approve` job ran (its output `attempt`, passed as `approved_attempt`). */
  readonly approvedAttempt?: number;
}

/** What the gate decided: the phase may act (and who approved it), or it must not. */
export type ApprovalDecision =
  | { readonly kind: 'approved'; readonly approvers: readonly string[] }
  | { readonly kind: 'refused'; readonly problems: readonly string[] };

/**
 * The approval gate of every phase but `clean-up` (review 16d G1, G2). Sources: GitHub Docs "Re-running workflows and
 * jobs" (https://docs.github.com/en/enterprise-server@3.21/actions/managing-workflow-runs/re-running-workflows-and-jobs);
 * the `GITHUB_RUN_ATTEMPT` text of GitHub's variables reference as quoted by
 * https://docs.rs/github-actions/latest/github_actions/constant.GITHUB_RUN_ATTEMPT.html; the review history's entries
 * (`environments`, `state` approved | rejected | pending, `user`, `comment`) from GitHub's OpenAPI description as
 * generated in https://docs.rs/openapi-github/latest/src/openapi_github/models/environment_approvals.rs.html.
 *
 * The phase acts only when
 *
 * - this job runs in the attempt in which the `approve` job ran. GitHub: "When you re-run failed jobs or a specific
 *   job, GitHub also re-runs the jobs that depend on them. Jobs that aren't included keep their outputs from the
 *   previous attempt" (Re-running workflows and jobs), so a "Re-run failed jobs" keeps the first attempt's approval
 *   and would act without anyone approving again, up to 30 days later; `GITHUB_RUN_ATTEMPT` is "A unique number for
 *   each attempt of a particular workflow run … increments with each re-run" (Variables reference);
 * - the run's review history ("Get the review history for a workflow run") shows `<app>-<env>-gameday` `approved`
 *   by someone who is neither the actor nor the triggering actor (a self-approval proves nothing; bootstrap also sets
 *   the Environment's `prevent_self_review`). A history that is empty, unreadable or could not be asked for refuses.
 *
 * `clean-up` is never refused: it must stop the shoppers and the experiment after anything (it only runs once the
 * game day was approved); its approvers are named when the history says so.
 */
export function decideApproval(context: ApprovalContext): ApprovalDecision {
  const people = new Set([context.actor, context.triggeringActor].filter((p): p is string => !!p));
  const approvedBy =
    context.approval?.kind === 'approved' ? [...new Set(context.approval.by.map((entry) => entry.login))] : [];
  const others = approvedBy.filter((login) => !people.has(login));
  if (context.phase === 'clean-up') return { kind: 'approved', approvers: others };

  const problems: string[] = [];
  const attempt = Number(context.runAttempt);
  if (!context.runAttempt || !Number.isInteger(attempt) || attempt < 1) {
    problems.push(
      `GITHUB_RUN_ATTEMPT: ${JSON.stringify(context.runAttempt ?? '')}; accepted: the run's attempt number, which GitHub sets in every job`,
    );
  } else if (context.approvedAttempt !== attempt) {
    problems.push(
      `run attempt ${attempt}: ${context.environment} was approved in ${context.approvedAttempt === undefined ? 'no attempt this job can see' : `attempt ${context.approvedAttempt}`}, not in this one (a re-run keeps an earlier attempt's approval and asks nobody again); accepted: a phase of the attempt whose approve job ran — dispatch gameday.yml again (it asks for a new approval)`,
    );
  }
  const approval = context.approval;
  if (approval === undefined) {
    problems.push(
      `review history of ${context.environment}: not read (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID or GITHUB_TOKEN missing); accepted: the run's review history showing ${context.environment} approved`,
    );
  } else if (approval.kind === 'unreadable') {
    problems.push(
      `review history of ${context.environment}: unreadable (${approval.error}); accepted: the run's review history showing ${context.environment} approved (the job needs permission actions: read)`,
    );
  } else if (approval.kind === 'none') {
    problems.push(
      `review history of ${context.environment}: no approval; accepted: ${context.environment} approved by a required reviewer (Settings → Environments → ${context.environment}: add required reviewers)`,
    );
  } else if (others.length === 0) {
    problems.push(
      `review history of ${context.environment}: approved only by ${approvedBy.join(', ')}, who started this run; accepted: an approval by someone other than ${[...people].join(' or ')} (set prevent_self_review on ${context.environment})`,
    );
  }
  return problems.length > 0 ? { kind: 'refused', problems } : { kind: 'approved', approvers: others };
}

/**
 * Who acts for the game day in this step, as the record and the evidence pack keep it: the dispatcher, and who started
 * this attempt when someone else did (review 16d G1: "record who resumed").
 */
export function actingPeople(actor: string | undefined, triggeringActor: string | undefined, runAttempt?: string) {
  const dispatcher = actor || triggeringActor || '';
  return triggeringActor && actor && triggeringActor !== actor
    ? `${dispatcher} (attempt ${runAttempt ?? '?'} started by ${triggeringActor})`
    : dispatcher;
}
