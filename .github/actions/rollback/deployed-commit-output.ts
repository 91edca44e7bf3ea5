/**
 * The stack output naming the commit an application stack runs. Every application stack carries it (the stacks
 * import this name, so both sides agree): `record` refuses a commit the Region's stacks do not run (a re-run bake
 * after a rollback watches the known-good version, not the commit of the run). Plain data: no SDK import.
 */
export const DEPLOYED_COMMIT_OUTPUT = 'DeployedCommit';

/** The value stacks synthesized outside a workflow carry (no `GITHUB_SHA`): `record` never matches it. */
export const UNVERSIONED_COMMIT = 'unversioned';
