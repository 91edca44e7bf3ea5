import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type ConfigBase, loadConfig, type RoutingMode, type ShopConfig } from '../../config';
import { buildStages, type ShopRelease, type ShopStages } from '../../stacks';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The feature flags of cdk.json, so test apps behave like `cdk synth`. */
const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'),
).context;

/** A shop app built the way `pipeline/main.ts` builds it. */
export interface ShopApp {
  readonly app: App;
  readonly config: ShopConfig;
  readonly stages: ShopStages;
  readonly outdir: string;
}

/** Options of {@link buildShopApp}. */
export interface ShopAppOptions {
  /** Register cdk-nag as `pipeline/main.ts` does. */
  readonly nag?: boolean;
  /** A routing mode handed to the stages past `loadConfig` (the config's `routingMode` otherwise). */
  readonly routingMode?: RoutingMode;
  /** What is deployed (the commit the application stacks are stamped with). @default - none ("unversioned") */
  readonly release?: ShopRelease;
}

/**
 * Builds the whole app from `base` config (defaults otherwise), into a temporary directory. With `nag`, cdk-nag is
 * registered as in `pipeline/main.ts`.
 */
export function buildShopApp(base: ConfigBase = {}, options: ShopAppOptions = {}): ShopApp {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-stacks-'));
  const app = new App({ outdir, context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const loaded = loadConfig({ base });
  const config = options.routingMode ? { ...loaded, routingMode: options.routingMode } : loaded;
  const stages = buildStages(app, config, options.release);
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, config, stages, outdir };
}

/** Removes a test app's output directory. */
export function removeShopApp(shop: ShopApp | undefined): void {
  if (shop) fs.rmSync(shop.outdir, { recursive: true, force: true });
}

/** The template of `stack`, cached (synthesis is the slow part of these tests). */
export function templateOf(stack: Stack): Template {
  const cache = templates.get(stack) ?? Template.fromStack(stack);
  templates.set(stack, cache);
  return cache;
}
const templates = new WeakMap<Stack, Template>();

/** The two Regional roles, for `test.each`. */
export const ROLES = ['primary', 'standby'] as const;
