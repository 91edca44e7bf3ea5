import { YamlFile } from 'cdk-pipelines-github';
import { CFN_LINT_VERSION, pinActionsOf } from './action-pins';
import { checkoutAndInstall } from './job-steps';
import { GENERATED_HEADER } from './workflow-header';

/**
 * The pull-request workflow `ci.yml`: the project's own CI (`.ci/run`: install, `npm test`, cfn-lint where
 * present), then a check that `npm run synth` leaves the committed workflows unchanged.
 */
export function ciWorkflow(deployBranch: string, workflowPath = '.github/workflows/ci.yml'): YamlFile {
  const workflow = {
    name: 'ci',
    // Pushes to the deploy branch too, and the merge queue: a required check must run there (review m5).
    on: { pull_request: {}, push: { branches: [deployBranch] }, merge_group: {} },
    permissions: { contents: 'read' },
    concurrency: { group: 'ci-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: {
      test: {
        name: 'npm test',
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 60,
        // GitHub's Ubuntu runners ship Google Chrome; Debian's chromium package is what .ci/run installs elsewhere.
        env: { CHROMIUM_PATH: '/usr/bin/google-chrome' },
        steps: [
          ...checkoutAndInstall().filter((step) => step.run !== 'npm ci'),
          { name: 'Install cfn-lint', run: `pipx install cfn-lint==${CFN_LINT_VERSION}` },
          { name: 'Test', run: '.ci/run' },
          { name: 'Synthesize', run: 'npm run synth' },
          {
            name: 'Fail when the committed workflows are stale',
            // --porcelain also lists new, untracked workflow files, which git diff does not.
            run: 'test -z "$(git status --porcelain -- .github/workflows)" || (git status --porcelain -- .github/workflows && echo "::error::run npm run synth and commit .github/workflows" && exit 1)',
          },
        ],
      },
    },
  };
  const file = new YamlFile(workflowPath, { obj: workflow });
  file.commentAtTop = GENERATED_HEADER;
  return pinActionsOf(file);
}
