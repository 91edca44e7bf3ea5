import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { GitHubWorkflow, YamlFile } from 'cdk-pipelines-github';
import type { ShopConfig } from '../config';
import { buildStages, type ShopRelease, type ShopStages } from '../stacks/build-stages';
import { ciWorkflow } from './ci-workflow';
import { addDeployWorkflow } from './deploy-workflow';
import { failoverWorkflow } from './failover-workflow';

/** Everything `npm run synth` builds. */
export interface ShopApp {
  /** The workload stages. */
  readonly stages: ShopStages;
  /** `deploy.yml`, written by cdk-pipelines-github when the app synthesizes. */
  readonly deploy: GitHubWorkflow;
  /** The workflows cdk-pipelines-github cannot express; {@link writeExtraWorkflows} writes them. */
  readonly extraWorkflows: readonly YamlFile[];
}

/**
 * Builds the workload stages and every generated workflow from the validated configuration. Workflow paths are
 * relative to the working directory, as cdk-pipelines-github requires: run from the repository root.
 */
export function buildShopApp(app: App, config: ShopConfig, release: ShopRelease = {}): ShopApp {
  const stages = buildStages(app, config, release);
  const dir = workflowDir(app);
  const deploy = addDeployWorkflow(app, { config, stages, workflowPath: path.join(dir, 'deploy.yml') });
  return {
    stages,
    deploy,
    extraWorkflows: [
      failoverWorkflow(config, path.join(dir, 'failover.yml')),
      ciWorkflow(config.deployBranch, path.join(dir, 'ci.yml')),
    ],
  };
}

/**
 * Where the workflows are written: the repository's `.github/workflows` when the app synthesizes into the usual
 * `cdk.out` (as `npm run synth` does), otherwise next to the cloud assembly. A synth into another directory
 * (`cdk synth -o`, benchmarks, tests) would otherwise rewrite the committed workflows with that directory in them.
 */
function workflowDir(app: App): string {
  const usual = path.resolve(app.outdir) === path.resolve('cdk.out');
  return usual ? path.join('.github', 'workflows') : path.join(app.outdir, '.github', 'workflows');
}

/** Writes the workflows cdk-pipelines-github does not write itself (call after `app.synth()`). */
export function writeExtraWorkflows(shop: ShopApp): void {
  for (const file of shop.extraWorkflows) file.writeFile();
}
