import { loadConfig } from '../../config';
import { checkGitHubEnvironments } from '../../pipeline/bootstrap';
import {
  checkRepositorySettings,
  githubLabelCommand,
  githubLabelRead,
  githubRepositoryRead,
  READINESS_LABEL,
} from '../../pipeline/github-repository-settings';

// Issue 17: readiness.yml runs on schedule, which GitHub runs on the default branch only, in an Environment that
// admits the deploy branch only; and its issue carries a label the workflow's token may not be allowed to create.

const config = loadConfig({ base: { githubRepository: 'acme/shop', account: '123456789012' } });

describe('checkRepositorySettings (npm run bootstrap -- --check)', () => {
  test('GIVEN the default branch is the deploy branch and the label exists THEN no problem', () => {
    expect(checkRepositorySettings(config, { default_branch: 'main' }, { name: 'readiness' })).toEqual([]);
  });

  test('GIVEN another default branch THEN it is named with the deploy branch as what is accepted', () => {
    expect(checkRepositorySettings(config, { default_branch: 'develop' }, { name: 'readiness' })).toEqual([
      'acme/shop: default_branch is "develop"; accepted: "main", the deploy branch (readiness.yml\'s schedule runs on the default branch only and its Environment admits the deploy branch only)',
    ]);
  });

  test('GIVEN no readiness label THEN it is named, with bootstrap as the way to create it', () => {
    expect(checkRepositorySettings(config, { default_branch: 'main' }, undefined)).toEqual([
      "acme/shop: label readiness does not exist; accepted: the label, which npm run bootstrap creates (readiness.yml's token may not be allowed to create it, and an issue without it is opened again every run)",
    ]);
  });

  test('reads and creates with gh api (Get a repository, Get a label, Create a label)', () => {
    expect(githubRepositoryRead(config)).toEqual(['gh', 'api', 'repos/acme/shop']);
    expect(githubLabelRead(config)).toEqual(['gh', 'api', 'repos/acme/shop/labels/readiness']);
    expect(githubLabelCommand(config)).toEqual([
      'gh',
      'api',
      '--method',
      'POST',
      'repos/acme/shop/labels',
      '-f',
      'name=readiness',
      '-f',
      'color=b60205',
      '-f',
      `description=${READINESS_LABEL.description}`,
    ]);
    // GitHub REST "Create a label": description "A short description of the label. Must be 100 characters or fewer."
    expect(READINESS_LABEL.description.length).toBeLessThanOrEqual(100);
    expect(READINESS_LABEL.color).toMatch(/^[0-9a-f]{6}$/);
  });

  test('GIVEN every Environment right WHEN bootstrap checks THEN it also reads the repository and the label, and names what is wrong there', () => {
    const reads: string[] = [];
    const read = (command: string[]) => {
      reads.push(command.join(' '));
      const path = command[2]!;
      if (path === 'repos/acme/shop') return { default_branch: 'trunk' };
      if (path === 'repos/acme/shop/labels/readiness') return undefined;
      if (path === 'repos/acme/shop/actions/oidc/customization/sub') return { use_default: true };
      if (path.endsWith('/deployment-branch-policies')) return { branch_policies: [{ name: 'main', type: 'branch' }] };
      return { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } };
    };

    const problems = checkGitHubEnvironments(config, read);

    expect(reads.slice(-2)).toEqual(['gh api repos/acme/shop', 'gh api repos/acme/shop/labels/readiness']);
    expect(problems.map((problem) => problem.split(';')[0])).toEqual([
      'acme/shop: default_branch is "trunk"',
      'acme/shop: label readiness does not exist',
    ]);
  });
});
