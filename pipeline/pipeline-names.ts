import type { ShopConfig } from '../config';
import { resourcePrefix } from '../stacks/naming/resource-prefix';

/** Names shared by the generated workflows and the GitHub OIDC role stack; derived from config, never typed twice. */
export interface PipelineNames {
  /** IAM role the deploy workflow assumes through GitHub OIDC. */
  readonly deployRole: string;
  /** IAM role the failover workflow assumes through GitHub OIDC. */
  readonly failoverRole: string;
  /** IAM role on-call assumes (with MFA) to fail over by hand when GitHub is down (docs/break-glass.md). */
  readonly breakGlassRole: string;
  /**
   * The deploy workflow's concurrency group (never cancelling). The failover workflow has none: a group holds one
   * pending run and a newer one replaces it, so a failover in a group could be dropped from the queue.
   */
  readonly deployConcurrencyGroup: string;
  /**
   * GitHub Environment of a Region's wave approval (the Region's name): add the required reviewers here. Only the
   * wave's approval job uses it, and that job holds no credentials; deploy, bake and rollback jobs use no
   * Environment, so they never wait for a reviewer.
   */
  approvalEnvironment(region: string): string;
  /**
   * GitHub Environment whose wait timer holds a split bake between its watch and its history check (a timer, never
   * reviewers: its job holds credentials).
   */
  bakeWaitEnvironment(region: string): string;
  /** GitHub Environment of the global routing wave's approval (reviewers), like {@link approvalEnvironment}. */
  readonly globalApprovalEnvironment: string;
  /** GitHub Environment of the failover workflow's job (add required reviewers there). */
  readonly failoverEnvironment: string;
  /** IAM role the game-day workflow's phase jobs assume through GitHub OIDC (only when game days are enabled). */
  readonly gameDayRole: string;
  /**
   * GitHub Environment of the game-day workflow's approval (`<app>-<env>-gameday`, required reviewers): its job holds
   * no credentials, so one approval starts a game day whose phases run for hours.
   */
  readonly gameDayApprovalEnvironment: string;
  /**
   * GitHub Environment of the game-day workflow's phase jobs (`<app>-<env>-gameday-run`): the game-day role trusts it;
   * never reviewers (GitHub holds every job that references an Environment with required reviewers until someone
   * approves it, so the clean-up could wait for a person).
   */
  readonly gameDayEnvironment: string;
  /** IAM role readiness.yml assumes through GitHub OIDC: reads the readiness records, nothing else (issue 17). */
  readonly readinessRole: string;
  /**
   * GitHub Environment of readiness.yml's job (`<app>-<env>-readiness`): the readiness role trusts it alone; never
   * reviewers (a scheduled job must not wait for a person).
   */
  readonly readinessEnvironment: string;
}

/** Names the pipeline's roles, the deploy concurrency group and GitHub Environments for one environment of the shop. */
export function pipelineNames(config: Pick<ShopConfig, 'appName' | 'envName'>): PipelineNames {
  const prefix = resourcePrefix(config.appName, config.envName);
  return {
    deployRole: `${prefix}-github-deploy`,
    failoverRole: `${prefix}-github-failover`,
    breakGlassRole: `${prefix}-break-glass`,
    deployConcurrencyGroup: `${prefix}-deploy`,
    approvalEnvironment: (region) => region,
    bakeWaitEnvironment: (region) => `${region}-bake-wait`,
    globalApprovalEnvironment: 'global',
    failoverEnvironment: 'failover',
    gameDayRole: `${prefix}-github-gameday`,
    gameDayApprovalEnvironment: `${prefix}-gameday`,
    gameDayEnvironment: `${prefix}-gameday-run`,
    readinessRole: `${prefix}-github-readiness`,
    readinessEnvironment: `${prefix}-readiness`,
  };
}

/** The ARN of an IAM role in the shop's account. */
export function roleArn(account: string, roleName: string): string {
  return `arn:aws:iam::${account}:role/${roleName}`;
}
