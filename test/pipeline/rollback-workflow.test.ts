import { loadConfig } from '../../config';
import { synthEnvironment } from '../../pipeline/synth-environment';
import { committedWorkflow, type WorkflowJob as Job, type WorkflowStep as Step } from './committed-workflow';

// The rollback as the committed deploy.yml runs it (workflows.test.ts checks that file is what synth generates).
// Review M4: a rollback redeploys the recorded artifacts of the known-good release (the templates its deploy jobs
// used), never a rebuild from source with today's configuration; M5/M12: routing and runbooks are in the rollback
// set; M4(3): it verifies the commit and bakes the Region; m3: only a bake verdict of `failed` (or a failed or
// cancelled deploy) rolls back.

const deploy = committedWorkflow('deploy.yml');
const config = loadConfig();
const { appName, envName, primaryRegion, standbyRegion } = config;
const stack = (region: string, kind: string) => `${appName}-${envName}-${region}-${kind}`;
const ROUTING = `${appName}-${envName}-global-routing`;

const REGIONS = [
  {
    region: primaryRegion,
    bakeJob: 'Primary-BakePrimary',
    rollbackJob: 'Rollback-Primary',
    stacks: ['services', 'observability', 'runbooks'].map((kind) => stack(primaryRegion, kind)),
  },
  {
    region: standbyRegion,
    bakeJob: 'Global-BakeStandby',
    rollbackJob: 'Rollback-Standby',
    stacks: [...['services', 'observability', 'runbooks'].map((kind) => stack(standbyRegion, kind)), ROUTING],
  },
];

const isCloudFormation = (step: Step) => step.uses?.startsWith('aws-actions/aws-cloudformation-github-deploy@');
const isCredentials = (step: Step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@');

/** The deploy job of a stack and its CloudFormation step. */
function deployJobOf(stackName: string): { id: string; job: Job; step: Step } {
  for (const [id, job] of Object.entries(deploy.jobs)) {
    if (id.startsWith('Rollback-')) continue;
    const step = job.steps.find((s) => isCloudFormation(s) && s.with?.['name'] === stackName);
    if (step) return { id, job, step };
  }
  throw new Error(`deploy.yml deploys no stack ${stackName}`);
}

const recordStep = (jobId: string) => deploy.jobs[jobId]!.steps.find((s) => s.env?.['INPUT_COMMAND'] === 'record')!;
/** `name=value` items separated by white space (a value may hold `${{ … }}` with spaces, evaluated by GitHub). */
const pairs = (text: string) =>
  new Map(text.split(/\s+(?=[\w/-]+=)/).map((item) => item.split(/=(.*)/s).slice(0, 2) as [string, string]));

describe.each(REGIONS)('the rollback of $region (review M4, M5, M12)', ({ bakeJob, rollbackJob, stacks }) => {
  const rollback = deploy.jobs[rollbackJob]!;

  test('GIVEN the bake passed WHEN record runs THEN it is given, per stack of the rollback set, the template URL that stack’s deploy job gave CloudFormation', () => {
    const record = recordStep(bakeJob);
    const templates = pairs(record.env?.['INPUT_TEMPLATES'] ?? '');
    expect([...templates.keys()]).toEqual(stacks);
    for (const name of stacks) {
      const { step } = deployJobOf(name);
      // The same string: the same URL by construction (an asset job's output names the template's hash).
      expect([name, templates.get(name)]).toEqual([name, step.with?.['template']]);
      const assetJobs = [...String(step.with?.['template']).matchAll(/needs\.([\w-]+)\.outputs/g)].map((m) => m[1]!);
      expect(assetJobs.length).toBe(1);
      // A job reads needs.<job>.outputs only of a job it needs.
      expect(deploy.jobs[bakeJob]!.needs).toEqual(expect.arrayContaining(assetJobs));
    }
    expect([...pairs(record.env?.['INPUT_STACKS'] ?? '').values()]).toEqual(stacks);
  });

  test('THEN the rollback set is services, observability and runbooks (and routing with the standby), never a data or network stack', () => {
    const redeployed = rollback.steps.filter(isCloudFormation).map((s) => s.with?.['name']);
    expect(redeployed).toEqual(stacks);
    expect(redeployed.some((name) => /-(data|network)$/.test(String(name)))).toBe(false);
  });

  test('WHEN it rolls back THEN nothing is fetched, installed, synthesized or built, and no configuration of the failed commit is passed (M4(2))', () => {
    const scripts = rollback.steps.map((s) => s.run ?? '').join('\n');
    expect(scripts).not.toMatch(/\bgit\b|npm ci|npm install|\bcdk\b|docker|worktree/);
    const configNames = Object.keys(synthEnvironment(config));
    const passed = rollback.steps.flatMap((s) => Object.keys(s.env ?? {}));
    expect(passed.filter((name) => configNames.includes(name) || name === 'DEPLOY_COMMIT')).toEqual([]);
    for (const checkout of rollback.steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
      expect(checkout.with?.['persist-credentials']).toBe(false);
    }
  });

  test('THEN each stack is redeployed with its deploy job’s action, capabilities, execution role and name, after that job’s role chain; only the template is the recorded one', () => {
    for (const name of stacks) {
      const { job, step } = deployJobOf(name);
      const index = rollback.steps.findIndex((s) => isCloudFormation(s) && s.with?.['name'] === name);
      const redeploy = rollback.steps[index]!;
      expect(redeploy.uses).toBe(step.uses);
      expect(redeploy.with).toEqual({
        ...step.with,
        template: `\${{ fromJSON(steps.plan.outputs.templates)['${name}'] }}`,
      });
      const chain = job.steps.filter(isCredentials).map((s) => s.with);
      expect(
        rollback.steps.slice(index - chain.length, index).map((s) => (isCredentials(s) ? s.with : s.name)),
      ).toEqual(chain);
      expect(String(chain.at(-1)?.['role-to-assume'])).toContain('cdk-hnb659fds-deploy-role');
    }
  });

  test('THEN the plan checks the rollback set’s artifacts first, verify requires the known-good commit, and the Region is baked with its own bake gate (M4(3))', () => {
    const commands = rollback.steps.map((s) => s.env?.['INPUT_COMMAND'] ?? s.env?.['INPUT_MODE']).filter(Boolean);
    // The freeze check first (review-12 D1), then plan, verify and the rollback's own bake.
    expect(commands).toEqual(['check', 'plan', 'verify', 'watch']);
    const plan = rollback.steps.find((s) => s.id === 'plan')!;
    expect(plan.env?.['INPUT_STACKS']?.split(' ')).toEqual(stacks);
    expect(plan.env?.['INPUT_FAILED_SHA']).toBe('${{ github.sha }}');
    expect(rollback.steps.indexOf(plan)).toBeLessThan(rollback.steps.findIndex(isCloudFormation));
    const verify = rollback.steps.find((s) => s.env?.['INPUT_COMMAND'] === 'verify')!;
    expect(verify.env?.['INPUT_SHA']).toBe('${{ steps.plan.outputs.sha }}');
    const bake = rollback.steps.find((s) => s.env?.['INPUT_MODE'] === 'watch')!;
    const gate = deploy.jobs[bakeJob === 'Global-BakeStandby' ? bakeJob : 'Primary-BakePrimary']!.steps.find(
      (s) => s.env?.['INPUT_MODE'] === 'watch',
    )!;
    // The same gate, except: the rollback restores the known-good alarms itself (accepted), and it runs no
    // readiness step before its watch (the bake job's INPUT_READINESS reads that step).
    const { INPUT_READINESS: _readiness, ...gateEnv } = gate.env ?? {};
    expect(bake.env).toEqual({ ...gateEnv, INPUT_ACCEPT_ALARM_CHANGES: 'true' });
    expect(bake.run).toBe(gate.run);
    // Verify and bake read AWS with the deploy role, not the CDK deploy role the redeploy chained to.
    const lastCredentials = rollback.steps
      .filter((s, i) => isCredentials(s) && i < rollback.steps.indexOf(verify))
      .at(-1);
    expect(String(lastCredentials?.with?.['role-to-assume'])).toMatch(/github-deploy$/);
  });

  test('THEN every step runs until one fails, the redeploys, verify and bake only without a freeze, and a last step fails loudly when the Region is not restored', () => {
    const [guard, ...steps] = rollback.steps;
    const report = steps.at(-1)!;
    const frozenReport = steps.at(-2)!;
    const freeze = steps.findIndex((s) => s.id === 'freeze');
    const plan = steps.findIndex((s) => s.id === 'plan');
    // The stale-run guard first (review-12 D2), then setup, credentials, the freeze check and plan until a step fails.
    expect(guard?.id).toBe('stale_run');
    expect(freeze).toBeLessThan(plan);
    for (const step of steps.slice(0, plan + 1)) expect([step.name, step.if]).toEqual([step.name, '${{ !failure() }}']);
    // Review-12 D1: redeploy, verify and bake only when the freeze check says `false` (fail closed).
    for (const step of steps.slice(plan + 1, -2))
      expect([step.name, step.if]).toEqual([step.name, "${{ !failure() && steps.freeze.outputs.frozen == 'false' }}"]);
    expect((steps[freeze] as Step & { 'continue-on-error'?: boolean })['continue-on-error']).toBe(true);
    expect(steps[freeze]?.run).toBe('node .github/actions/dist/freeze.cjs');
    expect(steps[freeze]?.env).toMatchObject({
      INPUT_COMMAND: 'check',
      INPUT_REGIONS: `${primaryRegion},${standbyRegion}`,
    });
    expect(frozenReport.if).toBe("${{ !failure() && steps.freeze.outputs.frozen != 'false' }}");
    expect(frozenReport.run).toContain('::error');
    expect(frozenReport.run).toContain('GITHUB_STEP_SUMMARY');
    expect(frozenReport.env?.['MESSAGE']).toMatch(
      /failover holds the deploy freeze.*stays on this release.*never recorded or confirmed.*After the failback/,
    );
    // A stale re-run stops here without reporting a broken Region.
    expect(report.if).toBe("${{ (failure()) && steps.stale_run.outputs.stale != 'true' }}");
    expect(report.run).toContain('::error');
    expect(report.run).toContain('GITHUB_STEP_SUMMARY');
    expect(report.run).toContain('still');
  });
});

describe('a bake that could not decide never rolls a healthy release back (review m3)', () => {
  test.each(['Primary-BakePrimary', 'Global-BakeStandby'])('%s exposes its verdict as a job output', (id) => {
    expect(deploy.jobs[id]!.outputs?.['verdict']).toBe('${{ steps.watch.outputs.result }}');
  });

  test.each(['Rollback-Primary', 'Rollback-Standby'])(
    '%s rolls back on a failed verdict or a failed or cancelled deploy, never on a bake job’s failure alone',
    (id) => {
      const condition = deploy.jobs[id]!.if ?? '';
      expect(condition).toContain(
        "needs.Primary-BakePrimary.outputs.verdict == 'failed'".replace(
          'Primary-BakePrimary',
          id === 'Rollback-Primary' ? 'Primary-BakePrimary' : 'Global-BakeStandby',
        ),
      );
      expect(condition).not.toContain("contains(needs.*.result, 'failure')");
      // Review-12 D4, D12: an approval or a freeze guard is never a reason (nothing of its wave changed), and no
      // dead term names a freeze guard's failure; a wave's cancellations count only once its freeze guard passed.
      expect(condition).not.toMatch(/-Approve\.result|FreezeGuard\.result [!=]= 'failure'/);
      expect(condition).not.toContain("contains(needs.*.result, 'cancelled')");
      expect(condition).toContain("needs.Global-FreezeGuard.result == 'success' && (");
      // Review-12 D2: never for a re-run the stale-run guard stopped.
      expect(condition).toContain("!contains(needs.*.outputs.stale, 'true')");
    },
  );

  test.each(['Primary-BakePrimary', 'Global-BakeStandby'])(
    '%s says, when it fails without a failed verdict, that nothing is rolled back',
    (id) => {
      const last = deploy.jobs[id]!.steps.at(-1)!;
      expect(last.if).toBe(
        "${{ (failure() && steps.watch.outputs.result != 'failed') && steps.stale_run.outputs.stale != 'true' }}",
      );
      expect(last.run).toContain('::error');
      expect(last.run).toContain('not rolled back');
    },
  );
});
