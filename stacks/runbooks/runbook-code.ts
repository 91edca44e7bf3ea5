import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { REGION_SWITCH_SDK_MODULE } from '../../runbooks/adapters/aws/region-switch-sdk';
import { bundleLambdaInto } from '../lambda-bundle';

/** The repository root (stacks/runbooks → ../..). */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The handler of the SSM steps inside the bundle: `index.handler`. */
export const RUNBOOK_HANDLER = 'index.handler';

/** The handler of the scheduled snapshot preservation inside the same bundle. */
export const PRESERVE_SNAPSHOTS_HANDLER = 'index.preserveSnapshotsHandler';

/** The handler of the scheduled readiness (every check, its record and its metrics), inside the same bundle. */
export const READINESS_HANDLER = 'index.readinessHandler';

/** The handler that deletes a game day's synthetic orders, inside the same bundle. */
export const REMOVE_SYNTHETIC_ORDERS_HANDLER = 'index.removeSyntheticOrdersHandler';

/** The handler the Region switch plan invokes to start `recover` (routing mode `region-switch`), in the same bundle. */
export const REGION_SWITCH_RECOVER_HANDLER = 'index.regionSwitchRecoverHandler';

/**
 * Modules left to the Lambda runtime. `pg-native`: pg tries the optional native binding first; the pure-JS client is
 * what runs in Lambda. `@aws-sdk/client-arc-region-switch`: the npm registry reachable where this is built has no such
 * package (runbooks/adapters/aws/region-switch-sdk.ts loads it at run time); Lambda's Node.js runtimes include the AWS
 * SDK v3, and that its version includes the Region switch client is UNVERIFIED here.
 */
export const RUNBOOK_BUNDLE_EXTERNALS: readonly string[] = ['pg-native', REGION_SWITCH_SDK_MODULE];

/**
 * Where the bundle is written: a fixed folder, so the bundle (and its source map, whose paths are relative to it) is
 * the same on every synth and the asset hash changes only when the code does.
 */
const BUNDLE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'multi-region-shop', 'runbook-lambda');

let bundled: string | undefined;

/**
 * Bundles `runbooks/lambda/index.ts` (the step handler, the scheduled handlers, the Region switch recover start, and
 * everything they import: engine, adapters, reconciler, the pinned AWS SDK but {@link RUNBOOK_BUNDLE_EXTERNALS}) with
 * esbuild, in-process and offline (no Docker), once
 * per process. Every runbook function in both Regions shares the one asset.
 */
export function bundleRunbookHandler(): string {
  if (bundled) return bundled;
  bundleLambdaInto(BUNDLE_DIR, path.join(REPO_ROOT, 'runbooks', 'lambda', 'index.ts'), RUNBOOK_BUNDLE_EXTERNALS);
  bundled = BUNDLE_DIR;
  return bundled;
}

/** The Lambda code of the runbook functions. */
export function runbookCode(): lambda.Code {
  return lambda.Code.fromAsset(bundleRunbookHandler());
}
