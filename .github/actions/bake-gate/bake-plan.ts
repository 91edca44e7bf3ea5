/** The ways the bake gate runs: live watching, or a look back at alarm history after a wait. */
export type BakeMode = 'watch' | 'verify-history';

/**
 * Minutes kept free between the end of live watching and the expiry of the job's credentials: the job checks
 * out, installs and assumes its role before the watch starts, and writes its summary after.
 */
export const CREDENTIAL_MARGIN_MINUTES = 5;

/** The shortest credentials a job can ask for: STS AssumeRole's minimum DurationSeconds, 900 seconds. */
export const MIN_CREDENTIAL_MINUTES = 15;

/**
 * The longest credentials a bake job can hold (review-12 D11): the roles it assumes have a maximum session of one
 * hour (`maxSessionDuration` in pipeline/github-oidc-stack.ts), and STS AssumeRole: "Role chaining limits your
 * Amazon Web Services CLI or Amazon Web Services API role session to a maximum of one hour. [...] if you assume a
 * role using role chaining and provide a DurationSeconds parameter value greater than one hour, the operation
 * fails." (API reference, DurationSeconds). A longer value would plan a watch the credentials cannot last.
 */
export const MAX_CREDENTIAL_MINUTES = 60;

/** The longest bake the planner accepts: GitHub's longest Environment wait timer (30 days). */
export const MAX_BAKE_MINUTES = 43_200;

/** How the generated workflow bakes one Region. */
export interface BakePlan {
  /** The whole bake, in minutes. */
  readonly bakeMinutes: number;
  /** The lifetime of the job's AWS credentials, in minutes. */
  readonly credentialMinutes: number;
  /** The modes to run, in order, one job each: `['watch']` or `['watch', 'verify-history']`. */
  readonly modes: readonly BakeMode[];
  /** Minutes the `watch` job watches live (its `watch_minutes` input). */
  readonly watchMinutes: number;
  /**
   * Minutes of GitHub Environment wait timer before the `verify-history` job; `0` when the bake fits in one job.
   * The `verify-history` job then checks the last `bakeMinutes` (its default window).
   */
  readonly waitMinutes: number;
}

/** The longest live watch that ends before credentials of `credentialMinutes` expire. */
export function maxWatchMinutes(credentialMinutes: number): number {
  return credentialMinutes - CREDENTIAL_MARGIN_MINUTES;
}

/**
 * Says how the workflow should bake a Region for `bakeMinutes` with credentials lasting `credentialMinutes`.
 * A bake that fits in one job (at most `credentialMinutes - 5`) is watched live; a longer one is watched live for
 * that long, then waits on a GitHub Environment wait timer (no credentials held), then `verify-history` checks
 * the alarm history and canary runs of the whole bake.
 *
 * @throws RangeError naming the argument, the value and what is accepted.
 */
export function planBake(bakeMinutes: number, credentialMinutes = 30): BakePlan {
  if (!Number.isInteger(bakeMinutes) || bakeMinutes < 1 || bakeMinutes > MAX_BAKE_MINUTES) {
    throw new RangeError(
      `planBake: bakeMinutes ${bakeMinutes} is out of range; accepted: a whole number from 1 to ${MAX_BAKE_MINUTES}`,
    );
  }
  if (
    !Number.isInteger(credentialMinutes) ||
    credentialMinutes < MIN_CREDENTIAL_MINUTES ||
    credentialMinutes > MAX_CREDENTIAL_MINUTES
  ) {
    throw new RangeError(
      `planBake: credentialMinutes ${credentialMinutes} is out of range; accepted: a whole number from ${MIN_CREDENTIAL_MINUTES} to ${MAX_CREDENTIAL_MINUTES}`,
    );
  }
  const longestWatch = maxWatchMinutes(credentialMinutes);
  if (bakeMinutes <= longestWatch) {
    return { bakeMinutes, credentialMinutes, modes: ['watch'], watchMinutes: bakeMinutes, waitMinutes: 0 };
  }
  return {
    bakeMinutes,
    credentialMinutes,
    modes: ['watch', 'verify-history'],
    watchMinutes: longestWatch,
    waitMinutes: bakeMinutes - longestWatch,
  };
}
