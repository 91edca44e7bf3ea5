import { READINESS_ISSUE_LABEL } from '../.github/actions/readiness/readiness-issue';
import type { ShopConfig } from '../config';

/**
 * The label readiness.yml puts on its issue, as `npm run bootstrap` creates it (GitHub REST "Create a label", `POST
 * /repos/{owner}/{repo}/labels`: `name`, `color` as hexadecimal without the leading `#`, `description`). Created
 * ahead so the workflow's token never has to: "Only users with push access can set labels for new issues. Labels are
 * silently dropped otherwise." ("Create an issue", labels), and an issue without it is not found by the next run.
 */
export const READINESS_LABEL = {
  name: READINESS_ISSUE_LABEL,
  color: 'b60205',
  description: 'readiness.yml: a Region is not ready to take over (opened and closed by the workflow)',
} as const;

type Repository = Pick<ShopConfig, 'githubRepository'>;

/** The `gh api` read of the repository (GitHub REST "Get a repository": its `default_branch`). */
export function githubRepositoryRead(config: Repository): string[] {
  return ['gh', 'api', `repos/${config.githubRepository}`];
}

/** The `gh api` read of the readiness label (GitHub REST "Get a label", `GET /repos/{owner}/{repo}/labels/{name}`). */
export function githubLabelRead(config: Repository): string[] {
  return ['gh', 'api', `repos/${config.githubRepository}/labels/${READINESS_LABEL.name}`];
}

/** The `gh api` command that creates the readiness label ({@link READINESS_LABEL}). */
export function githubLabelCommand(config: Repository): string[] {
  return [
    'gh',
    'api',
    '--method',
    'POST',
    `repos/${config.githubRepository}/labels`,
    '-f',
    `name=${READINESS_LABEL.name}`,
    '-f',
    `color=${READINESS_LABEL.color}`,
    '-f',
    `description=${READINESS_LABEL.description}`,
  ];
}

/**
 * Checks what readiness.yml needs of the repository itself (issue 17):
 *
 * - its default branch is the deploy branch: "Scheduled workflows will only run on the default branch" (GitHub docs,
 *   Events that trigger workflows, schedule), and the job's Environment admits the deploy branch only, so on any other
 *   default branch every scheduled run is refused by the Environment and no issue is ever opened;
 * - the label {@link READINESS_LABEL} exists (see there why the workflow should not have to create it).
 *
 * @param repository the response of {@link githubRepositoryRead}, or undefined when it does not exist (404)
 * @param label the response of {@link githubLabelRead}, or undefined when there is no such label (404)
 * @returns the problems, each naming the setting, its value and what is accepted; none when both are right
 */
export function checkRepositorySettings(
  config: Pick<ShopConfig, 'githubRepository' | 'deployBranch'>,
  repository: unknown,
  label: unknown,
): string[] {
  const problems: string[] = [];
  const defaultBranch = (repository as { default_branch?: unknown } | undefined)?.default_branch;
  if (defaultBranch !== config.deployBranch) {
    problems.push(
      `${config.githubRepository}: default_branch is ${JSON.stringify(defaultBranch ?? null)}; accepted: ${JSON.stringify(config.deployBranch)}, the deploy branch (readiness.yml's schedule runs on the default branch only and its Environment admits the deploy branch only)`,
    );
  }
  if (label === undefined) {
    problems.push(
      `${config.githubRepository}: label ${READINESS_LABEL.name} does not exist; accepted: the label, which npm run bootstrap creates (readiness.yml's token may not be allowed to create it, and an issue without it is opened again every run)`,
    );
  }
  return problems;
}
