import { planBake } from '../.github/actions/bake-gate/bake-plan';
import type { ShopConfig } from '../config';
import { pipelineNames } from './pipeline-names';

/**
 * A GitHub Environment the workflows use or an OIDC role trusts. Every one is restricted to the deploy branch: the
 * OIDC roles trust a job's Environment (`repo:<owner>/<repo>:environment:<name>`), and GitHub's token for a job with
 * an Environment carries no ref in `sub`, so the Environment's deployment-branch rule is what keeps another branch
 * out (review M6).
 */
export interface GitHubEnvironmentSpec {
  /** The Environment's name. */
  readonly name: string;
  /** What it is for (printed by `npm run bootstrap`). */
  readonly purpose: string;
  /** A wait timer in minutes (the split bake's wait), or 0 for none. */
  readonly waitTimerMinutes: number;
  /** Whether required reviewers are refused: the Environment's job holds credentials and must not wait for a person. */
  readonly noReviewers: boolean;
  /**
   * Whether required reviewers are demanded: the game-day approval (a game day injects faults into a Region, so
   * someone other than the workflow must say yes). Bootstrap cannot choose the reviewers; `--check` names what is
   * missing.
   *
   * @default false
   */
  readonly requiresReviewers?: boolean;
  /**
   * Whether bootstrap sets, and `--check` demands, `prevent_self_review: true` and `can_admins_bypass: false`: the
   * game-day approval must come from someone other than who dispatched it, and no administrator may skip it (review
   * 16d G2). GitHub REST "Create or update an environment" (`PUT /repos/{owner}/{repo}/environments/{environment_name}`):
   * `prevent_self_review` "Whether or not a user who created the job is prevented from approving their own job" (the
   * OpenAPI description, github/rest-api-description via openapi-github's ReposCreateOrUpdateEnvironmentRequest);
   * `can_admins_bypass` is accepted by the same request and returned by "Get an environment" (go-github #2722, #2725:
   * "not yet documented in the api documentation. However it is functional"; unverified against GitHub's reference).
   *
   * @default false
   */
  readonly guardedApproval?: boolean;
}

/**
 * The Environments `npm run bootstrap` creates or checks: the wave approvals (the Regions, `global`), `failover`, and
 * the split bake's `<region>-bake-wait` (created even when the bake fits one job: the deploy role trusts them, and an
 * Environment that does not exist would be created unprotected by the first workflow, on any branch, that names it);
 * `<app>-<env>-readiness` (readiness.yml's scheduled job: never reviewers, the read-only readiness role trusts it
 * alone; "Scheduled workflows will only run on the default branch" (GitHub docs, Events that trigger workflows,
 * schedule), so the deploy branch must be the default branch for it to pass the Environment's branch rule); with game days enabled, the game day's approval (`<app>-<env>-gameday`,
 * required reviewers) and its phase jobs' `<app>-<env>-gameday-run` (never reviewers: the game-day role trusts it,
 * and the clean-up must not wait).
 */
export function githubEnvironments(config: ShopConfig): GitHubEnvironmentSpec[] {
  const names = pipelineNames(config);
  const regions = [config.primaryRegion, config.standbyRegion];
  const plan = planBake(config.bakeMinutes);
  return [
    ...regions.map((region) => ({
      name: names.approvalEnvironment(region),
      purpose: `approval of the ${region} wave (add required reviewers here; its job holds no credentials)`,
      waitTimerMinutes: 0,
      noReviewers: false,
    })),
    {
      name: names.globalApprovalEnvironment,
      purpose: 'approval of the global routing wave (add required reviewers here)',
      waitTimerMinutes: 0,
      noReviewers: false,
    },
    {
      name: names.failoverEnvironment,
      purpose: 'the failover workflow (reviewers optional: they add minutes of RTO)',
      waitTimerMinutes: 0,
      noReviewers: false,
    },
    ...regions.map((region) => ({
      name: names.bakeWaitEnvironment(region),
      purpose: `the wait of a split bake in ${region} (a timer, never reviewers: its job holds deploy credentials)`,
      waitTimerMinutes: plan.waitMinutes,
      noReviewers: true,
    })),
    {
      name: names.readinessEnvironment,
      purpose:
        'readiness.yml’s scheduled job (never reviewers: a scheduled job must not wait for a person; the read-only readiness role trusts it alone)',
      waitTimerMinutes: 0,
      noReviewers: true,
    },
    ...(config.gameDays.enabled
      ? [
          {
            name: names.gameDayApprovalEnvironment,
            purpose: 'approval of a game day (add required reviewers here; its job holds no credentials)',
            waitTimerMinutes: 0,
            noReviewers: false,
            requiresReviewers: true,
            guardedApproval: true,
          },
          {
            name: names.gameDayEnvironment,
            purpose:
              'the game day’s phase jobs (never reviewers: they hold credentials and the clean-up must not wait)',
            waitTimerMinutes: 0,
            noReviewers: true,
          },
        ]
      : []),
  ];
}

/**
 * The `gh api` commands that create or update each Environment (GitHub REST: "Create or update an environment",
 * `PUT /repos/{owner}/{repo}/environments/{environment_name}`, with `deployment_branch_policy.custom_branch_policies`
 * true) and then allow the deploy branch ("Create a deployment branch policy", `POST
 * .../environments/{environment_name}/deployment-branch-policies`, `name` and `type: branch`). `gh api -F` sends
 * `true`, `false` and numbers as JSON values and `key[subkey]=value` as a nested object (gh manual, `gh api`).
 * Reviewers are not set: who approves a wave is a person's choice, made in the repository's settings.
 */
export function githubEnvironmentCommands(config: ShopConfig): string[][] {
  return githubEnvironments(config).flatMap((environment) => {
    const path = `repos/${config.githubRepository}/environments/${environment.name}`;
    return [
      [
        'gh',
        'api',
        '--method',
        'PUT',
        path,
        '-F',
        'deployment_branch_policy[protected_branches]=false',
        '-F',
        'deployment_branch_policy[custom_branch_policies]=true',
        ...(environment.waitTimerMinutes > 0 ? ['-F', `wait_timer=${environment.waitTimerMinutes}`] : []),
        ...(environment.guardedApproval ? ['-F', 'prevent_self_review=true', '-F', 'can_admins_bypass=false'] : []),
      ],
      [
        'gh',
        'api',
        '--method',
        'POST',
        `${path}/deployment-branch-policies`,
        '-f',
        `name=${config.deployBranch}`,
        '-f',
        'type=branch',
      ],
    ];
  });
}

/** The `gh api` reads of {@link checkGitHubEnvironment}: the Environment, then its deployment branch policies. */
export function githubEnvironmentReads(config: ShopConfig, environment: GitHubEnvironmentSpec): [string[], string[]] {
  const path = `repos/${config.githubRepository}/environments/${environment.name}`;
  return [
    ['gh', 'api', path],
    ['gh', 'api', `${path}/deployment-branch-policies`],
  ];
}

/**
 * What the problem of an Environment that must have reviewers and has none says: bootstrap cannot choose reviewers, so
 * after creating the Environments it prints these as the step left to a person instead of failing on them.
 */
export const NO_REQUIRED_REVIEWERS = 'has no required reviewers';

interface EnvironmentResponse {
  readonly protection_rules?: ReadonlyArray<{
    readonly type: string;
    readonly wait_timer?: number;
    readonly prevent_self_review?: boolean;
  }>;
  readonly can_admins_bypass?: boolean;
  readonly deployment_branch_policy?: {
    readonly protected_branches: boolean;
    readonly custom_branch_policies: boolean;
  } | null;
}
interface BranchPoliciesResponse {
  readonly branch_policies?: ReadonlyArray<{ readonly name: string; readonly type?: string }>;
}

/**
 * Checks one Environment as GitHub's REST API returns it ("Get an environment" and "List deployment branch
 * policies").
 *
 * @param environment the response of `GET .../environments/{name}`, or undefined when it does not exist (404)
 * @param policies the response of `GET .../deployment-branch-policies`
 * @returns the problems, each naming the Environment, the field, its value and what is accepted; none when it is right
 */
export function checkGitHubEnvironment(
  spec: GitHubEnvironmentSpec,
  config: Pick<ShopConfig, 'deployBranch'>,
  environment: unknown,
  policies: unknown,
): string[] {
  if (environment === undefined) {
    return [
      `${spec.name}: does not exist (GitHub would create it unprotected the first time a workflow references it)`,
    ];
  }
  const problems: string[] = [];
  const env = environment as EnvironmentResponse;
  const branchPolicy = env.deployment_branch_policy;
  const only = `["branch ${config.deployBranch}"]`;
  if (!branchPolicy || branchPolicy.protected_branches || !branchPolicy.custom_branch_policies) {
    problems.push(
      `${spec.name}: deployment_branch_policy is ${JSON.stringify(branchPolicy ?? null)}${branchPolicy ? '' : ' (every branch may deploy)'}; accepted: custom branch policies with only the branch ${config.deployBranch}`,
    );
  } else {
    const actual = ((policies as BranchPoliciesResponse | undefined)?.branch_policies ?? [])
      .map((policy) => `${policy.type ?? 'branch'} ${policy.name}`)
      .sort();
    if (JSON.stringify(actual) !== only) {
      problems.push(`${spec.name}: deployment branch policies are ${JSON.stringify(actual)}; accepted: ${only}`);
    }
  }
  const rules = env.protection_rules ?? [];
  if (spec.noReviewers && rules.some((rule) => rule.type === 'required_reviewers')) {
    problems.push(
      `${spec.name}: has required reviewers; accepted: none (its jobs hold credentials and must not wait for a person)`,
    );
  }
  if (spec.requiresReviewers && !rules.some((rule) => rule.type === 'required_reviewers')) {
    problems.push(
      `${spec.name}: ${NO_REQUIRED_REVIEWERS}; accepted: at least one (Settings → Environments → ${spec.name}: a game day injects faults, someone must approve it; then run npm run bootstrap again, it sets prevent_self_review)`,
    );
  }
  const reviewersRule = rules.find((rule) => rule.type === 'required_reviewers');
  if (spec.guardedApproval && reviewersRule && reviewersRule.prevent_self_review !== true) {
    problems.push(
      `${spec.name}: prevent_self_review is ${reviewersRule.prevent_self_review ?? 'missing'}; accepted: true (whoever dispatches a game day must not approve it: npm run bootstrap sets it)`,
    );
  }
  if (spec.guardedApproval && env.can_admins_bypass !== false) {
    problems.push(
      `${spec.name}: can_admins_bypass is ${env.can_admins_bypass ?? 'missing'}; accepted: false (an administrator must not start a game day without an approval: npm run bootstrap sets it)`,
    );
  }
  const waitTimer = rules.find((rule) => rule.type === 'wait_timer')?.wait_timer ?? 0;
  if (spec.waitTimerMinutes > 0 && waitTimer < spec.waitTimerMinutes) {
    problems.push(
      `${spec.name}: wait_timer is ${waitTimer} minutes; accepted: at least ${spec.waitTimerMinutes} (the split bake's wait)`,
    );
  }
  return problems;
}

/** The `gh api` read of the repository's OIDC subject template (GitHub REST, `GET .../actions/oidc/customization/sub`). */
export function githubOidcSubjectRead(config: Pick<ShopConfig, 'githubRepository'>): string[] {
  return ['gh', 'api', `repos/${config.githubRepository}/actions/oidc/customization/sub`];
}

/**
 * Checks that the repository's tokens carry GitHub's default `sub`, the one the OIDC roles trust
 * (`repo:<repo>:environment:<name>`, `repo:<repo>:ref:<ref>`): a customized template changes every token's `sub`
 * and no role would accept it.
 *
 * @param template the response of {@link githubOidcSubjectRead}
 * @returns the problem, or none
 */
export function checkOidcSubjectTemplate(template: unknown): string[] {
  const { use_default: useDefault, include_claim_keys: keys } = template as {
    use_default?: boolean;
    include_claim_keys?: string[];
  };
  if (useDefault === true) return [];
  return [
    `OIDC subject template: include_claim_keys ${JSON.stringify(keys ?? null)}; accepted: use_default true (the roles trust GitHub's default sub: repo:<repo>:environment:<name>, repo:<repo>:ref:<ref>)`,
  ];
}
