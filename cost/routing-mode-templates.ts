import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type Stage } from 'aws-cdk-lib';
import { ROUTING_MODES, type RoutingMode, type ShopConfig } from '../config';
import { buildStages } from '../stacks';
import type { SynthesizedStack } from './template-cost';

/** The synthesized templates of both routing modes. */
export interface RoutingModeTemplates {
  /** Every stack of each mode. */
  readonly stacks: Readonly<Record<RoutingMode, readonly SynthesizedStack[]>>;
  /** How each mode's templates were obtained, for the output. */
  readonly how: Readonly<Record<RoutingMode, string>>;
}

function stacksOf(stage: Stage): SynthesizedStack[] {
  return stage.synth().stacks.map((artifact) => ({
    stackName: artifact.stackName,
    region: artifact.environment.region,
    template: artifact.template,
  }));
}

/**
 * Synthesizes the app of `config` in-process, into a temporary directory removed afterwards (no AWS call: the config
 * names every Availability Zone), as `pipeline/main.ts` builds it. The other routing mode's app is synthesized again,
 * every stage of it, from the same config with the other `routingMode` (a value `loadConfig` accepts too): each column
 * counts its own mode's Regional stacks, so a Regional resource only one mode builds (the Region switch plan's
 * recover-start function, say) is counted in that mode's column and no other.
 *
 * @param context cdk context for the app (feature flags of `cdk.json`, and any `-c` values).
 */
export function synthesizeRoutingModes(
  config: ShopConfig,
  context: Readonly<Record<string, unknown>>,
): RoutingModeTemplates {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-cost-'));
  try {
    const configured = config.routingMode;
    const other = ROUTING_MODES.find((mode) => mode !== configured)!;
    const app = new App({ outdir: path.join(outdir, configured), context, builtinCloudFormationValidation: false });
    const stages = buildStages(app, config);
    const otherApp = new App({ outdir: path.join(outdir, other), context, builtinCloudFormationValidation: false });
    const otherStages = buildStages(otherApp, { ...config, routingMode: other });
    const all = (s: typeof stages) => [...stacksOf(s.primary), ...stacksOf(s.standby), ...stacksOf(s.global)];
    return {
      stacks: {
        [configured]: all(stages),
        [other]: all(otherStages),
      } as Record<RoutingMode, SynthesizedStack[]>,
      how: {
        [configured]: 'the configured routing mode: every stage synthesized from the config',
        [other]: `every stage synthesized again from the config with routingMode "${other}"`,
      } as Record<RoutingMode, string>,
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
