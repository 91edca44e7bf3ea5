import type { YamlFile } from 'cdk-pipelines-github';

/** A third-party action pinned to the commit a release tag points at. */
export interface ActionPin {
  /** The full commit SHA (a tag can be moved; a commit cannot). */
  readonly sha: string;
  /** The release tag that pointed at `sha`, written after it as a comment for people and for Dependabot/Renovate. */
  readonly tag: string;
}

/**
 * Every third-party action the workflows use, by the reference cdk-pipelines-github (or this repository) writes,
 * pinned to a commit. Each SHA is the commit the release tag pointed at in the action's public repository (read
 * with `git show-ref --tags -d`, peeled for annotated tags), which is also where the moving major tag pointed.
 * Update a pin by changing SHA and tag together; a test fails on any `uses:` that is not pinned here.
 */
export const ACTION_PINS: Readonly<Record<string, ActionPin>> = {
  'actions/checkout@v6': { sha: 'd23441a48e516b6c34aea4fa41551a30e30af803', tag: 'v6.1.0' },
  'actions/setup-node@v6': { sha: '249970729cb0ef3589644e2896645e5dc5ba9c38', tag: 'v6.5.0' },
  'actions/upload-artifact@v7': { sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f', tag: 'v7.0.0' },
  'actions/download-artifact@v8': { sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c', tag: 'v8.0.1' },
  'aws-actions/configure-aws-credentials@v6': { sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c', tag: 'v6.2.3' },
  'aws-actions/aws-cloudformation-github-deploy@v2': {
    sha: '81e3b03d2266bcb76c4bcc37a7d71d9cb67838bb',
    tag: 'v2.2.0',
  },
};

/** The version of `cdk-assets` the asset jobs install (`npm install --no-save cdk-assets@<version>`). */
export const CDK_ASSETS_VERSION = '4.7.3';

/** The version of cfn-lint CI installs (the one the templates are linted with on the development machines). */
export const CFN_LINT_VERSION = '1.51.0';

/** `owner/repo@<sha>` for a pinned reference such as `actions/checkout@v6`. */
export function pinnedAction(reference: string): string {
  const pin = ACTION_PINS[reference];
  if (!pin) {
    throw new Error(
      `uses: ${JSON.stringify(reference)} is not pinned; accepted: one of ${Object.keys(ACTION_PINS).join(', ')} (add its commit to ACTION_PINS)`,
    );
  }
  return `${reference.slice(0, reference.indexOf('@'))}@${pin.sha}`;
}

/**
 * Rewrites every `uses: <owner/repo>@<tag>` line of a rendered workflow to the pinned commit with the tag as a
 * comment (`uses: actions/checkout@<sha> # v6.1.0`), and adds the comment to lines already pinned by SHA. A
 * reference with no pin throws, so an action added upstream cannot slip in unpinned.
 */
export function pinActionsInYaml(yaml: string): string {
  const byPinnedSha = new Map(
    Object.entries(ACTION_PINS).map(([reference, pin]) => [pinnedAction(reference), pin.tag] as const),
  );
  return yaml.replace(/^(\s*(?:- )?uses: )(\S+)$/gm, (_line, prefix: string, reference: string) => {
    const pinned = byPinnedSha.has(reference) ? reference : pinnedAction(reference);
    return `${prefix}${pinned} # ${byPinnedSha.get(pinned)}`;
  });
}

/**
 * Makes `file` render with pinned actions. cdk-pipelines-github writes the deploy workflow with `toYaml()`, and
 * compares the committed file with `toYaml()` in its diff protection, so both see the pinned text.
 */
export function pinActionsOf(file: YamlFile): YamlFile {
  const render = file.toYaml.bind(file);
  file.toYaml = () => pinActionsInYaml(render());
  return file;
}
