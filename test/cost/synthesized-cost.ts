import * as fs from 'node:fs';
import * as path from 'node:path';
import { type ConfigBase, loadConfig } from '../../config';
import { type RoutingModeTemplates, synthesizeRoutingModes } from '../../cost/routing-mode-templates';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The feature flags of cdk.json, so the app behaves as under `cdk synth`. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'),
).context;

/** Both routing modes' templates of the configuration `base` (defaults otherwise). */
export function templatesOf(base: ConfigBase = {}): RoutingModeTemplates {
  return synthesizeRoutingModes(loadConfig({ base }), CDK_CONTEXT);
}
