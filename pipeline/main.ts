import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfig, type ShopConfig } from '../config';
import type { ShopRelease } from '../stacks/build-stages';
import { releaseFromEnvironment } from './release-commit';
import { buildShopApp, writeExtraWorkflows } from './shop-app';

// CDK's built-in template validator (a WASM engine) takes about 10 s of a 12 s synth on two cores; templates
// are linted by cfn-lint in CI instead (.ci/run), so synth stays fast enough to run on every test.
const app = new App({ builtinCloudFormationValidation: false });

// Configuration enters the CDK app here only: environment variables and cdk context, validated once. An invalid value
// stops synth with the problems alone (a stack trace would bury them) and exit code 2, like a bad argument;
// `npm run synth` checks it first (pipeline/synth.ts), since the CDK CLI reports the app's exit 2 as its own 1.
let config: ShopConfig;
let release: ShopRelease;
try {
  config = loadConfig({ env: process.env, context: (key) => app.node.tryGetContext(key) });
  release = releaseFromEnvironment(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}

// The workload stages and the generated workflows (.github/workflows/*.yml, relative to the working directory:
// run synth from the repository root, as `npm run synth` does).
const shop = buildShopApp(app, config, release);

// cdk-nag's AWS Solutions rules run on every synth; findings go to cdk.out/validation-report.json and an
// unacknowledged error fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
writeExtraWorkflows(shop);
if (shop.overriddenFields.length > 0) {
  process.stderr.write(
    `The configuration differs from config/shop-config.ts (${shop.overriddenFields.join(', ')}): the workflows were written to ${shop.workflowDir}, not .github/workflows (the committed ones are generated from the file alone; change it to change them)\n`,
  );
}
