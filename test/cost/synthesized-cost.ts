import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ConfigBase, loadConfig } from '../../config';
import { type RoutingModeTemplates, synthesizeRoutingModes } from '../../cost/routing-mode-templates';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The feature flags of cdk.json, so the app behaves as under `cdk synth`. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'),
).context;

/**
 * Both routing modes' templates of the configuration `base` (defaults otherwise). Synthesizing both modes of the
 * whole app takes seconds and the cost tests ask for the same configurations many times, so the templates are kept
 * for the test run: in the run's temporary folder (one per `jest` run, removed at its end; shared by the workers,
 * written whole by a rename) and in memory. Each call returns its own copy: a test may edit it.
 */
export function templatesOf(base: ConfigBase = {}): RoutingModeTemplates {
  const key = createHash('sha256').update(JSON.stringify(base)).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), 'cost-templates', `${key}.json`);
  let text = memory.get(key);
  if (text === undefined) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = JSON.stringify(synthesizeRoutingModes(loadConfig({ base }), CDK_CONTEXT));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const partial = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(partial, text);
      fs.renameSync(partial, file);
    }
    memory.set(key, text);
  }
  return JSON.parse(text) as RoutingModeTemplates;
}

const memory = new Map<string, string>();
