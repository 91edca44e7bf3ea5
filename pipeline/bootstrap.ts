import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { loadConfig, PLACEHOLDER_ACCOUNT, type ShopConfig } from '../config';
import { ARC_CONTROL_PLANE_REGION } from '../stacks/arc-control-plane-region';
import { checkAssetRetention } from './asset-retention';
import {
  checkGitHubEnvironment,
  checkOidcSubjectTemplate,
  githubEnvironmentCommands,
  githubEnvironmentReads,
  githubEnvironments,
  githubOidcSubjectRead,
  NO_REQUIRED_REVIEWERS,
} from './github-environments';
import {
  checkRepositorySettings,
  githubLabelCommand,
  githubLabelRead,
  githubRepositoryRead,
} from './github-repository-settings';

/**
 * Reads a GitHub REST resource (`gh api <path>`): its JSON, or undefined when GitHub answers 404 (not found). Any
 * other failure throws.
 */
export type GitHubRead = (command: string[]) => unknown;

/**
 * Checks every Environment of {@link githubEnvironments} (review M6), the OIDC subject template, and what
 * readiness.yml needs of the repository: the deploy branch as default branch and the `readiness` label (issue 17,
 * github-repository-settings.ts).
 *
 * @returns the problems (each names the Environment or setting, the field and what is accepted); none when all are right
 */
export function checkGitHubEnvironments(config: ShopConfig, read: GitHubRead): string[] {
  const environments = githubEnvironments(config).flatMap((environment) => {
    const [environmentRead, policiesRead] = githubEnvironmentReads(config, environment);
    const found = read(environmentRead);
    return checkGitHubEnvironment(environment, config, found, found === undefined ? undefined : read(policiesRead));
  });
  return [
    ...environments,
    ...checkOidcSubjectTemplate(read(githubOidcSubjectRead(config))),
    ...checkRepositorySettings(config, read(githubRepositoryRead(config)), read(githubLabelRead(config))),
  ];
}

/** `gh api` through the `gh` CLI (authenticated with `gh auth login`); 404 is undefined. */
function ghRead(command: string[]): unknown {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  if (result.error) {
    throw new Error(`${command[0]}: ${result.error.message}; install the GitHub CLI and run gh auth login`);
  }
  if (result.status === 0) return JSON.parse(result.stdout);
  if (/HTTP 404/.test(result.stderr)) return undefined;
  throw new Error(`${command.join(' ')} failed with exit code ${result.status}: ${result.stderr.trim()}`);
}

/**
 * An AWS CLI read (your current AWS credentials): undefined when the bucket has no lifecycle configuration or the
 * repository no lifecycle policy. Any other failure throws.
 */
function awsRead(command: string[]): unknown {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  if (result.error) throw new Error(`${command[0]}: ${result.error.message}; install the AWS CLI v2`);
  if (result.status === 0) return JSON.parse(result.stdout);
  if (/NoSuchLifecycleConfiguration|LifecyclePolicyNotFoundException/.test(result.stderr)) return undefined;
  throw new Error(`${command.join(' ')} failed with exit code ${result.status}: ${result.stderr.trim()}`);
}

const printable = (command: string[]) =>
  command.map((part) => (/[\s[\]]/.test(part) ? JSON.stringify(part) : part)).join(' ');

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

/**
 * Why `npm run bootstrap --check` must not run: npm takes `--check` as its own (unknown) config, passes no argument to
 * the script and sets `npm_config_check=true` in its environment instead (npm 11: "npm warn Unknown cli config
 * "--check"" — the script would then run a FULL bootstrap). The right spelling is `npm run bootstrap -- --check`.
 *
 * @returns the refusal (naming the variable, `--check` and what is accepted), or undefined when nothing was swallowed
 */
export function swallowedCheckFlag(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const swallowed = env['npm_config_check'];
  if (!swallowed || argv.includes('--check')) return undefined;
  return `npm_config_check: ${JSON.stringify(swallowed)} is set but --check is not among the arguments: \`npm run bootstrap --check\` passes --check to npm, not to bootstrap, and would run a FULL bootstrap; nothing was run. Accepted: \`npm run bootstrap -- --check\` (check only) or \`npm run bootstrap\` (bootstrap)`;
}

const program = new Command('bootstrap')
  .description(
    'Prepare an AWS account and the GitHub repository for the pipeline: CDK-bootstrap both Regions and the ARC control-plane Region, deploy the GitHub OIDC roles (your current AWS credentials), then create or update the GitHub Environments the workflows use, each restricted to the deploy branch, and the readiness label (the gh CLI, authenticated). --check only checks the Environments, the default branch (the deploy branch: readiness.yml runs on schedule), the readiness label and that no lifecycle rule of the CDK asset buckets and repositories evicts what a rollback redeploys.',
  )
  .option('--existing-oidc-provider', "the account already has GitHub's OIDC identity provider", false)
  .option('--dry-run', 'print the commands instead of running them', false)
  .option(
    '--check',
    "check the repository's GitHub Environments and their deployment branches (needs `gh auth login`), and the lifecycle rules of the CDK asset buckets and container-assets repositories (needs AWS credentials and the AWS CLI); prints what to set",
    false,
  )
  .action((options: { existingOidcProvider: boolean; dryRun: boolean; check: boolean }) => {
    const config = loadConfig({ env: process.env });
    if (options.check) {
      // What a rollback redeploys is never evicted (review M4): see pipeline/README.md, "What a rollback needs is kept".
      const retention = checkAssetRetention(config, awsRead);
      for (const problem of retention) console.log(`✗ ${problem}`);
      if (retention.length > 0) process.exitCode = 1;
      else console.log('CDK asset buckets and repositories: no lifecycle rule evicts what a rollback redeploys');
      const problems = checkGitHubEnvironments(config, ghRead);
      for (const problem of problems) console.log(`✗ ${problem}`);
      if (problems.length === 0) {
        console.log(`GitHub Environments of ${config.githubRepository}: all restricted to ${config.deployBranch}`);
        return;
      }
      console.log('To set them (creates or updates; a branch policy that exists already is answered with an error):');
      for (const command of githubEnvironmentCommands(config)) console.log(`$ ${printable(command)}`);
      if (problems.some((problem) => problem.startsWith('OIDC subject template'))) {
        console.log(`$ gh api --method PUT ${githubOidcSubjectRead(config)[2]} -F use_default=true`);
      }
      if (problems.some((problem) => problem.includes(': label ')))
        console.log(`$ ${printable(githubLabelCommand(config))}`);
      process.exitCode = 1;
      return;
    }
    if (config.account === PLACEHOLDER_ACCOUNT && !options.dryRun) {
      throw new Error(
        `account: ${JSON.stringify(config.account)} is the placeholder; set AWS_ACCOUNT_ID or config/shop-config.ts account to your 12-digit account id`,
      );
    }
    for (const command of bootstrapCommands(config, options)) {
      console.log(`$ ${printable(command)}`);
      if (options.dryRun) continue;
      const result = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit' });
      if (result.status !== 0)
        throw new Error(`${command.slice(0, 3).join(' ')} failed with exit code ${result.status}`);
    }
    // The GitHub Environments (review M6): create or update each, then add the deploy branch unless it is there.
    const environments = githubEnvironments(config);
    githubEnvironmentCommands(config).forEach((command, index) => {
      const environment = environments[Math.floor(index / 2)]!;
      if (!options.dryRun && command[3] === 'POST') {
        const policies = ghRead(githubEnvironmentReads(config, environment)[1]) as {
          branch_policies?: Array<{ name: string }>;
        };
        if (policies.branch_policies?.some((policy) => policy.name === config.deployBranch)) return;
      }
      console.log(`$ ${printable(command)}`);
      if (options.dryRun) return;
      const result = spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
      if (result.status !== 0) throw new Error(`${printable(command)} failed with exit code ${result.status}`);
    });
    // readiness.yml's issue label (issue 17), created unless it exists: the workflow's token may not be allowed to.
    if (options.dryRun || ghRead(githubLabelRead(config)) === undefined) {
      const command = githubLabelCommand(config);
      console.log(`$ ${printable(command)}`);
      if (!options.dryRun) {
        const result = spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
        if (result.status !== 0) throw new Error(`${printable(command)} failed with exit code ${result.status}`);
      }
    }
    if (!options.dryRun) {
      // Reviewers are a person's choice (the game-day approval must have some): named as the step left, not a failure.
      const problems = checkGitHubEnvironments(config, ghRead);
      const reviewers = problems.filter((problem) => problem.includes(NO_REQUIRED_REVIEWERS));
      for (const problem of reviewers) console.log(`To do: ${problem}`);
      const wrong = problems.filter((problem) => !reviewers.includes(problem));
      if (wrong.length > 0) throw new Error(`GitHub Environments still wrong:\n${wrong.join('\n')}`);
    }
  });

if (require.main === module) {
  const swallowed = swallowedCheckFlag(process.argv, process.env);
  if (swallowed) {
    console.error(`bootstrap: ${swallowed}`);
    process.exit(2);
  }
  program.parseAsync().catch((error: Error) => {
    console.error(`bootstrap: ${error.message}`);
    process.exitCode = 1;
  });
}
