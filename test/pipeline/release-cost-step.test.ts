import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MONTHLY_COST_FILE } from '../../cost/monthly-cost-file';
import { releaseCostStep, withReleaseCostSummary } from '../../pipeline/release-cost-step';

const REPO = path.resolve(__dirname, '..', '..');
const ZEROS = '0'.repeat(40);

/** A git repository with two commits of cost/monthly-cost.json (the second with one more NAT gateway's cost). */
function repository(): { dir: string; first: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-cost-'));
  const git = (...args: string[]) =>
    spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: dir,
      encoding: 'utf8',
    }).stdout.trim();
  git('init', '-q');
  fs.mkdirSync(path.join(dir, 'cost'));
  const report = JSON.parse(fs.readFileSync(path.join(REPO, MONTHLY_COST_FILE), 'utf8'));
  fs.writeFileSync(path.join(dir, MONTHLY_COST_FILE), JSON.stringify(report));
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  const first = git('rev-parse', 'HEAD');
  const mode = report.modes['arc-cluster'];
  mode.lines.push({ ...mode.lines[0], component: 'Added in the second commit', monthlyUsd: 7 });
  mode.totalUsd += 7;
  fs.writeFileSync(path.join(dir, MONTHLY_COST_FILE), JSON.stringify(report));
  git('commit', '-q', '-am', 'second');
  return { dir, first };
}

/** Runs the step's script as GitHub runs a `run:` step on ubuntu (bash -e), `npx` standing for the repository's. */
function runStep(dir: string, beforeSha: string, npx = `exec "${REPO}/node_modules/.bin/tsx" "${REPO}/$2" "\${@:3}"`) {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'release-cost-bin-'));
  fs.writeFileSync(path.join(bin, 'npx'), `#!/usr/bin/env bash\n${npx}\n`, { mode: 0o755 });
  const summary = path.join(bin, 'summary.md');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', releaseCostStep().run], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: `${bin}:${process.env['PATH']}`,
      HOME: process.env['HOME'],
      RUNNER_TEMP: bin,
      GITHUB_STEP_SUMMARY: summary,
      BEFORE_SHA: beforeSha,
    },
  });
  return {
    status: result.status,
    stdout: result.stdout,
    summary: fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8') : '',
  };
}

describe('the deploy summary step: the change in monthly cost a release brings', () => {
  const { dir, first } = repository();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("GIVEN a push after a commit with the report THEN the summary compares that commit's report with this one", () => {
    const result = runStep(dir, first);
    expect(result.status).toBe(0);
    expect(result.summary).toContain('### Monthly cost of this release');
    expect(result.summary).toContain('| arc-cluster | added | Added in the second commit |');
  });

  test.each([
    ['all zeros (the push created the branch)', ZEROS],
    ['empty (workflow_dispatch)', ''],
    ['not in the fetched history (a force push)', 'f'.repeat(40)],
  ])('GIVEN github.event.before %s THEN "no previous cost report", and the step succeeds', (_, before) => {
    const result = runStep(dir, before);
    expect(result.status).toBe(0);
    expect(result.summary).toContain('no previous cost report');
  });

  test('GIVEN the summary CLI fails THEN the step still succeeds, with a warning (it never fails the deploy)', () => {
    const result = runStep(dir, first, 'exit 3');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('::warning::the cost summary was not written (exit 3)');
  });

  test('the step never fails the job (continue-on-error) and is given no credentials', () => {
    const step = releaseCostStep();
    expect(step['continue-on-error']).toBe(true);
    expect(Object.keys(step.env)).toEqual(['BEFORE_SHA']);
  });

  test('runs right after the synth step, and the checkout fetches the whole history (fetch-depth 0)', () => {
    const jobs = withReleaseCostSummary({
      'Build-Build': {
        steps: [
          { name: 'Checkout', uses: 'actions/checkout@abc', with: { 'persist-credentials': false } },
          { name: 'Build' },
          { name: 'Upload cdk.out' },
        ],
      },
    });
    expect(jobs['Build-Build']!.steps!.map((step) => step.name)).toEqual([
      'Checkout',
      'Build',
      'Summarize the change in monthly cost',
      'Upload cdk.out',
    ]);
    expect(jobs['Build-Build']!.steps![0]!.with).toEqual({ 'persist-credentials': false, 'fetch-depth': 0 });
  });
});
