import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AwsCallError } from '../../.github/actions/cli-support/aws-retry';
import { type JobSummary, renderHtml, renderText } from '../../.github/actions/cli-support/job-summary';
import { gameDayPortsOptions, isAwsFailure, phaseRunnerOver } from '../../.github/actions/gameday/aws-phase-runner';
import { decideApproval } from '../../.github/actions/gameday/gameday-approval';
import { newGameDayId, phasesToRun, readGameDayInputs } from '../../.github/actions/gameday/gameday-inputs';
import { runGameDayStep } from '../../.github/actions/gameday/gameday-step';
import { bundlePath } from '../../pipeline/bundled-cli';
import { NonRetriableError, RetriableError } from '../../runbooks/core/errors';
import { GAMEDAY_ID_PATTERN, type GameDayInput, type PhaseOutcome } from '../../runbooks/gameday/gameday-phases';

import { InMemoryGameDay } from '../runbooks/gameday/in-memory-gameday-ports';

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
  // config hostName.domainName, and the Regions with a certificateArns entry (none here: plain HTTP)
  public_host_name: 'www.shop.example.com',
  https_regions: '',
  // the preflight job's: 30-minute credentials less the record's margin
  phase_minutes: '25',
};
const getInput = (inputs: Record<string, string>) => (name: string) => (inputs[name] ?? '').trim();
const ID = 'gd-20261207T043000Z-a1b2';
const clock = { now: () => new Date('2026-12-07T04:30:00Z'), sleep: async () => {} };
/** A step's job summary as text (renderText of cli-support/job-summary.ts). */
const text = (result: { summary: JobSummary }) => renderText(result.summary);

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

  test('GIVEN a phase step without phase_minutes, or one beyond an hour’s credentials less the margin THEN it is refused (review 16d G4)', () => {
    const problems = (inputs: Record<string, string>) => {
      try {
        readGameDayInputs(getInput({ ...DISPATCH, phase: 'recover', run_game_day_id: ID, ...inputs }));
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    expect(problems({ phase_minutes: '' })).toEqual([
      'phase_minutes: no value given; accepted: a whole number from 1 to 55 (the workflow gives each phase its share of its job’s credentials, less 5 minutes for the record)',
    ]);
    expect(problems({ phase_minutes: '56' })).toEqual([
      'phase_minutes: "56" is out of range; accepted: a whole number from 1 to 55',
    ]);
    expect(problems({ phase_minutes: '55' })).toEqual([]);
    // the validate step runs no phase: it needs no deadline
    expect(() =>
      readGameDayInputs(getInput({ ...DISPATCH, phase: 'preflight', validate_only: 'true', phase_minutes: '' })),
    ).not.toThrow();
  });

  test('GIVEN https_regions naming a Region of another deployment, or no public_host_name, or a host name that is no DNS name THEN each is refused (review 16d G5)', () => {
    const problems = (inputs: Record<string, string>) => {
      try {
        readGameDayInputs(getInput({ ...DISPATCH, phase: 'score', run_game_day_id: ID, ...inputs }));
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    expect(problems({ https_regions: 'us-west-2,eu-west-1' })).toEqual([
      'https_regions: "eu-west-1" is not a Region of this deployment; accepted: Regions among "us-east-1" (primary) and "us-west-2" (standby), separated by commas, or none',
    ]);
    expect(problems({ https_regions: 'us-west-2', public_host_name: '' })).toEqual([
      'public_host_name: no value given with https_regions "us-west-2"; accepted: the shop’s public host name (config hostName.domainName), which its certificates name',
    ]);
    expect(problems({ public_host_name: 'https://www.shop.example.com' })).toEqual([
      'public_host_name: "https://www.shop.example.com" is not a DNS name; accepted: a lowercase DNS name such as "www.shop.example.com" (config hostName.domainName)',
    ]);
    const inputs = readGameDayInputs(
      getInput({ ...DISPATCH, phase: 'score', run_game_day_id: ID, https_regions: 'us-west-2, us-east-1' }),
    );
    expect([inputs.publicHostName, inputs.httpsRegions]).toEqual(['www.shop.example.com', ['us-west-2', 'us-east-1']]);
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

describe('gameDayPortsOptions: what the CLI hands gameDayAwsPorts (review 16d G4, G5)', () => {
  test('GIVEN a phase step THEN the ports get its deadline, the shop’s public host name and the HTTPS Regions, with the config’s values', () => {
    const inputs = readGameDayInputs(
      getInput({
        ...DISPATCH,
        phase: 'await-return',
        run_game_day_id: ID,
        phase_minutes: '50',
        wait_minutes: '40',
        https_regions: 'us-west-2',
      }),
    );
    const log = () => {};
    const options = gameDayPortsOptions(inputs, log, 'https://github.com/acme/shop/actions/runs/42');
    expect(options).toEqual({
      appName: 'shop',
      envName: 'dev',
      primaryRegion: 'us-east-1',
      standbyRegion: 'us-west-2',
      evidenceRetentionDays: 400,
      targets: { rtoSeconds: 900, rpoSeconds: 60 },
      log,
      settings: { phaseMinutes: 50, returnWaitMinutes: 40 },
      publicHostName: 'www.shop.example.com',
      httpsRegions: ['us-west-2'],
      runUrl: 'https://github.com/acme/shop/actions/runs/42',
    });
  });

  test('GIVEN no certificate in either Region THEN no Region is reached over HTTPS', () => {
    const inputs = readGameDayInputs(getInput({ ...DISPATCH, phase: 'score', run_game_day_id: ID }));
    expect(gameDayPortsOptions(inputs, () => {}).httpsRegions).toEqual([]);
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
    [{ status: 'inconclusive' as const, verdict: 'INCONCLUSIVE' as const }, 1, 'Verdict: INCONCLUSIVE'],
    [{ verdict: 'FAILED' as const }, 1, 'Verdict: FAILED'],
    [{ verdict: 'PASSED' as const }, 0, 'Verdict: PASSED'],
  ])('GIVEN the outcome %o THEN the step exits %d and its summary says %s', async (outcome, exitCode, line) => {
    const result = await runWith(outcome, 'score').result;
    expect(result.exitCode).toBe(exitCode);
    expect(text(result)).toContain(line);
    expect(result.outputs['verdict']).toBe((outcome as { verdict?: string }).verdict ?? '');
  });

  test('GIVEN a failed phase without a verdict THEN the summary says how to resume at that phase', async () => {
    const result = await runWith({ status: 'failed' }, 'recover').result;
    expect(text(result)).toContain(
      `To go on: dispatch gameday.yml again with failed_region us-east-1, dry_run false, game_day_id ${ID} and resume_at recover (a new run asks for a new approval; re-running the failed jobs of this run does not work: a re-run is not approved again).`,
    );
    expect(result.failure).toBe(`recover of game day ${ID}: failed`);
  });

  test('GIVEN an AWS call that failed after its retries THEN exit 3, the error and where to resume in the summary', async () => {
    const error = new AwsCallError('GetObject', new Error('Service Unavailable'), 3);
    const result = await runWith(error, 'inject').result;
    expect(result.exitCode).toBe(3);
    expect(text(result)).toContain('inject stopped with an error');
    expect(text(result)).toContain('resume_at inject');
    expect(text(result)).toContain('Verdict: not reached');
  });

  test('GIVEN clean-up after a FAILED game day THEN the summary repeats FAILED and the step exits 0 when it cleaned up', async () => {
    const result = await runWith({ verdict: 'FAILED' }, 'clean-up', { verdict: 'FAILED' }).result;
    expect(result.exitCode).toBe(0);
    expect(text(result)).toContain('Verdict: FAILED');
    const incomplete = await runWith({ status: 'failed' }, 'clean-up').result;
    expect(incomplete.exitCode).toBe(1);
    expect(text(incomplete)).toContain('Verdict: none');
  });

  test('GIVEN an evidence URL THEN the summary links evidence.html', async () => {
    const url = 'https://console.aws.amazon.com/s3/object/b?prefix=gamedays/x/evidence/evidence.html';
    const result = await runWith({ verdict: 'PASSED', evidenceUrl: url }, 'score').result;
    expect(text(result)).toContain(`Evidence pack (evidence.html): ${url}`);
    expect(renderHtml(result.summary)).toContain(`<a href="${url}">`);
    expect(result.outputs['evidence_url']).toBe(url);
  });
});

/** Runs the committed bundle as a workflow step does, with only `inputs`, `extraEnv` and the GitHub files; no AWS reachable. */
async function runBundle(inputs: Record<string, string>, extraEnv: Record<string, string> = {}) {
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
      ...extraEnv,
    };
    const { exitCode, stdout } = await new Promise<{ exitCode: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [bundlePath('gameday')], { cwd: REPO, env, timeout: 60_000 }, (error, out) =>
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

  test('GIVEN a phase step without its deadline and with an HTTPS Region of another deployment THEN exit 2 naming both, before the approval is read (review 16d G4, G5)', async () => {
    const run = await runBundle({
      ...DISPATCH,
      phase: 'preflight',
      run_game_day_id: ID,
      approved_attempt: '1',
      phase_minutes: '',
      https_regions: 'eu-west-1',
    });
    expect(run.exitCode).toBe(2);
    expect(run.summary).toContain('phase_minutes: no value given; accepted: a whole number from 1 to 55');
    expect(run.summary).toContain('https_regions: &quot;eu-west-1&quot; is not a Region of this deployment');
    expect(run.summary).toContain('Verdict: not reached (nothing was called).');
  });

  test('GIVEN invalid inputs THEN exit 2, each problem in the log and the job summary, nothing called', async () => {
    const run = await runBundle({ ...DISPATCH, phase: 'preflight', validate_only: 'true', failed_region: 'eu-west-1' });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toContain('::error::');
    // HTML-escaped as written (cli-support/job-summary.ts)
    expect(run.summary).toContain('failed_region: &quot;eu-west-1&quot; is not a Region of this deployment');
    expect(run.summary).toContain('Verdict: not reached (nothing was called).');
  });
});

/**
 * A stand-in for GitHub's REST API that answers "Get the review history for a workflow run"
 * (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`) with `approvals`, and records every request (AWS
 * requests included: `AWS_ENDPOINT_URL` points here).
 */
async function withGitHubApi<T>(
  approvals: unknown,
  body: (env: Record<string, string>, requests: string[]) => Promise<T>,
) {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(approvals));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await body(
      {
        GITHUB_API_URL: `http://127.0.0.1:${port}`,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '42',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_TOKEN: 'ghs_test',
        GITHUB_ACTOR: 'octocat',
        GITHUB_TRIGGERING_ACTOR: 'octocat',
        // AWS requests come here too, so the test sees any the CLI sends
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      },
      requests,
    );
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** One entry of the review history (GitHub's `environment-approvals` schema: environments, state, user, comment). */
const review = (login: string, state = 'approved', environment = 'shop-dev-gameday') => ({
  environments: [{ name: environment }],
  state,
  user: { login },
  comment: '',
});

describe('the committed gameday bundle refuses a phase without an approval of this attempt (review 16d G1, G2)', () => {
  const phase = { ...DISPATCH, phase: 'preflight', run_game_day_id: ID, approved_attempt: '1' };

  test.each([
    ['no approval at all', [], 'no approval'],
    ['only the dispatcher’s own approval', [review('octocat')], 'approved only by octocat'],
    ['a rejection', [review('reviewer-bob', 'rejected')], 'no approval'],
    ['an approval of another Environment', [review('reviewer-bob', 'approved', 'shop-dev-failover')], 'no approval'],
  ])('GIVEN %s THEN exit 2 and no AWS call', async (_, approvals, problem) => {
    await withGitHubApi(approvals, async (github, requests) => {
      const run = await runBundle(phase, github);
      expect(run.exitCode).toBe(2);
      expect(run.summary).toContain(problem);
      // the review history was read, and nothing else
      expect(requests).toEqual(['GET /repos/acme/shop/actions/runs/42/approvals']);
    });
  });

  test('GIVEN a re-run (attempt 2) of a run approved in attempt 1 THEN exit 2, no AWS call, and the summary says to dispatch again', async () => {
    await withGitHubApi([review('reviewer-bob')], async (github, requests) => {
      const run = await runBundle(phase, { ...github, GITHUB_RUN_ATTEMPT: '2', GITHUB_TRIGGERING_ACTOR: 'mallory' });
      expect(run.exitCode).toBe(2);
      expect(run.summary).toContain('run attempt 2: shop-dev-gameday was approved in attempt 1, not in this one');
      expect(run.summary).not.toMatch(/re-run the failed jobs/);
      expect(requests).toEqual(['GET /repos/acme/shop/actions/runs/42/approvals']);
    });
  });

  test('GIVEN a review history that cannot be read THEN exit 2 and no AWS call', async () => {
    await withGitHubApi({ message: 'Resource not accessible by integration' }, async (github, requests) => {
      const run = await runBundle(phase, github);
      expect(run.exitCode).toBe(2);
      expect(run.summary).toContain('review history of shop-dev-gameday: unreadable');
      expect(requests).toHaveLength(1);
    });
  });

  test('GIVEN an approval by a reviewer in this attempt and AWS unreachable THEN the phase calls AWS and exits 3 (an AWS call failed: review 16d G8)', async () => {
    await withGitHubApi([review('reviewer-bob')], async (github) => {
      // AWS unreachable: nothing listens on port 9
      const run = await runBundle(phase, { ...github, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
      expect(run.summary).toMatch(/DescribeStacks/);
      expect(run.exitCode).toBe(3);
      expect(run.summary).toContain('approved by: reviewer-bob');
    });
  });
});

describe('job summaries show user and AWS text as text (review 16d G9)', () => {
  test('GIVEN a reason with Markdown and HTML THEN the written summary escapes it', async () => {
    const reason = '[click me](https://evil.example) <b>x</b>';
    const run = await runBundle({ ...DISPATCH, reason, phase: 'preflight', validate_only: 'true' });
    expect(run.exitCode).toBe(0);
    expect(run.summary).not.toContain('<b>x</b>');
    expect(run.summary).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});

describe('decideApproval (review 16d G1, G2)', () => {
  const approvedBy = (...logins: string[]) => ({
    kind: 'approved' as const,
    by: logins.map((login) => ({ login, comment: '' })),
  });
  const base = {
    environment: 'shop-dev-gameday',
    actor: 'alice',
    triggeringActor: 'alice',
    runAttempt: '1',
    approvedAttempt: 1,
  };

  test('GIVEN an approval by another person in this attempt THEN the phase acts, naming that approver', () => {
    expect(decideApproval({ ...base, phase: 'inject', approval: approvedBy('bob', 'alice') })).toEqual({
      kind: 'approved',
      approvers: ['bob'],
    });
  });

  test('GIVEN a re-run started by someone who then approved THEN neither the actor nor the triggering actor counts', () => {
    const decision = decideApproval({
      ...base,
      phase: 'failover',
      triggeringActor: 'mallory',
      runAttempt: '2',
      approvedAttempt: 2,
      approval: approvedBy('alice', 'mallory'),
    });
    expect(decision).toEqual({
      kind: 'refused',
      problems: [
        'review history of shop-dev-gameday: approved only by alice, mallory, who started this run; accepted: an approval by someone other than alice or mallory (set prevent_self_review on shop-dev-gameday)',
      ],
    });
  });

  test('GIVEN no attempt number, or no approved attempt THEN refused', () => {
    expect(decideApproval({ ...base, phase: 'preflight', runAttempt: '', approval: approvedBy('bob') }).kind).toBe(
      'refused',
    );
    const { approvedAttempt: _, ...noApprovedAttempt } = base;
    expect(decideApproval({ ...noApprovedAttempt, phase: 'preflight', approval: approvedBy('bob') })).toEqual({
      kind: 'refused',
      problems: [
        "run attempt 1: shop-dev-gameday was approved in no attempt this job can see, not in this one (a re-run keeps an earlier attempt's approval and asks nobody again); accepted: a phase of the attempt whose approve job ran — dispatch gameday.yml again (it asks for a new approval)",
      ],
    });
  });

  test('GIVEN clean-up THEN it is never refused: it must stop the shoppers and the experiment after anything', () => {
    expect(
      decideApproval({
        ...base,
        phase: 'clean-up',
        runAttempt: '3',
        approval: { kind: 'unreadable', error: 'HTTP 500' },
      }),
    ).toEqual({ kind: 'approved', approvers: [] });
  });
});

describe('an AWS call that failed makes the step exit 3, a phase that said no exit 1 (review 16d G8)', () => {
  // runbooks/adapters/aws/aws-call.ts wraps what the SDK threw (a service error carries `$metadata`) as the `cause` of
  // a RetriableError/NonRetriableError; runGameDayPhase turns any thrown error into status failed.
  const sdkError = Object.assign(new Error('User is not authorized to perform: s3:GetObject'), {
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });
  const stepWith = async (world: InMemoryGameDay) => {
    const runner = phaseRunnerOver(() => world.ports());
    return runGameDayStep(readGameDayInputs(getInput({ ...DISPATCH, phase: 'inject', run_game_day_id: ID })), {
      runPhase: runner.runPhase,
      awsFailureOf: runner.awsFailureOf,
      clock,
      actor: 'alice',
      log: () => {},
    });
  };

  test('GIVEN the record cannot be read (AccessDenied after the retries) THEN exit 3 naming the call', async () => {
    const world = new InMemoryGameDay();
    const ports = world.ports();
    jest.spyOn(world, 'ports').mockReturnValue({
      ...ports,
      buckets: {
        ...ports.buckets,
        get: async () => {
          throw new NonRetriableError('GetObject gamedays/x/record.json in us-west-2: AccessDenied', {
            cause: sdkError,
          });
        },
      },
    });
    const result = await stepWith(world);
    expect(result.exitCode).toBe(3);
    expect(text(result)).toContain('An AWS call failed after its retries: GetObject gamedays/x/record.json');
  });

  test('GIVEN the phase refuses by itself (no record: preflight never ran) THEN exit 1', async () => {
    const result = await stepWith(new InMemoryGameDay());
    expect(result.outputs['status']).toBe('failed');
    expect(result.exitCode).toBe(1);
  });

  test('isAwsFailure: SDK errors, wrapped or not, and network failures; not a plain error', () => {
    expect(isAwsFailure(sdkError)).toBe(true);
    expect(isAwsFailure(new RetriableError('DescribeStacks: still failing', { cause: { code: 'ECONNREFUSED' } }))).toBe(
      true,
    );
    expect(isAwsFailure(new AwsCallError('GetParameter', new Error('x'), 3))).toBe(true);
    expect(isAwsFailure(new Error('stack has no output ReportBucketName'))).toBe(false);
  });
});
