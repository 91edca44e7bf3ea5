import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parse } from 'yaml';
import { gameDayPortsOptions } from '../../.github/actions/gameday/aws-phase-runner';
import {
  MAX_WAIT_MINUTES,
  PHASE_MARGIN_MINUTES,
  readGameDayInputs,
} from '../../.github/actions/gameday/gameday-inputs';
import { loadConfig } from '../../config';
import { GAMEDAY_JOB_PHASES, gameDayWorkflow } from '../../pipeline/gameday-workflow';
import {
  checkGitHubEnvironment,
  githubEnvironmentCommands,
  githubEnvironments,
} from '../../pipeline/github-environments';
import { GitHubOidcStack } from '../../pipeline/github-oidc-stack';
import { buildShopApp, extraWorkflowsOf, type ShopApp, writeExtraWorkflows } from '../../pipeline/shop-app';
import { GENERATED_HEADER } from '../../pipeline/workflow-header';
import { FAULT_INJECTION_ACTIONS } from '../../runbooks/adapters/aws/fis';
import { REPORT_BUCKETS_ACTIONS } from '../../runbooks/adapters/aws/gameday-buckets';
import { REGION_FACTS_ACTIONS } from '../../runbooks/adapters/aws/gameday-region-facts';
import { SHOPPER_SCHEDULE_ACTIONS } from '../../runbooks/adapters/aws/scheduler';
import { GAMEDAY_PHASES } from '../../runbooks/gameday/gameday-phases';
import { actionlint, actionlintClean } from './actionlint';

const REPO = path.resolve(__dirname, '..', '..');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  name?: string;
  needs?: string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { workflow_dispatch: { inputs: Record<string, Record<string, unknown>> } };
  permissions: unknown;
  concurrency: unknown;
  jobs: Record<string, Job>;
}

const enabled = loadConfig({ base: { gameDays: { enabled: true } } });
const text = gameDayWorkflow(enabled).toYaml();
const workflow = parse(text) as Workflow;
const PHASE_JOBS = ['preflight', 'inject', 'failover', 'await-return', 'recover', 'score', 'clean-up'];

const credentialSteps = (job: Job) =>
  job.steps.filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));
const cliSteps = (job: Job) => job.steps.filter((step) => step.run === 'node .github/actions/dist/gameday.cjs');

/** Every job `id` waits for, directly or through others. */
function ancestors(id: string, seen = new Set<string>()): Set<string> {
  for (const need of workflow.jobs[id]?.needs ?? []) {
    if (!seen.has(need)) {
      seen.add(need);
      ancestors(need, seen);
    }
  }
  return seen;
}

describe('gameday.yml (issue 16)', () => {
  test('starts with the generated-file header', () => {
    const header = GENERATED_HEADER.split('\n').map((line) => `# ${line}`);
    expect(text.split('\n').slice(0, header.length)).toEqual(header);
  });

  test('is dispatched by hand with the Region to fail (one of the two), dry_run (default true), a required reason, and an optional game_day_id and resume_at', () => {
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch']);
    expect(inputs['failed_region']).toMatchObject({
      type: 'choice',
      required: true,
      options: [enabled.primaryRegion, enabled.standbyRegion],
      default: enabled.primaryRegion,
    });
    expect(inputs['dry_run']).toMatchObject({ type: 'boolean', default: true });
    expect(inputs['reason']).toMatchObject({ type: 'string', required: true });
    expect(inputs['game_day_id']).toMatchObject({ type: 'string', required: false, default: '' });
    expect(inputs['resume_at']).toMatchObject({ type: 'choice', options: [...GAMEDAY_PHASES], default: 'preflight' });
  });

  test('grants nothing at the top and the least each job needs', () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs['validate']!.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs['approve']!.permissions).toEqual({});
    for (const id of PHASE_JOBS) {
      // actions: read for the run's review history (the approver in the summary)
      expect([id, workflow.jobs[id]!.permissions]).toEqual([
        id,
        { contents: 'read', 'id-token': 'write', actions: 'read' },
      ]);
    }
  });

  test('validates the inputs with the CLI in a job with no credentials and no Environment, before anyone is asked to approve', () => {
    const validate = workflow.jobs['validate']!;
    expect(validate.environment).toBeUndefined();
    expect(credentialSteps(validate)).toEqual([]);
    expect(cliSteps(validate).map((step) => step.env?.['INPUT_VALIDATE_ONLY'])).toEqual(['true']);
    expect(validate.outputs).toEqual({
      game_day_id: '${{ steps.validate.outputs.game_day_id }}',
      phases: '${{ steps.validate.outputs.phases }}',
    });
    expect(workflow.jobs['approve']!.needs).toEqual(['validate']);
  });

  test('one approval in the reviewers Environment <app>-<env>-gameday, whose job holds no credentials, gates every phase', () => {
    const approve = workflow.jobs['approve']!;
    expect(approve.environment).toBe('shop-dev-gameday');
    expect(credentialSteps(approve)).toEqual([]);
    expect(approve.steps.some((step) => step.uses !== undefined)).toBe(false);
    const inReviewersEnvironment = Object.entries(workflow.jobs).filter(
      ([, job]) => job.environment === 'shop-dev-gameday',
    );
    expect(inReviewersEnvironment.map(([id]) => id)).toEqual(['approve']);
    for (const id of PHASE_JOBS) {
      expect([id, ancestors(id).has('approve')]).toEqual([id, true]);
      // GitHub holds every job referencing a reviewers Environment until someone approves it: the phase jobs use the
      // run Environment, which the game-day role trusts and which has no reviewers.
      expect([id, workflow.jobs[id]!.environment]).toEqual([id, 'shop-dev-gameday-run']);
    }
  });

  test('the approval job’s summary names the game day and that there is no verdict yet, and its output names the attempt it was approved in (run in bash as GitHub runs it)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gameday-approve-'));
    try {
      const summary = path.join(dir, 'summary.md');
      const output = path.join(dir, 'output.txt');
      const step = workflow.jobs['approve']!.steps[0]!;
      const ran = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
        env: {
          PATH: process.env['PATH'] ?? '',
          GITHUB_STEP_SUMMARY: summary,
          GITHUB_OUTPUT: output,
          GITHUB_RUN_ATTEMPT: '3',
          GAME_DAY_ID: 'gd-20261207T043000Z-a1b2',
          FAILED_REGION: 'us-east-1',
          PHASES: '["preflight"]',
        },
        encoding: 'utf8',
      });
      expect(ran.status).toBe(0);
      expect(readFileSync(summary, 'utf8')).toBe(
        '## Game day `gd-20261207T043000Z-a1b2` approved\n\nFault in: `us-east-1`; phases: ["preflight"]\n\nVerdict: not yet (the score phase gives it).\n',
      );
      // review 16d G1: the phases compare it with their own GITHUB_RUN_ATTEMPT
      expect(readFileSync(output, 'utf8')).toBe('attempt=3\n');
      expect(workflow.jobs['approve']!.outputs).toEqual({ attempt: '${{ steps.approved.outputs.attempt }}' });
      for (const id of PHASE_JOBS) {
        for (const cli of workflow.jobs[id]!.steps.filter((s) => s.run?.includes('gameday.cjs'))) {
          expect([id, cli.env?.['INPUT_APPROVED_ATTEMPT']]).toEqual([id, '${{ needs.approve.outputs.attempt }}']);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every phase job assumes the game-day role in the surviving Region for at most an hour, and runs no longer than its credentials', () => {
    for (const id of PHASE_JOBS) {
      const job = workflow.jobs[id]!;
      const [credentials, ...more] = credentialSteps(job);
      expect([id, more]).toEqual([id, []]);
      expect(credentials?.with).toMatchObject({
        'role-to-assume': `arn:aws:iam::${enabled.account}:role/shop-dev-github-gameday`,
        'aws-region': "${{ inputs.failed_region == 'us-east-1' && 'us-west-2' || 'us-east-1' }}",
        'role-session-name': 'gh-${{ github.run_id }}-${{ github.run_attempt }}',
      });
      const seconds = Number(credentials?.with?.['role-duration-seconds']);
      // IAM: a role session lasts at most the role's maximum session duration; the role is created with one hour.
      expect([id, seconds <= 3600]).toEqual([id, true]);
      expect([id, job['timeout-minutes']! * 60 <= seconds + 600]).toEqual([id, true]);
      // the CLI runs after the credentials
      expect(job.steps.indexOf(credentials!)).toBeLessThan(job.steps.indexOf(cliSteps(job)[0]!));
    }
  });

  test('every job has a timeout-minutes', () => {
    for (const [id, job] of Object.entries(workflow.jobs)) {
      expect([id, typeof job['timeout-minutes']]).toEqual([id, 'number']);
    }
  });

  test('await-return follows the old Region for at most 50 minutes, 5 before its credentials end', () => {
    const job = workflow.jobs['await-return']!;
    const [step] = cliSteps(job);
    expect(step?.env?.['INPUT_WAIT_MINUTES']).toBe(String(MAX_WAIT_MINUTES));
    const seconds = Number(credentialSteps(job)[0]?.with?.['role-duration-seconds']);
    expect(MAX_WAIT_MINUTES * 60 + 300).toBeLessThanOrEqual(seconds);
  });

  test('runs the phases in the contract’s order, each job its phases, the clean-up after all of them', () => {
    expect(PHASE_JOBS.flatMap((id) => cliSteps(workflow.jobs[id]!).map((step) => step.env?.['INPUT_PHASE']))).toEqual([
      ...GAMEDAY_PHASES,
    ]);
    expect(Object.values(GAMEDAY_JOB_PHASES).flat()).toEqual([...GAMEDAY_PHASES]);
    for (const [index, id] of PHASE_JOBS.slice(1).entries()) {
      expect([id, ancestors(id).has(PHASE_JOBS[index]!)]).toEqual([id, true]);
    }
    expect(new Set(workflow.jobs['clean-up']!.needs)).toEqual(
      new Set(['validate', 'approve', ...PHASE_JOBS.filter((id) => id !== 'clean-up')]),
    );
  });

  test('clean-up runs whatever happened before it once the game day was approved: always(), every step unless one of its own failed', () => {
    const cleanUp = workflow.jobs['clean-up']!;
    expect(cleanUp.if).toBe(
      `\${{ always() && needs.approve.result == 'success' && contains(needs.validate.outputs.phases, '"clean-up"') }}`,
    );
    // After a cancellation a step's implied success() is false: every step says when it runs.
    for (const step of cleanUp.steps) expect([step.name, step.if]).toEqual([step.name, '${{ !failure() }}']);
    // It is told the verdict an earlier job reached, the score's first.
    expect(cliSteps(cleanUp)[0]?.env?.['INPUT_VERDICT']).toMatch(/^\$\{\{ needs\.score\.outputs\.verdict \|\| /);
  });

  test('every phase job but the clean-up runs only when nothing before it failed or was cancelled and the dispatch runs its phase', () => {
    for (const id of PHASE_JOBS.filter((job) => job !== 'clean-up')) {
      const phases = GAMEDAY_JOB_PHASES[id as keyof typeof GAMEDAY_JOB_PHASES];
      expect([id, workflow.jobs[id]!.if]).toEqual([
        id,
        `\${{ !cancelled() && !failure() && (${phases.map((phase) => `contains(needs.validate.outputs.phases, '"${phase}"')`).join(' || ')}) }}`,
      ]);
    }
  });

  test('every action is pinned to a full commit SHA with its release tag in a comment; the CLI is the committed bundle under node', () => {
    const uses = text.split('\n').filter((line) => /^\s*(- )?uses: /.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/^\s*(- )?uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const checkouts = job.steps.filter((step) => step.uses?.startsWith('actions/checkout@'));
      for (const checkout of checkouts) {
        expect([id, checkout.with]).toEqual([
          id,
          { 'persist-credentials': false, 'sparse-checkout': '.github/actions/dist' },
        ]);
      }
      expect([id, job.steps.filter((step) => /\b(npm|npx|tsx)\b/.test(step.run ?? '')).length]).toEqual([id, 0]);
    }
  });

  test('has a concurrency group of its own that never cancels: two game days of one environment never run at once', () => {
    expect(workflow.concurrency).toEqual({ group: 'shop-dev-gameday', 'cancel-in-progress': false });
  });

  test('actionlint reports nothing', () => {
    expect(actionlint({ 'gameday.yml': text })).toEqual({ stdout: actionlintClean(1), status: 0 });
  });

  test('matches its snapshot', () => {
    expect(workflow).toMatchSnapshot();
  });
});

describe('every phase step hands the CLI its deadline and how to reach the shop, and the CLI hands them to the ports (review 16d G4, G5)', () => {
  const CERTIFICATE = 'arn:aws:acm:us-west-2:111111111111:certificate/00000000-0000-0000-0000-000000000000';
  const https = loadConfig({ base: { gameDays: { enabled: true }, certificateArns: { 'us-west-2': CERTIFICATE } } });
  /** What GitHub puts for each expression of a step's env in a new game day of attempt 1 (unknown ones: empty). */
  const DISPATCHED: Record<string, string> = {
    'inputs.failed_region': 'us-east-1',
    'inputs.dry_run': 'false',
    'inputs.reason': 'CHG-16',
    'inputs.game_day_id': '',
    'inputs.resume_at': 'preflight',
    'needs.validate.outputs.game_day_id': 'gd-20261207T043000Z-a1b2',
    'needs.approve.outputs.attempt': '1',
  };
  /** `core.getInput` over a step's env as GitHub evaluates it (`INPUT_<NAME>`, trimmed). */
  const inputsOf = (env: Record<string, string>) => (name: string) =>
    (env[`INPUT_${name.toUpperCase()}`] ?? '')
      .replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => DISPATCHED[expression] ?? '')
      .trim();
  const phaseSteps = (wf: Workflow) =>
    PHASE_JOBS.flatMap((id) => {
      const job = wf.jobs[id]!;
      const minutes = Number(credentialSteps(job)[0]?.with?.['role-duration-seconds']) / 60;
      return cliSteps(job).map((step) => ({ id, minutes, phases: cliSteps(job).length, env: step.env ?? {} }));
    });

  test('GIVEN certificates in us-west-2 only THEN every step, the validate one too, names the public host name and the HTTPS Regions, and the ports get them', () => {
    const wf = parse(gameDayWorkflow(https).toYaml()) as Workflow;
    const validate = cliSteps(wf.jobs['validate']!)[0]!.env!;
    expect([validate['INPUT_PUBLIC_HOST_NAME'], validate['INPUT_HTTPS_REGIONS']]).toEqual([
      'www.shop.example.com',
      'us-west-2',
    ]);
    for (const { id, env } of phaseSteps(wf)) {
      const options = gameDayPortsOptions(readGameDayInputs(inputsOf(env)), () => {});
      expect([id, options.publicHostName, options.httpsRegions]).toEqual([id, 'www.shop.example.com', ['us-west-2']]);
    }
  });

  test('GIVEN no certificate THEN the ports reach no Region over HTTPS', () => {
    for (const { id, env } of phaseSteps(workflow)) {
      expect([id, gameDayPortsOptions(readGameDayInputs(inputsOf(env)), () => {}).httpsRegions]).toEqual([id, []]);
    }
  });

  test('GIVEN each phase job THEN its phases’ deadlines together end 5 minutes before its credentials, and the ports get them (preflight: 25 of 30)', () => {
    const deadlines = phaseSteps(workflow).map(({ id, minutes, phases, env }) => ({
      id,
      minutes,
      phases,
      phase: env['INPUT_PHASE'],
      phaseMinutes: gameDayPortsOptions(readGameDayInputs(inputsOf(env)), () => {}).settings?.phaseMinutes,
    }));
    for (const { id, minutes, phases, phaseMinutes } of deadlines) {
      // each phase its share of the job's credentials, less the margin for the record and the summary
      expect([id, phaseMinutes]).toEqual([id, Math.floor((minutes - PHASE_MARGIN_MINUTES) / phases)]);
      expect([id, phaseMinutes! * phases + PHASE_MARGIN_MINUTES <= minutes]).toEqual([id, true]);
    }
    expect(deadlines.map(({ phase, phaseMinutes }) => [phase, phaseMinutes])).toEqual([
      ['preflight', 25],
      ['start-traffic', 12],
      ['inject', 12],
      ['failover', 50],
      ['await-return', 50],
      ['recover', 50],
      ['score', 25],
      ['clean-up', 25],
    ]);
  });
});

describe('gameday.yml is offered only when game days are enabled', () => {
  test('GIVEN game days disabled (the committed configuration) THEN synth writes no gameday.yml and withdraws one left behind', () => {
    const config = loadConfig();
    expect(config.gameDays.enabled).toBe(false);
    const dir = mkdtempSync(path.join(tmpdir(), 'gameday-withdrawn-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      mkdirSync('workflows');
      writeFileSync(path.join('workflows', 'gameday.yml'), 'stale');
      const extra = extraWorkflowsOf(config, 'workflows');
      expect(extra.withdrawnWorkflows).toEqual([path.join('workflows', 'gameday.yml')]);
      writeExtraWorkflows({ ...extra } as unknown as ShopApp);
      expect(existsSync(path.join('workflows', 'gameday.yml'))).toBe(false);
      expect(existsSync(path.join('workflows', 'failover.yml'))).toBe(true);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
    // and the repository, generated from that configuration, has none
    expect(existsSync(path.join(REPO, '.github', 'workflows', 'gameday.yml'))).toBe(false);
  });

  test('GIVEN game days enabled THEN synth writes gameday.yml beside failover.yml and withdraws nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gameday-offered-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      mkdirSync('workflows');
      const extra = extraWorkflowsOf(enabled, 'workflows');
      expect(extra.withdrawnWorkflows).toEqual([]);
      writeExtraWorkflows({ ...extra } as unknown as ShopApp);
      expect(readFileSync(path.join('workflows', 'gameday.yml'), 'utf8')).toBe(text);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('synth with game days enabled (the whole app, into a scratch directory)', () => {
  test('GIVEN gameDays.enabled THEN synth writes gameday.yml next to the assembly (the configuration differs from the committed one), exactly as gameDayWorkflow renders it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gameday-synth-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const context = JSON.parse(readFileSync(path.join(REPO, 'cdk.json'), 'utf8')).context;
      const app = new App({ outdir: 'cdk.out', context, builtinCloudFormationValidation: false });
      const shop = buildShopApp(app, enabled);
      app.synth();
      writeExtraWorkflows(shop);
      expect(shop.overriddenFields).toEqual(['gameDays']);
      expect(readFileSync(path.join(shop.workflowDir, 'gameday.yml'), 'utf8')).toBe(text);
      expect(shop.workflowDir).toBe(path.join('cdk.out', '.github', 'workflows'));
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the game day’s GitHub Environments (npm run bootstrap)', () => {
  const approval = () => githubEnvironments(enabled).find((environment) => environment.name === 'shop-dev-gameday')!;
  const phases = () => githubEnvironments(enabled).find((environment) => environment.name === 'shop-dev-gameday-run')!;
  const onlyMain = { branch_policies: [{ name: 'main', type: 'branch' }] };
  const restricted = { deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } };
  const reviewers = { type: 'required_reviewers' };

  test('GIVEN game days enabled THEN bootstrap creates every Environment gameday.yml references: the approval (reviewers demanded) and the phase jobs’ (reviewers refused)', () => {
    const names = githubEnvironments(enabled).map((environment) => environment.name);
    const used = [
      ...new Set(
        Object.values(workflow.jobs)
          .map((job) => job.environment)
          .filter(Boolean),
      ),
    ];
    expect(used.sort()).toEqual(['shop-dev-gameday', 'shop-dev-gameday-run']);
    expect(names).toEqual(expect.arrayContaining(used));
    expect(approval()).toMatchObject({ requiresReviewers: true, noReviewers: false });
    expect(phases()).toMatchObject({ noReviewers: true });
  });

  test('GIVEN game days disabled THEN neither exists: nothing would use them', () => {
    const names = githubEnvironments(loadConfig()).map((environment) => environment.name);
    expect(names.filter((name) => name.includes('gameday'))).toEqual([]);
  });

  // GitHub REST "Get an environment": a required_reviewers protection rule carries `prevent_self_review` ("Whether
  // deployments to this environment can be approved by the user who created the deployment"); the environment carries
  // `can_admins_bypass` (go-github #2722: "The response from both the list and detail repos/.../environment endpoints
  // include the can_admins_bypass field"; not in GitHub's reference text we could find: unverified).
  const guarded = { ...restricted, can_admins_bypass: false };
  const selfReviewPrevented = { ...reviewers, prevent_self_review: true };

  test('GIVEN the approval Environment without reviewers THEN the check names it; with reviewers, self-review prevented and no admin bypass it passes', () => {
    expect(checkGitHubEnvironment(approval(), enabled, { ...guarded, protection_rules: [] }, onlyMain)).toEqual([
      'shop-dev-gameday: has no required reviewers; accepted: at least one (Settings → Environments → shop-dev-gameday: a game day injects faults, someone must approve it; then run npm run bootstrap again, it sets prevent_self_review)',
    ]);
    expect(
      checkGitHubEnvironment(approval(), enabled, { ...guarded, protection_rules: [selfReviewPrevented] }, onlyMain),
    ).toEqual([]);
  });

  test('GIVEN the approval Environment lets the dispatcher approve their own game day, or admins bypass it THEN the check names each (review 16d G2)', () => {
    expect(
      checkGitHubEnvironment(
        approval(),
        enabled,
        { ...restricted, can_admins_bypass: true, protection_rules: [{ ...reviewers, prevent_self_review: false }] },
        onlyMain,
      ),
    ).toEqual([
      'shop-dev-gameday: prevent_self_review is false; accepted: true (whoever dispatches a game day must not approve it: npm run bootstrap sets it)',
      'shop-dev-gameday: can_admins_bypass is true; accepted: false (an administrator must not start a game day without an approval: npm run bootstrap sets it)',
    ]);
    // a response without the fields fails closed
    expect(
      checkGitHubEnvironment(approval(), enabled, { ...restricted, protection_rules: [reviewers] }, onlyMain),
    ).toEqual([
      'shop-dev-gameday: prevent_self_review is missing; accepted: true (whoever dispatches a game day must not approve it: npm run bootstrap sets it)',
      'shop-dev-gameday: can_admins_bypass is missing; accepted: false (an administrator must not start a game day without an approval: npm run bootstrap sets it)',
    ]);
  });

  test('GIVEN bootstrap THEN it sets prevent_self_review true and can_admins_bypass false on the approval Environment only (GitHub REST "Create or update an environment")', () => {
    const puts = githubEnvironmentCommands(enabled).filter((command) => command[3] === 'PUT');
    const put = (name: string) => puts.find((command) => command[4]!.endsWith(`/environments/${name}`))!;
    expect(put('shop-dev-gameday')).toEqual(
      expect.arrayContaining(['prevent_self_review=true', 'can_admins_bypass=false']),
    );
    for (const command of puts.filter((c) => !c[4]!.endsWith('/environments/shop-dev-gameday'))) {
      expect(command.join(' ')).not.toMatch(/prevent_self_review|can_admins_bypass/);
    }
  });

  test('GIVEN the phase jobs’ Environment with reviewers THEN the check refuses it: the clean-up would wait for a person', () => {
    expect(
      checkGitHubEnvironment(phases(), enabled, { ...restricted, protection_rules: [reviewers] }, onlyMain),
    ).toEqual([
      'shop-dev-gameday-run: has required reviewers; accepted: none (its jobs hold credentials and must not wait for a person)',
    ]);
  });
});

describe('the game-day role (GitHubOidcStack)', () => {
  const stackOf = (config: ReturnType<typeof loadConfig>) =>
    new GitHubOidcStack(new App(), 'Oidc', { env: { account: '123456789012', region: config.primaryRegion }, config });
  const withAccount = loadConfig({
    base: { githubRepository: 'acme/shop', account: '123456789012', gameDays: { enabled: true } },
  });

  test('GIVEN game days enabled THEN the role trusts only tokens for STS from the phase jobs’ Environment, for at most an hour', () => {
    const template = Template.fromStack(stackOf(withAccount));
    const [role] = Object.values(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-dev-github-gameday' } }),
    );
    expect(role?.Properties.MaxSessionDuration).toBe(3600);
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:acme/shop:environment:shop-dev-gameday-run',
          },
        },
      }),
    ]);
    // The workflow assumes this role, in the Environment the role trusts.
    const phaseJob = workflow.jobs['failover']!;
    expect(phaseJob.environment).toBe('shop-dev-gameday-run');
    expect(credentialSteps(phaseJob)[0]?.with?.['role-to-assume']).toBe(
      `arn:aws:iam::${enabled.account}:role/shop-dev-github-gameday`,
    );
  });

  // Review 16d G10: the phase jobs' Environment never has reviewers, so whatever the game-day role may start, any job on
  // the deploy branch naming that Environment may start: only the documents a game day starts (readiness in preflight,
  // failover, recover), never switchover or failback (those stay behind the failover Environment).
  test('GIVEN game days enabled THEN the role may start the readiness, failover and recover documents only, and write the deploy freeze (review 16d G10, G11)', () => {
    const template = Template.fromStack(stackOf(withAccount));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((resource) =>
      JSON.stringify(resource.Properties.Roles).includes('GameDayRole'),
    );
    const statements = policies.flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as Array<{
          Sid: string;
          Action: string | string[];
          Resource: unknown;
        }>,
    );
    const starts = statements.filter((statement) => [statement.Action].flat().includes('ssm:StartAutomationExecution'));
    const documents = JSON.stringify(starts.map((statement) => statement.Resource));
    for (const runbook of ['readiness', 'failover', 'recover']) expect(documents).toContain(`shop-dev-${runbook}:*`);
    expect(documents).not.toMatch(/shop-dev-(switchover|failback):/);
    const freeze = statements.filter((statement) => JSON.stringify(statement.Resource).includes('deploy-freeze'));
    expect(new Set(freeze.flatMap((statement) => [statement.Action].flat()))).toEqual(
      new Set(['ssm:GetParameter', 'ssm:PutParameter']),
    );
    // the failover and break-glass roles keep every runbook
    const [failoverPolicy] = Object.values(template.findResources('AWS::IAM::Policy')).filter((resource) =>
      JSON.stringify(resource.Properties.PolicyDocument).includes('shop-dev-failback:*'),
    );
    expect(JSON.stringify(failoverPolicy?.Properties.Roles)).not.toContain('GameDayRole');
  });

  test('GIVEN game days enabled THEN the role may call every action the game-day AWS adapters list, and the start of an experiment only on the game day’s templates', () => {
    const template = Template.fromStack(stackOf(withAccount));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((resource) =>
      JSON.stringify(resource.Properties.Roles).includes('GameDayRole'),
    );
    const statements = policies.flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Sid: string; Action: string | string[] }>,
    );
    const granted = new Set(statements.flatMap((statement) => [statement.Action].flat()));
    const adapters = [FAULT_INJECTION_ACTIONS, SHOPPER_SCHEDULE_ACTIONS, REPORT_BUCKETS_ACTIONS, REGION_FACTS_ACTIONS];
    const needed = [
      ...new Set([
        ...adapters.flatMap((table) => Object.values(table).flat()),
        'cloudformation:DescribeStacks',
        'secretsmanager:GetSecretValue',
        'ssm:StartAutomationExecution',
      ]),
    ];
    expect(needed.filter((action) => !granted.has(action))).toEqual([]);
    const start = statements.find((statement) => statement.Sid === 'GameDayStartsItsOwnExperimentTemplates');
    expect(start).toMatchObject({ Condition: { StringEquals: { 'aws:ResourceTag/gameday': 'shop-dev' } } });
  });

  test('GIVEN game days enabled THEN cdk-nag AWS Solutions finds nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stackOf(withAccount));
    expect(
      report.violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });

  test('GIVEN game days disabled THEN there is no game-day role', () => {
    const template = Template.fromStack(stackOf(loadConfig({ base: { githubRepository: 'acme/shop' } })));
    expect(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'shop-dev-github-gameday' } })).toEqual(
      {},
    );
  });
});
