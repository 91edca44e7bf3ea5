/**
 * The CLIs the workflows run, each bundled by `npm run bundle` (`pipeline/bundle-clis.ts`) into one committed
 * CommonJS file under {@link BUNDLE_DIR}: a job checks the repository out, sets up Node and runs the file, with no
 * `npm ci` (review M9: the failover job installed 655 packages before it validated its inputs).
 */
export const BUNDLED_CLIS = ['failover', 'freeze', 'bake-gate', 'rollback', 'gameday', 'readiness'] as const;

/** A CLI of {@link BUNDLED_CLIS}: the directory `.github/actions/<cli>/` whose `main.ts` is its entry point. */
export type BundledCli = (typeof BUNDLED_CLIS)[number];

/** Where the bundles are committed (the only directory a job that runs them checks out). */
export const BUNDLE_DIR = '.github/actions/dist';

/** The entry point of a CLI, relative to the repository root. */
export function cliEntryPoint(cli: BundledCli): string {
  return `.github/actions/${cli}/main.ts`;
}

/** The committed bundle of a CLI, relative to the repository root. */
export function bundlePath(cli: BundledCli): string {
  return `${BUNDLE_DIR}/${cli}.cjs`;
}

/** The command a workflow step runs a CLI with: its bundle under plain Node (no tsx, no installed packages). */
export function cliCommand(cli: BundledCli): string {
  return `node ${bundlePath(cli)}`;
}
