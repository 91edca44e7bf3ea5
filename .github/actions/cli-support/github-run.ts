/** The URL of the current GitHub Actions run, from the variables every run has; `undefined` outside Actions. */
export function currentRunUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = process.env;
  return server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined;
}
