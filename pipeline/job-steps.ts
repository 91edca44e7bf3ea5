import type { JobStep } from 'cdk-pipelines-github';
import { pinnedAction } from './action-pins';
import { NODE_VERSION } from './workflow-header';

/**
 * The third-party actions the hand-written jobs use, pinned to a commit (`pipeline/action-pins.ts`; the rendered
 * workflow carries the release tag as a comment). The generator's own references are pinned when it renders.
 */
export const ACTIONS = {
  checkout: pinnedAction('actions/checkout@v6'),
  setupNode: pinnedAction('actions/setup-node@v6'),
  configureAwsCredentials: pinnedAction('aws-actions/configure-aws-credentials@v6'),
} as const;

/** How long the OIDC credentials of a hand-written job last: the same 30 minutes the generator gives its jobs. */
export const CREDENTIAL_SECONDS = 1800;

/** Checks the repository out and installs its locked dependencies. */
export function checkoutAndInstall(): JobStep[] {
  return [
    { name: 'Checkout', uses: ACTIONS.checkout },
    { name: 'Set up Node.js', uses: ACTIONS.setupNode, with: { 'node-version': NODE_VERSION, cache: 'npm' } },
    { name: 'Install', run: 'npm ci' },
  ];
}

/** Assumes `roleArn` through GitHub's OIDC token for `region` (no long-lived keys). */
export function assumeRole(roleArn: string, region: string): JobStep {
  return {
    name: 'Authenticate via OIDC role',
    uses: ACTIONS.configureAwsCredentials,
    with: {
      'aws-region': region,
      'role-to-assume': roleArn,
      'role-duration-seconds': CREDENTIAL_SECONDS,
      'role-skip-session-tagging': true,
    },
  };
}
