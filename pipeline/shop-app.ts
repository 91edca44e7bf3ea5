import { rmSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { App } from 'aws-cdk-lib';
import type { GitHubWorkflow, YamlFile } from 'cdk-pipelines-github';
import { loadConfig, type ShopConfig } from '../config';
import { buildStages, type ShopRelease, type ShopStages } from '../stacks/build-stages';
import { ciWorkflow } from './ci-workflow';
import { addDeployWorkflow } from './deploy-workflow';
import { failoverWorkflow } from './failover-workflow';
import { gameDaysEnabled, gameDayWorkflow } from './gameday-workflow';
import { readinessWorkflow } from './readiness-workflow';

/** Everything `npm run synth` builds. */
export interface ShopApp {
  /** The workload stages. */
  readonly stages: ShopStages;
  /** `deploy.yml`, written by cdk-pipelines-github when the app synthesizes. */
  readonly deploy: GitHubWorkflow;
  /** The workflows cdk-pipelines-github cannot express; {@link writeExtraWorkflows} writes them. */
  readonly extraWorkflows: readonly YamlFile[];
  /**
   * Workflows the configuration does not offer (gameday.yml while game days are disabled): {@link writeExtraWorkflows}
   * deletes them from the workflow directory, so a workflow that cannot work (its role and stacks do not exist) is
   * never left behind to be dispatched.
   */
  readonly withdrawnWorkflows: readonly string[];
  /** Where the workflows are written, relative to the working directory (see {@link workflowDir}). */
  readonly workflowDir: string;
  /**
   * The fields whose value differs from the committed configuration (`config/shop-config.ts`, no override): when
   * any does, the workflows are written next to the assembly, not over the committed ones.
   */
  readonly overriddenFields: readonly string[];
}

/**
 * Builds the workload stages and every generated workflow from the validated configuration. Workflow paths are
 * relative to the working directory, as cdk-pipelines-github requires: run from the repository root.
 */
export function buildShopApp(app: App, config: ShopConfig, release: ShopRelease = {}): ShopApp {
  const stages = buildStages(app, config, release);
  const overriddenFields = fieldsDiffering(config, loadConfig());
  const dir = workflowDir(app, overriddenFields.length > 0);
  const deploy = addDeployWorkflow(app, { config, stages, workflowPath: path.join(dir, 'deploy.yml') });
  return { stages, deploy, ...extraWorkflowsOf(config, dir), workflowDir: dir, overriddenFields };
}

/**
 * The workflows written besides deploy.yml, in `dir`: failover.yml, ci.yml and readiness.yml always, gameday.yml only when the
 * configuration enables game days (its FIS templates, shopper fleet and role exist only then); when it does not,
 * gameday.yml is withdrawn.
 */
export function extraWorkflowsOf(
  config: ShopConfig,
  dir: string,
): Pick<ShopApp, 'extraWorkflows' | 'withdrawnWorkflows'> {
  const gameDay = path.join(dir, 'gameday.yml');
  return {
    extraWorkflows: [
      failoverWorkflow(config, path.join(dir, 'failover.yml')),
      ciWorkflow(config.deployBranch, path.join(dir, 'ci.yml')),
      readinessWorkflow(config, path.join(dir, 'readiness.yml')),
      ...(gameDaysEnabled(config) ? [gameDayWorkflow(config, gameDay)] : []),
    ],
    withdrawnWorkflows: gameDaysEnabled(config) ? [] : [gameDay],
  };
}

/** The top-level fields of `config` whose value differs from `committed`. */
function fieldsDiffering(config: ShopConfig, committed: ShopConfig): string[] {
  const keys = [...new Set([...Object.keys(config), ...Object.keys(committed)])] as (keyof ShopConfig)[];
  return keys.filter((key) => !isDeepStrictEqual(config[key], committed[key]));
}

/**
 * Where the workflows are written: the repository's `.github/workflows` when the app synthesizes the committed
 * configuration into the usual `cdk.out` (as `npm run synth` does), otherwise next to the cloud assembly. A synth
 * into another directory (`cdk synth -o`, benchmarks, tests), or with an override for an experiment
 * (`PRIMARY_REGION=… npm run synth`, `-c key=value`), would otherwise rewrite the committed workflows, and the test
 * that they are what synth generates would fail (review F4). The deploy jobs synthesize with every field set from
 * the workflow's own values (`synthEnvironment`), which equal the committed configuration's.
 */
function workflowDir(app: App, overridden: boolean): string {
  const usual = path.resolve(app.outdir) === path.resolve('cdk.out');
  return usual && !overridden ? path.join('.github', 'workflows') : path.join(app.outdir, '.github', 'workflows');
}

/**
 * Writes the workflows cdk-pipelines-github does not write itself and deletes the withdrawn ones (call after
 * `app.synth()`).
 */
export function writeExtraWorkflows(shop: ShopApp): void {
  for (const file of shop.extraWorkflows) file.writeFile();
  for (const file of shop.withdrawnWorkflows) rmSync(file, { force: true });
}
