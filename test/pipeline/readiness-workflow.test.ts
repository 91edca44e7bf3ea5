import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config';
import { ACTION_PINS } from '../../pipeline/action-pins';
import { githubEnvironments } from '../../pipeline/github-environments';
import { readinessCron, readinessScheduleMinutes, readinessWorkflow } from '../../pipeline/readiness-workflow';
import { extraWorkflowsOf } from '../../pipeline/shop-app';
import { GENERATED_HEADER } from '../../pipeline/workflow-header';
import { actionlint, actionlintClean } from './actionlint';

const REPO = path.resolve(__dirname, '..', '..');
const config = loadConfig();
const text = readinessWorkflow(config).toYaml();

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  'continue-on-error'?: boolean;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
const workflow = parse(text) as {
  on: { schedule: { cron: string }[]; workflow_dispatch: { inputs: Record<string, Record<string, unknown>> } };
  permissions: unknown;
  concurrency: unknown;
  jobs: Record<string, { environment?: string; permissions?: unknown; 'timeout-minutes'?: number; steps: Step[] }>;
};
const job = workflow.jobs['readiness']!;

describe('readiness.yml (issue 17)', () => {
  test('the committed readiness.yml is exactly what synth writes (run `npm run synth` and commit)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'readiness-yml-'));
    try {
      const file = extraWorkflowsOf(config, dir).extraWorkflows.find((f) => f.toYaml() === text);
      expect(file).toBeDefined();
      expect(readFileSync(path.join(REPO, '.github', 'workflows', 'readiness.yml'), 'utf8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('starts with the generated-file header', () => {
    const header = GENERATED_HEADER.split('\n').map((line) => `# ${line}`);
    expect(text.split('\n').slice(0, header.length)).toEqual(header);
  });

  test('runs every 30 minutes (the default schedule) and on dispatch, with an optional stale limit of twice the schedule', () => {
    expect(readinessScheduleMinutes(config)).toBe(30);
    expect(workflow.on.schedule).toEqual([{ cron: '*/30 * * * *' }]);
    expect(workflow.on.workflow_dispatch.inputs['max_age_minutes']).toMatchObject({ required: false, default: '60' });
    const judge = job.steps.find((step) => step.id === 'judge')!;
    expect(judge.env?.['INPUT_MAX_AGE_MINUTES']).toBe("${{ inputs.max_age_minutes || '60' }}");
  });

  test('grants nothing at the top; its one job id-token (OIDC), contents read and issues write, nothing else', () => {
    expect(workflow.permissions).toEqual({});
    expect(Object.keys(workflow.jobs)).toEqual(['readiness']);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
  });

  test('assumes the read-only readiness role from its own Environment (no reviewers), 15 minutes; the credential step may fail and the CLI is told', () => {
    expect(job.environment).toBe('shop-dev-readiness');
    expect(githubEnvironments(config).find((e) => e.name === 'shop-dev-readiness')).toMatchObject({
      noReviewers: true,
      waitTimerMinutes: 0,
    });
    const credentials = job.steps.filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({
      id: 'credentials',
      'continue-on-error': true,
      with: {
        'role-to-assume': 'arn:aws:iam::111111111111:role/shop-dev-github-readiness',
        'role-duration-seconds': 900,
        'role-session-name': 'gh-${{ github.run_id }}-${{ github.run_attempt }}',
      },
    });
    const judge = job.steps.find((step) => step.id === 'judge')!;
    expect(judge.env?.['INPUT_CREDENTIALS']).toBe('${{ steps.credentials.outcome }}');
    expect(judge.env?.['GITHUB_TOKEN']).toBe('${{ github.token }}');
  });

  test('validates its inputs with the bundled CLI before it assumes the role, and runs only the committed bundle', () => {
    const cli = job.steps.filter((step) => step.run !== undefined);
    expect(cli.map((step) => step.run)).toEqual([
      'node .github/actions/dist/readiness.cjs',
      'node .github/actions/dist/readiness.cjs',
    ]);
    expect(job.steps.indexOf(cli[0]!)).toBeLessThan(job.steps.findIndex((step) => step.id === 'credentials'));
    expect(cli[0]!.env?.['INPUT_VALIDATE_ONLY']).toBe('true');
    expect(cli[0]!.env?.['INPUT_REGIONS']).toBe('us-east-1,us-west-2');
  });

  test('pins every action by SHA with its tag as a comment', () => {
    const uses = [...text.matchAll(/uses: (\S+) # (\S+)/g)].map((m) => [m[1], m[2]]);
    expect(uses.length).toBe(job.steps.filter((step) => step.uses).length);
    const pinned = new Map(
      Object.entries(ACTION_PINS).map(([ref, pin]) => [`${ref.split('@')[0]}@${pin.sha}`, pin.tag]),
    );
    for (const [reference, tag] of uses) expect(pinned.get(reference!)).toBe(tag);
  });

  test('has a concurrency group of its own that never cancels: two runs never race to open two issues', () => {
    expect(workflow.concurrency).toEqual({ group: 'shop-dev-readiness', 'cancel-in-progress': false });
    expect(job['timeout-minutes']).toBe(10);
  });

  test('actionlint reports nothing', () => {
    expect(actionlint({ 'readiness.yml': text })).toEqual({ stdout: actionlintClean(1), status: 0 });
  });
});

describe('readinessCron', () => {
  test.each([
    [5, '*/5 * * * *'],
    [15, '*/15 * * * *'],
    [30, '*/30 * * * *'],
    [45, '*/30 * * * *'],
    [60, '0 * * * *'],
    [90, '0 * * * *'],
    [120, '0 */2 * * *'],
    [300, '0 */4 * * *'],
    [720, '0 */12 * * *'],
  ])('GIVEN an AWS schedule of every %i minutes THEN readiness.yml reads at %s (never less often)', (minutes, cron) => {
    expect(readinessCron(minutes)).toBe(cron);
  });

  test.each([4, 0, 721, 7.5])(
    'GIVEN %s minutes THEN it is refused, naming the field, the value and what is accepted',
    (minutes) => {
      expect(() => readinessCron(minutes)).toThrow(
        `readiness.scheduleMinutes: ${minutes} cannot be a GitHub schedule; accepted: a whole number of minutes from 5 to 720`,
      );
    },
  );

  test('GIVEN a configured schedule of 45 minutes THEN the cron reads every 30 and a record is stale after 90 minutes', () => {
    const slower = loadConfig({ base: { readiness: { scheduleMinutes: 45 } } });
    const parsed = parse(readinessWorkflow(slower).toYaml()) as typeof workflow;
    expect(parsed.on.schedule).toEqual([{ cron: '*/30 * * * *' }]);
    expect(parsed.on.workflow_dispatch.inputs['max_age_minutes']?.['default']).toBe('90');
  });
});
