import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The repository root (stacks/runbooks → ../..). */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The handler of the SSM steps inside the bundle: `index.handler`. */
export const RUNBOOK_HANDLER = 'index.handler';

/** The handler of the scheduled snapshot preservation inside the same bundle. */
export const PRESERVE_SNAPSHOTS_HANDLER = 'index.preserveSnapshotsHandler';

/** The handler that deletes a game day's synthetic orders, inside the same bundle. */
export const REMOVE_SYNTHETIC_ORDERS_HANDLER = 'index.removeSyntheticOrdersHandler';

/**
 * Where the bundle is written: a fixed folder, so the bundle (and its source map, whose paths are relative to it) is
 * the same on every synth and the asset hash changes only when the code does.
 */
const BUNDLE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'multi-region-shop', 'runbook-lambda');

let bundled: string | undefined;

/**
 * Bundles `runbooks/lambda/index.ts` (the step handler and the snapshot preservation handler, and everything they
 * import: engine, adapters, reconciler, the pinned AWS SDK) with esbuild, in-process and offline (no Docker), once
 * per process. Every runbook function in both Regions shares the one asset.
 */
export function bundleRunbookHandler(): string {
  if (bundled) return bundled;
  // Loaded lazily: only a synth that builds a runbook stack pays for esbuild.
  const esbuild = require('esbuild') as typeof import('esbuild');
  fs.mkdirSync(BUNDLE_DIR, { recursive: true });
  const result = esbuild.buildSync({
    entryPoints: [path.join(REPO_ROOT, 'runbooks', 'lambda', 'index.ts')],
    outfile: path.join(BUNDLE_DIR, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // pg tries the optional native binding first; the pure-JS client is what runs in Lambda.
    external: ['pg-native'],
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'error',
    write: false,
  });
  // Several processes synthesize at once (jest workers, a synth beside a test): each file is written next to the
  // folder and renamed into it, so a process hashing the folder for the asset never reads a file half written.
  const staging = fs.mkdtempSync(`${BUNDLE_DIR}.staging-`);
  try {
    for (const file of result.outputFiles) {
      const staged = path.join(staging, path.basename(file.path));
      fs.writeFileSync(staged, file.contents);
      fs.renameSync(staged, path.join(BUNDLE_DIR, path.basename(file.path)));
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  bundled = BUNDLE_DIR;
  return bundled;
}

/** The Lambda code of the runbook functions. */
export function runbookCode(): lambda.Code {
  return lambda.Code.fromAsset(bundleRunbookHandler());
}
