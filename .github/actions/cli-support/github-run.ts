/** The URL of the current GitHub Actions run, from the variables every run has; `undefined` outside Actions. */
export function currentRunUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
}

/** Who started the current run: `GITHUB_ACTOR` and `GITHUB_TRIGGERING_ACTOR`, when set. */
export interface RunActors {
  readonly actor?: string;
  readonly triggeringActor?: string;
}

/**
 * Who started the current run, from the default variables GitHub sets: `GITHUB_ACTOR` ("The name of the person or
 * app that initiated the workflow") and `GITHUB_TRIGGERING_ACTOR` ("The username of the user that initiated the
 * workflow run. If the workflow run is a re-run, this value may differ from github.actor"; GitHub Docs, Variables
 * reference, Default environment variables). Empty outside Actions.
 */
export function currentRunActors(): RunActors {
  const { GITHUB_ACTOR: actor, GITHUB_TRIGGERING_ACTOR: triggeringActor } = process.env;
  return { ...(actor ? { actor } : {}), ...(triggeringActor ? { triggeringActor } : {}) };
}
