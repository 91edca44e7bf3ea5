import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsCallError } from '../../.github/actions/cli-support/aws-retry';
import { newGameDayId, phasesToRun, readGameDayInputs } from '../../.github/actions/gameday/gameday-inputs';
import { runGameDayStep } from '../../.github/actions/gameday/gameday-step';
import { bundlePath } from '../../pipeline/bundled-cli';
import { GAMEDAY_ID_PATTERN, type GameDayInput, type PhaseOutcome } from '../../runbooks/gameday/gameday-phases';

const REPO = path.resolve(__dirname, '..', '..');

/** The inputs gameday.yml gives every CLI step (a new game day, not a dry run). */
const DISPATCH = {
  failed_region: 'us-east-1',
  dry_run: 'false',
  reason: 'CHG-16 first game day',
  game_day_id: '',
  resume_at: 'preflight',
  primary_region: 'us-east-1',
  standby_region: 'us-west-2',
  app_name: 'shop',
  env_name: 'dev',
  evidence_retention_days: '400',
  rto_target_minutes: '15',
  rpo_target_seconds: '60',
  environment: 'shop-dev-gameday',
};
const getInput = (inputs: Record<string, string>) => (name: string) => (inputs[name] ?? '').trim();
const ID = 'gd-20261207T043000Z-a1b2';
const clock = { now: () => new Date('2026-12-07T04:30:00Z'), sleep: async () => {} };

describe('readGameDayInputs', () => {
  test('GIVEN every invalid input at once THEN each is named with its value and what is accepted, none is used', () => {
    expect(() =>
      readGameDayInputs(
        getInput({
          ...DISPATCH,
          phase: 'explode',
          failed_region: 'eu-west-1',
          reason: 'a\nb',
          game_day_id: 'gd-yesterday',
          run_game_day_id: ID,
        }),
      ),
    ).toThrow(
      [
        'Invalid inputs (nothing was called):',
        '  - phase: "explode" is not one of them; accepted: "preflight", "start-traffic", "inject", "failover", "await-return", "recover", "score" or "clean-up"',
        '  - reason: "a\\nb" has control characters (such as new lines); accepted: one line of text of at most 500 characters',
        '  - game_day_id: "gd-yesterday" is not a game-day id; accepted: a game-day id such as "gd-20261207T043000Z-a1b2" (gd-, the UTC start time, 4 lowercase letters or digits)',
        '  - failed_region: "eu-west-1" is not a Region of this deployment; accepted: "us-east-1" (primary) or "us-west-2" (standby)',
      ].join('\n'),
    );
  });

  test('GIVEN a resume without game_day_id, or with preflight, or as a dry run THEN each is refused', () => {
    const problems = (inputs: Record<string, string>) => {
      try {
        readGameDayInputs(getInput({ ...DISPATCH, phase: 'preflight', validate_only: 'true', ...inputs }));
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    expect(problems({ resume_at: 'recover' })).toEqual([
      'resume_at: "recover" without game_day_id; accepted: "preflight" for a new game day, or game_day_id set to the game day to resume',
    ]);
    expect(problems({ game_day_id: ID })).toEqual([
      `resume_at: "preflight" with game_day_id "${ID}"; accepted: one of start-traffic, inject, failover, await-return, recover, score, clean-up (the phase the last run's summary names), or no game_day_id to start a new game day`,
    ]);
    expect(problems({ game_day_id: ID, resume_at: 'recover', dry_run: 'true' })).toEqual([
      `dry_run: "true" with game_day_id "${ID}"; accepted: "false" to resume a game day (a dry run plans and checks a new one only)`,
    ]);
    expect(problems({ game_day_id: ID, resume_at: 'recover' })).toEqual([]);
  });

  test('GIVEN a phase step without the validate job’s game-day id, or another one than the resumed THEN it is refused', () => {
    expect(() => readGameDayInputs(getInput({ ...DISPATCH, phase: 'inject' }))).toThrow(
      'run_game_day_id: no value given; accepted: the game-day id the validate job printed',
    );
    expect(() =>
      readGameDayInputs(
        getInput({
          ...DISPATCH,
          phase: 'recover',
          game_day_id: ID,
          resume_at: 'recover',
          run_game_day_id: 'gd-20261207T050000Z-zzzz',
        }),
      ),
    ).toThrow(`run_game_day_id: "gd-20261207T050000Z-zzzz" is not the resumed game day; accepted: "${ID}"`);
  });

  test('the surviving Region is the other configured one', () => {
    const standby = readGameDayInputs(getInput({ ...DISPATCH, phase: 'failover', run_game_day_id: ID }));
    expect([standby.failedRegion, standby.survivingRegion]).toEqual(['us-east-1', 'us-west-2']);
    const primary = readGameDayInputs(
      getInput({ ...DISPATCH, phase: 'failover', run_game_day_id: ID, failed_region: 'us-west-2' }),
    );
    expect([primary.failedRegion, primary.survivingRegion]).toEqual(['us-west-2', 'us-east-1']);
  });
});

describe('phasesToRun and newGameDayId', () => {
  test('a dry run runs preflight only; a new game day every phase; a resumed one from its phase on', () => {
    expect(phasesToRun({ dryRun: true, resumeAt: 'preflight' })).toEqual(['preflight']);
    expect(phasesToRun({ dryRun: false, resumeAt: 'preflight' })).toHaveLength(8);
    expect(phasesToRun({ dryRun: false, resumeAt: 'score' })).toEqual(['score', 'clean-up']);
  });

  test('a new id is gd-, the UTC start, 4 random lowercase letters or digits (the contract’s pattern)', () => {
    expect(newGameDayId(new Date('2026-12-07T04:30:05.123Z'), () => 0)).toBe('gd-20261207T043005Z-aaaa');
    expect(newGameDayId(new Date('2026-12-07T04:30:05Z'), () => 0.999)).toBe('gd-20261207T043005Z-9999');
    for (let i = 0; i < 50; i++) expect(newGameDayId(new Date())).toMatch(GAMEDAY_ID_PATTERN);
  });
});

describe('runGameDayStep', () => {
  const phaseInputs = (phase: string, extra: Record<string, string> = {}) =>
    readGameDayInputs(getInput({ ...DISPATCH, phase, run_game_day_id: ID, ...extra }));
  const runWith = (outcome: Partial<PhaseOutcome> | Error, phase = 'failover', extra: Record<string, string> = {}) => {
    const asked: GameDayInput[] = [];
    const result = runGameDayStep(phaseInputs(phase, extra), {
      runPhase: async (p, input) => {
        asked.push(input);
        if (outcome instanceof Error) throw outcome;
        return { phase: p, status: 'succeeded', summary: `**${p}**`, ...outcome };
      },
      clock,
      actor: 'alice',
      approver: 'bob',
      log: () => {},
    });
    return { result, asked };
  };

  test('GIVEN a phase THEN runGameDayPhase gets the game day, both Regions, the actor, the approver and dry_run', async () => {
    const { result, asked } = runWith({});
    expect((await result).exitCode).toBe(0);
    expect(asked).toEqual([
      {
        gameDayId: ID,
        failedRegion: 'us-east-1',
        survivingRegion: 'us-west-2',
        actor: 'alice',
        approver: 'bob',
        dryRun: false,
      },
    ]);
  });

  test.each([
    [{ status: 'failed' as const }, 1, 'Verdict: not yet'],
    [{ status: 'inconclusive' as const, verdict: 'INCONCLUSIVE' as const }, 1, '**Verdict: INCONCLUSIVE**'],
    [{ verdict: 'FAILED' as const }, 1, '**Verdict: FAILED**'],
    [{ verdict: 'PASSED' as const }, 0, '**Verdict: PASSED**'],
  ])('GIVEN the outcome %o THEN the step exits %d and its summary says %s', async (outcome, exitCode, line) => {
    const result = await runWith(outcome, 'score').result;
    expect(result.exitCode).toBe(exitCode);
    expect(result.summary).toContain(line);
    expect(result.outputs['verdict']).toBe((outcome as { verdict?: string }).verdict ?? '');
  });

  test('GIVEN a failed phase without a verdict THEN the summary says how to resume at that phase', async () => {
    const result = await runWith({ status: 'failed' }, 'recover').result;
    expect(result.summary).toContain(
      `To go on: dispatch gameday.yml again with failed_region \`us-east-1\`, dry_run \`false\`, game_day_id \`${ID}\` and resume_at \`recover\``,
    );
    expect(result.failure).toBe(`recover of game day ${ID}: failed`);
  });

  test('GIVEN an AWS call that failed after its retries THEN exit 3, the error and where to resume in the summary', async () => {
    const error = new AwsCallError('GetObject', new Error('Service Unavailable'), 3);
    const result = await runWith(error, 'inject').result;
    expect(result.exitCode).toBe(3);
    expect(result.summary).toContain('**inject stopped with an error**');
    expect(result.summary).toContain('resume_at `inject`');
    expect(result.summary).toContain('Verdict: not reached');
  });

  test('GIVEN clean-up after a FAILED game day THEN the summary repeats FAILED and the step exits 0 when it cleaned up', async () => {
    const result = await runWith({ verdict: 'FAILED' }, 'clean-up', { verdict: 'FAILED' }).result;
    expect(result.exitCode).toBe(0);
    expect(result.summary).toContain('**Verdict: FAILED**');
    const incomplete = await runWith({ status: 'failed' }, 'clean-up').result;
    expect(incomplete.exitCode).toBe(1);
    expect(incomplete.summary).toContain('Verdict: none');
  });

  test('GIVEN an evidence URL THEN the summary links evidence.html', async () => {
    const url = 'https://console.aws.amazon.com/s3/object/b?prefix=gamedays/x/evidence/evidence.html';
    const result = await runWith({ verdict: 'PASSED', evidenceUrl: url }, 'score').result;
    expect(result.summary).toContain(`Evidence pack: [evidence.html](${url})`);
    expect(result.outputs['evidence_url']).toBe(url);
  });
});

/** Runs the committed bundle as a workflow step does, with only `inputs` and the GitHub files; no AWS reachable. */
async function runBundle(inputs: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gameday-bundle-'));
  const summaryFile = path.join(dir, 'summary.md');
  const outputFile = path.join(dir, 'output.txt');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  try {
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret',
      // any AWS call would go nowhere
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
    };
    const { exitCode, stdout } = await new Promise<{ exitCode: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [bundlePath('gameday')], { cwd: REPO, env, timeout: 30_000 }, (error, out) =>
        resolve({ exitCode: error ? Number(error.code ?? 1) : 0, stdout: String(out) }),
      );
    });
    return { exitCode, stdout, summary: readFileSync(summaryFile, 'utf8'), outputs: readFileSync(outputFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the committed gameday bundle, run as a process', () => {
  test('GIVEN validate_only THEN it names a new game day and its phases as outputs, exit 0', async () => {
    const run = await runBundle({ ...DISPATCH, phase: 'preflight', validate_only: 'true' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatch(/game_day_id<<ghadelimiter_[\w-]+\ngd-\d{8}T\d{6}Z-[a-z0-9]{4}\n/);
    expect(run.outputs).toContain(
      '["preflight","start-traffic","inject","failover","await-return","recover","score","clean-up"]',
    );
    expect(run.summary).toContain('Verdict: not yet (the game day waits for its approval).');
  });

  test('GIVEN invalid inputs THEN exit 2, each problem in the log and the job summary, nothing called', async () => {
    const run = await runBundle({ ...DISPATCH, phase: 'preflight', validate_only: 'true', failed_region: 'eu-west-1' });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain('::error::');
    expect(run.summary).toContain('failed_region: "eu-west-1" is not a Region of this deployment');
    expect(run.summary).toContain('Verdict: not reached (nothing was called).');
  });
});
