import { App } from 'aws-cdk-lib';
import { loadConfig } from '../config';
import { resourcePrefix } from '../stacks/naming/resource-prefix';
import { GitHubOidcStack } from './github-oidc-stack';

// A CDK app of its own: the OIDC roles exist before the pipeline's first run, so they cannot be deployed by it.
const app = new App();
const config = loadConfig({ env: process.env, context: (key) => app.node.tryGetContext(key) });
new GitHubOidcStack(app, 'GitHubOidc', {
  stackName: `${resourcePrefix(config.appName, config.envName)}-github-oidc`,
  env: { account: config.account, region: config.primaryRegion },
  config,
  existingOidcProvider: app.node.tryGetContext('existingOidcProvider') === 'true',
  // `--context breakGlassPrincipalArn=arn:aws:iam::<account>:role/<on-call role>`; default: the account.
  breakGlassPrincipalArn: app.node.tryGetContext('breakGlassPrincipalArn'),
  terminationProtection: true,
});
app.synth();
