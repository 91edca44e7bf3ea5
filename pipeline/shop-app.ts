import type { App } from 'aws-cdk-lib';
import type { GitHubWorkflow, YamlFile } from 'cdk-pipelines-github';
import type { ShopConfig } from '../config';
import { buildStages, type ShopStages } from '../stacks/build-stages';
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
export function buildShopApp(app: App, config: ShopConfig): ShopApp {
  const stages = buildStages(app, config);
  const deploy = addDeployWorkflow(app, { config, stages });
  return { stages, deploy, extraWorkflows: [failoverWorkflow(config), ciWorkflow()] };
}

/** Writes the workflows cdk-pipelines-github does not write itself (call after `app.synth()`). */
export function writeExtraWorkflows(shop: ShopApp): void {
  for (const file of shop.extraWorkflows) file.writeFile();
}
