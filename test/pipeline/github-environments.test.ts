import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { loadConfig } from '../../config';
import { checkGitHubEnvironments } from '../../pipeline/bootstrap';
import {
  checkGitHubEnvironment,
  checkOidcSubjectTemplate,
  githubEnvironmentCommands,
  githubEnvironments,
  githubOidcSubjectRead,
} from '../../pipeline/github-environments';
import { GitHubOidcStack } from '../../pipeline/github-oidc-stack';

const config = loadConfig({ base: { githubRepository: 'acme/shop', account: '123456789012' } });

/** Every `environment:` of every job of the committed workflows (a name or `{ name }`). */
function workflowEnvironments(): string[] {
  const names = new Set<string>();
  for (const file of ['deploy.yml', 'failover.yml', 'ci.yml', 'readiness.yml']) {
    const workflow = parse(readFileSync(join(__dirname, '../../.github/workflows', file), 'utf8'));
    for (const job of Object.values(workflow.jobs) as Array<{ environment?: string | { name: string } }>) {
      if (job.environment) names.add(typeof job.environment === 'string' ? job.environment : job.environment.name);
    }
  }
  return [...names].sort();
}

describe('githubEnvironments (review M6)', () => {
  test('covers every Environment the committed workflows use', () => {
    // GitHub: "Running a workflow that references an environment that does not exist will create an environment
    // with the referenced name" (unprotected): bootstrap must create each one first.
    const names = githubEnvironments(config).map((environment) => environment.name);
    expect(workflowEnvironments().length).toBeGreaterThan(0);
    expect(names).toEqual(expect.arrayContaining(workflowEnvironments()));
  });

  test('covers every Environment an OIDC role trusts, even one the current workflows do not use (bake-wait)', () => {
    // A trusted Environment that does not exist could be created, unprotected, by a workflow on any branch.
    expect(githubEnvironments(config).map((environment) => environment.name)).toEqual([
      'us-east-1',
      'us-west-2',
      'global',
      'failover',
      'us-east-1-bake-wait',
      'us-west-2-bake-wait',
      'shop-dev-readiness',
    ]);
  });
});

describe('githubEnvironmentCommands', () => {
  test('creates or updates each Environment with the deploy branch as its only deployment branch', () => {
    // GIVEN a configuration whose bake fits one job (no wait timer)
    // WHEN the commands are generated
    const commands = githubEnvironmentCommands(config);
    // THEN each Environment is PUT (create or update) with custom branch policies, then the branch policy added
    expect(commands.slice(0, 2)).toEqual([
      [
        'gh',
        'api',
        '--method',
        'PUT',
        'repos/acme/shop/environments/us-east-1',
        '-F',
        'deployment_branch_policy[protected_branches]=false',
        '-F',
        'deployment_branch_policy[custom_branch_policies]=true',
      ],
      [
        'gh',
        'api',
        '--method',
        'POST',
        'repos/acme/shop/environments/us-east-1/deployment-branch-policies',
        '-f',
        'name=main',
        '-f',
        'type=branch',
      ],
    ]);
    expect(commands).toHaveLength(14);
  });

  test('a split bake sets the wait timer of the bake-wait Environments', () => {
    const long = loadConfig({ base: { githubRepository: 'acme/shop', account: '123456789012', bakeMinutes: 60 } });
    const put = githubEnvironmentCommands(long).find(
      (command) => command[4] === 'repos/acme/shop/environments/us-west-2-bake-wait',
    );
    expect(put).toEqual([
      'gh',
      'api',
      '--method',
      'PUT',
      'repos/acme/shop/environments/us-west-2-bake-wait',
      '-F',
      'deployment_branch_policy[protected_branches]=false',
      '-F',
      'deployment_branch_policy[custom_branch_policies]=true',
      '-F',
      'wait_timer=35',
    ]);
  });
});

describe('checkGitHubEnvironment', () => {
  const failover = githubEnvironments(config).find((environment) => environment.name === 'failover')!;
  const bakeWait = githubEnvironments(config).find((environment) => environment.name === 'us-east-1-bake-wait')!;
  const protectedEnvironment = {
    name: 'failover',
    protection_rules: [{ type: 'required_reviewers', reviewers: [{ type: 'User' }] }],
    deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
  };
  const onlyMain = { total_count: 1, branch_policies: [{ id: 1, name: 'main', type: 'branch' }] };

  test('an Environment restricted to the deploy branch passes', () => {
    expect(checkGitHubEnvironment(failover, config, protectedEnvironment, onlyMain)).toEqual([]);
  });

  test('a missing Environment is named with what to set', () => {
    expect(checkGitHubEnvironment(failover, config, undefined, undefined)).toEqual([
      'failover: does not exist (GitHub would create it unprotected the first time a workflow references it)',
    ]);
  });

  test('an Environment open to every branch, or to another branch too, fails', () => {
    expect(
      checkGitHubEnvironment(failover, config, { ...protectedEnvironment, deployment_branch_policy: null }, onlyMain),
    ).toEqual([
      'failover: deployment_branch_policy is null (every branch may deploy); accepted: custom branch policies with only the branch main',
    ]);
    expect(
      checkGitHubEnvironment(failover, config, protectedEnvironment, {
        total_count: 2,
        branch_policies: [...onlyMain.branch_policies, { id: 2, name: 'release/*', type: 'branch' }],
      }),
    ).toEqual([
      'failover: deployment branch policies are ["branch main","branch release/*"]; accepted: ["branch main"]',
    ]);
  });

  test('a bake-wait Environment with reviewers fails (its job holds credentials and must never wait for a person)', () => {
    expect(
      checkGitHubEnvironment(bakeWait, config, { ...protectedEnvironment, name: bakeWait.name }, onlyMain),
    ).toEqual([
      'us-east-1-bake-wait: has required reviewers; accepted: none (its jobs hold credentials and must not wait for a person)',
    ]);
  });
});

describe('checkGitHubEnvironments (npm run bootstrap -- --check)', () => {
  test('reads each Environment and its branch policies with gh api, and names every one that is wrong', () => {
    // GIVEN a repository where only failover exists, restricted to main
    const reads: string[] = [];
    const read = (command: string[]) => {
      reads.push(command.join(' '));
      if (command[2] === 'repos/acme/shop/environments/failover') {
        return { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } };
      }
      if (command[2] === 'repos/acme/shop/environments/failover/deployment-branch-policies') {
        return { branch_policies: [{ name: 'main', type: 'branch' }] };
      }
      if (command[2] === 'repos/acme/shop/actions/oidc/customization/sub') return { use_default: true };
      return undefined;
    };
    // WHEN bootstrap checks
    const problems = checkGitHubEnvironments(config, read);
    // THEN it read exactly these, and the six missing Environments are problems, and the repository's default branch
    // and readiness label (answered 404 here)
    expect(reads).toEqual([
      'gh api repos/acme/shop/environments/us-east-1',
      'gh api repos/acme/shop/environments/us-west-2',
      'gh api repos/acme/shop/environments/global',
      'gh api repos/acme/shop/environments/failover',
      'gh api repos/acme/shop/environments/failover/deployment-branch-policies',
      'gh api repos/acme/shop/environments/us-east-1-bake-wait',
      'gh api repos/acme/shop/environments/us-west-2-bake-wait',
      'gh api repos/acme/shop/environments/shop-dev-readiness',
      'gh api repos/acme/shop/actions/oidc/customization/sub',
      'gh api repos/acme/shop',
      'gh api repos/acme/shop/labels/readiness',
    ]);
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'us-east-1',
      'us-west-2',
      'global',
      'us-east-1-bake-wait',
      'us-west-2-bake-wait',
      'shop-dev-readiness',
      'acme/shop',
      'acme/shop',
    ]);
  });
});

describe('the Environments the OIDC roles trust', () => {
  test('are all created and restricted by bootstrap (a trusted Environment left to GitHub would be unprotected)', () => {
    // GIVEN the synthesized OIDC stack
    const app = new App();
    const stack = new GitHubOidcStack(app, 'Oidc', {
      env: { account: config.account, region: config.primaryRegion },
      config,
    });
    // WHEN we collect every environment:<name> of every role's trust
    const trusted = [
      ...JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Role')).matchAll(
        /repo:acme\/shop:environment:([A-Za-z0-9._-]+)/g,
      ),
    ].map((match) => match[1]!);
    // THEN bootstrap covers each
    expect(trusted.length).toBeGreaterThan(0);
    expect(githubEnvironments(config).map((environment) => environment.name)).toEqual(
      expect.arrayContaining([...new Set(trusted)]),
    );
  });
});

describe('checkOidcSubjectTemplate', () => {
  test("the roles' trust needs GitHub's default sub; a customized template is named", () => {
    // GitHub REST "Get the customization template for an OIDC subject claim for a repository": use_default true
    // means GitHub's default sub (repo:<repo>:environment:<name> / repo:<repo>:ref:<ref>), which the trust matches.
    expect(githubOidcSubjectRead(config)).toEqual(['gh', 'api', 'repos/acme/shop/actions/oidc/customization/sub']);
    expect(checkOidcSubjectTemplate({ use_default: true })).toEqual([]);
    expect(checkOidcSubjectTemplate({ use_default: false, include_claim_keys: ['repo', 'context', 'ref'] })).toEqual([
      'OIDC subject template: include_claim_keys ["repo","context","ref"]; accepted: use_default true (the roles trust GitHub\'s default sub: repo:<repo>:environment:<name>, repo:<repo>:ref:<ref>)',
    ]);
  });
});
