import { CONFIG_CONTEXT_KEYS } from '../../config';
import { COST_EXIT, main } from '../../cost/cli';
import { REPO_ROOT } from './synthesized-cost';

function run(argv: string[], env: Record<string, string> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = main(argv, { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s), env, repoRoot: REPO_ROOT });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('npm run cost', () => {
  test('a -c value without "=" stops with exit 2, naming the flag, the value and what is accepted', () => {
    expect(run(['-c', 'canaryRateMinutes'])).toEqual({
      code: COST_EXIT.usage,
      stdout: '',
      stderr:
        'error: --context: "canaryRateMinutes" is not a key=value pair; accepted: key=value with a non-empty key, e.g. -c canaryRateMinutes=1',
    });
  });

  test('a -c key no configuration field reads stops with exit 2, naming the key and the keys accepted (not silently ignored)', () => {
    // GIVEN a typo: canaryRateMinute for canaryRateMinutes (synth would ignore it and price the default schedule)
    const result = run(['-c', 'canaryRateMinute=1']);
    // THEN exit 2, the key, and what is accepted
    expect(result).toEqual({
      code: COST_EXIT.usage,
      stdout: '',
      stderr: `error: --context: "canaryRateMinute" is not a context key the app reads; accepted: ${CONFIG_CONTEXT_KEYS.join(', ')}, or a CDK key (@aws-cdk/... or aws-cdk:...) or one of cdk.json's`,
    });
  });

  test('a CDK feature flag is accepted as -c, as cdk synth takes it', () => {
    expect(run(['-c', '@aws-cdk/core:newStyleStackSynthesis=true', '--json']).code).toBe(COST_EXIT.ok);
  });

  test('an unknown flag stops with exit 2 and says what is accepted', () => {
    const result = run(['--yaml']);
    expect(result.code).toBe(COST_EXIT.usage);
    expect(result.stderr).toBe(
      "error: unknown option '--yaml'\n(run with --help for usage; accepted: --json, -c/--context key=value)",
    );
  });

  test.each([
    [
      ['-c', 'canaryRateMinutes=0'],
      {},
      'canaryRateMinutes: 0 is out of range; accepted: a whole number from 1 to 60 (set by context key canaryRateMinutes)',
    ],
    [
      [],
      { CANARY_RATE_MINUTES: 'fast' },
      'canaryRateMinutes: "fast" is not a number; accepted: a whole number (set by environment variable CANARY_RATE_MINUTES)',
    ],
  ])('a configuration synth refuses (%j, env %j) stops with exit 2 and the problem', (argv, env, problem) => {
    expect(run(argv, env)).toEqual({
      code: COST_EXIT.usage,
      stdout: '',
      stderr: `Invalid configuration:\n  - ${problem}`,
    });
  });

  test('--json prints both modes counted from the config the -c values set', () => {
    // WHEN the canaries run every 10 minutes
    const result = run(['--json', '-c', 'canaryRateMinutes=10']);
    expect(result).toEqual(expect.objectContaining({ code: COST_EXIT.ok, stderr: '' }));
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report.modes)).toEqual(['arc-cluster', 'region-switch']);
    // THEN the canary lines are those of the 10-minute schedule
    const canaryLines = report.modes['arc-cluster'].lines.filter((l: { component: string }) =>
      l.component.startsWith('Synthetics canary'),
    );
    expect(canaryLines.map((l: { component: string }) => l.component)).toEqual([
      'Synthetics canary runs (rate(10 minutes))',
      'Synthetics canary runs (rate(10 minutes))',
    ]);
  });
});
