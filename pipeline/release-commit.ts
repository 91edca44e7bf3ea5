import { ConfigError } from '../config';
import type { ShopRelease } from '../stacks/build-stages';

/**
 * The commit a synth stamps on the application stacks: `GITHUB_SHA` (every workflow job has it), else none (a local
 * synth: the stacks say "unversioned"). A rollback redeploys recorded templates, which carry their own commit, so
 * nothing else ever stamps a commit.
 *
 * @throws ConfigError when the variable set is not a full commit id.
 */
export function releaseFromEnvironment(env: Readonly<Record<string, string | undefined>>): ShopRelease {
  const value = env.GITHUB_SHA;
  if (value === undefined || value === '') return {};
  if (!/^[0-9a-f]{40}$/.test(value)) {
    throw new ConfigError([
      `GITHUB_SHA: ${JSON.stringify(value)} is not a commit id; accepted: the 40 lowercase hex digits of a commit`,
    ]);
  }
  return { commit: value };
}
