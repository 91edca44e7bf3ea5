import { ConfigError } from '../config';
import type { ShopRelease } from '../stacks/build-stages';

/**
 * The commit a synth stamps on the application stacks: `DEPLOY_COMMIT` (the rollback job sets it to the known-good
 * commit it rebuilds; GitHub does not let a step override `GITHUB_SHA`), else `GITHUB_SHA` (every workflow job has
 * it), else none (a local synth: the stacks say "unversioned").
 *
 * @throws ConfigError when the variable set is not a full commit id.
 */
export function releaseFromEnvironment(env: Readonly<Record<string, string | undefined>>): ShopRelease {
  for (const name of ['DEPLOY_COMMIT', 'GITHUB_SHA'] as const) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!/^[0-9a-f]{40}$/.test(value)) {
      throw new ConfigError([
        `${name}: ${JSON.stringify(value)} is not a commit id; accepted: the 40 lowercase hex digits of a commit`,
      ]);
    }
    return { commit: value };
  }
  return {};
}
