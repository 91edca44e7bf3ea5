import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { loadConfig, PLACEHOLDER_ACCOUNT, type ShopConfig } from '../config';
import { ARC_CONTROL_PLANE_REGION } from '../stacks/arc-control-plane-region';

/** The commands `npm run bootstrap` runs, in order. */
export function bootstrapCommands(config: ShopConfig, options: { existingOidcProvider: boolean }): string[][] {
  const regions = [...new Set([config.primaryRegion, config.standbyRegion, ARC_CONTROL_PLANE_REGION])];
  return [
    ['npx', 'cdk', 'bootstrap', ...regions.map((region) => `aws://${config.account}/${region}`)],
    [
      'npx',
      'cdk',
      'deploy',
      '--app',
      'npx tsx pipeline/github-oidc-app.ts',
      '--context',
      `existingOidcProvider=${options.existingOidcProvider}`,
      '--require-approval',
      'broadening',
      '--all',
    ],
  ];
}

const program = new Command('bootstrap')
  .description(
    'Prepare an AWS account for the pipeline: CDK-bootstrap both Regions and the ARC control-plane Region, then deploy the GitHub OIDC roles. Uses your current AWS credentials.',
  )
  .option('--existing-oidc-provider', "the account already has GitHub's OIDC identity provider", false)
  .option('--dry-run', 'print the commands instead of running them', false)
  .action((options: { existingOidcProvider: boolean; dryRun: boolean }) => {
    const config = loadConfig({ env: process.env });
    if (config.account === PLACEHOLDER_ACCOUNT && !options.dryRun) {
      throw new Error(
        `account: ${JSON.stringify(config.account)} is the placeholder; set AWS_ACCOUNT_ID or config/shop-config.ts account to your 12-digit account id`,
      );
    }
    for (const command of bootstrapCommands(config, options)) {
      console.log(`$ ${command.map((part) => (part.includes(' ') ? JSON.stringify(part) : part)).join(' ')}`);
      if (options.dryRun) continue;
      const result = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit' });
      if (result.status !== 0)
        throw new Error(`${command.slice(0, 3).join(' ')} failed with exit code ${result.status}`);
    }
  });

if (require.main === module) {
  program.parseAsync().catch((error: Error) => {
    console.error(`bootstrap: ${error.message}`);
    process.exitCode = 1;
  });
}
