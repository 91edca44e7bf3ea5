import { YamlFile } from 'cdk-pipelines-github';
import { CFN_LINT_VERSION, pinActionsOf } from './action-pins';
import { BUNDLE_DIR } from './bundled-cli';
import { checkout, setupNode } from './job-steps';
import { GENERATED_HEADER } from './workflow-header';

/** What CI regenerates and requires to be committed as generated: the workflows and the CLI bundles. */
const GENERATED = `.github/workflows ${BUNDLE_DIR}`;

/**
 * The pull-request workflow `ci.yml`: the project's own CI (`.ci/run`: install, `npm test`, cfn-lint where
 * present), then a check that `npm run synth` and `npm run bundle` leave the committed workflows and CLI bundles
 * unchanged.
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
          checkout(),
          setupNode({ npmCache: true }),
          { name: 'Install cfn-lint', run: `pipx install cfn-lint==${CFN_LINT_VERSION}` },
          { name: 'Test', run: '.ci/run' },
          { name: 'Synthesize', run: 'npm run synth' },
          // The workflows run the committed CLI bundles (review M9): a CLI changed without `npm run bundle` fails here.
          { name: 'Bundle the CLIs', run: 'npm run bundle' },
          {
            name: 'Fail when the committed workflows or CLI bundles are stale',
            // --porcelain also lists new, untracked files, which git diff does not.
            run: `test -z "$(git status --porcelain -- ${GENERATED})" || (git status --porcelain -- ${GENERATED} && echo "::error::run npm run synth and npm run bundle, and commit ${GENERATED}" && exit 1)`,
          },
        ],
      },
    },
  };
  const file = new YamlFile(workflowPath, { obj: workflow });
  file.commentAtTop = GENERATED_HEADER;
  return pinActionsOf(file);
}
