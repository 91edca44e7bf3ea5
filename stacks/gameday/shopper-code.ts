import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bundleLambdaInto } from '../lambda-bundle';

/** The repository root (stacks/gameday → ../..). */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The synthetic shopper's handler module: `runbooks/gameday/shopper-handler.ts`, export `handler`. */
export const SHOPPER_ENTRY = path.join(REPO_ROOT, 'runbooks', 'gameday', 'shopper-handler.ts');

/** The handler inside the bundle. */
export const SHOPPER_HANDLER = 'index.handler';

/** A fixed folder, so the asset hash changes only when the code does (as for the runbook bundle). */
const BUNDLE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'multi-region-shop', 'gameday-shopper');

const bundled = new Map<string, string>();

/**
 * Bundles the shopper handler (and what it imports) with esbuild, in-process and offline (no Docker), once per
 * process and entry, the way `stacks/runbooks/runbook-code.ts` bundles the runbook functions.
 *
 * @param entry the handler module; tests pass another one.
 */
export function bundleShopperHandler(entry: string = SHOPPER_ENTRY): string {
  const done = bundled.get(entry);
  if (done) return done;
  if (!fs.existsSync(entry)) {
    throw new Error(
      `shopperEntry: ${JSON.stringify(entry)} does not exist; accepted: a TypeScript module exporting handler`,
    );
  }
  // Another entry gets a folder named by its path, so processes bundling different entries never share one.
  const outdir =
    entry === SHOPPER_ENTRY
      ? BUNDLE_DIR
      : `${BUNDLE_DIR}-${createHash('sha256').update(path.resolve(entry)).digest('hex').slice(0, 12)}`;
  bundleLambdaInto(outdir, entry);
  bundled.set(entry, outdir);
  return outdir;
}

/** The Lambda code of the synthetic shopper. */
export function shopperCode(entry?: string): lambda.Code {
  return lambda.Code.fromAsset(bundleShopperHandler(entry));
}
