/** What the run's review history says about one Environment. */
export type EnvironmentApproval =
  | { readonly kind: 'approved'; readonly by: readonly { readonly login: string; readonly comment: string }[] }
  | { readonly kind: 'none' }
  | { readonly kind: 'unreadable'; readonly error: string };

/** One entry of `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`, the fields read. */
interface ReviewEntry {
  readonly state?: string;
  readonly comment?: string;
  readonly user?: { readonly login?: string };
  readonly environments?: readonly { readonly name?: string }[];
}

/** How long the summary waits for GitHub's answer: the automation has already been reported by then. */
const TIMEOUT_MS = 5000;

/**
 * Who approved `environment` in the current run, from GitHub's review history of the run ("Get the review history
 * for a workflow run", `GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`: "Anyone with read access to the
 * repository can use this endpoint"), with the job's token (`GITHUB_TOKEN`, `actions: read`). GitHub puts the
 * approver in no context or default variable. `undefined` outside Actions or without a token; never throws: a
 * failure is reported as `unreadable`, so the summary says so and the failover's own result stands.
 */
export async function readEnvironmentApproval(environment: string): Promise<EnvironmentApproval | undefined> {
  const { GITHUB_API_URL: api, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId, GITHUB_TOKEN: token } = process.env;
  if (!api || !repository || !runId || !token) return undefined;
  try {
    const response = await fetch(`${api}/repos/${repository}/actions/runs/${runId}/approvals`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
      },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) return { kind: 'unreadable', error: `HTTP ${response.status}` };
    const entries = (await response.json()) as unknown;
    if (!Array.isArray(entries)) return { kind: 'unreadable', error: 'the answer is not a list' };
    const by = (entries as ReviewEntry[])
      .filter((e) => e.state === 'approved' && e.environments?.some((env) => env.name === environment))
      .map((e) => ({ login: e.user?.login ?? '(unknown user)', comment: e.comment ?? '' }));
    return by.length > 0 ? { kind: 'approved', by } : { kind: 'none' };
  } catch (error) {
    return { kind: 'unreadable', error: error instanceof Error ? error.message : String(error) };
  }
}
