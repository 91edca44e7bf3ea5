import { type GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConstantBackoff } from 'cockatiel';
import { awsCaller } from '../../.github/actions/cli-support/aws-retry';
import { deployFreezeParameterName, parseFreezeRecord } from '../../.github/actions/freeze/freeze-record';
import type { FreezeDependencies } from '../../.github/actions/freeze/freeze-store';
import { gameDayFreeze } from '../../.github/actions/gameday/gameday-freeze';
import { readGameDayInputs } from '../../.github/actions/gameday/gameday-inputs';
import { runGameDayStep } from '../../.github/actions/gameday/gameday-step';
import type { GameDayRecord } from '../../runbooks/gameday/gameday-record';

// Review 16d G11: a deploy could start while FIS isolates a Region (the failover phase then refuses a stack
// *_IN_PROGRESS, with the fault live). A non-dry game day writes the deploy freeze (the failover CLI's freeze code,
// .github/actions/freeze/) before start-traffic and inject; clean-up lifts the game day's own freeze only when no
// failover happened: after a failover the freeze stays until the failback lifts it, as the failover CLI does.

const ID = 'gd-20261207T043000Z-a1b2';
const PARAMETER = deployFreezeParameterName('shop', 'dev');
const DISPATCH = {
  failed_region: 'us-east-1',
  dry_run: 'false',
  reason: 'CHG-16 first game day',
  primary_region: 'us-east-1',
  standby_region: 'us-west-2',
  app_name: 'shop',
  env_name: 'dev',
  evidence_retention_days: '400',
  rto_target_minutes: '15',
  rpo_target_seconds: '60',
  run_game_day_id: ID,
  // every phase step gets its deadline (gameday.yml: the inject job's phases 12 minutes each)
  phase_minutes: '12',
};
const inputsFor = (phase: string, extra: Record<string, string> = {}) =>
  readGameDayInputs((name) => ({ ...DISPATCH, phase, ...extra })[name as keyof typeof DISPATCH] ?? '');
const clock = { now: () => new Date('2026-12-07T05:00:00Z'), sleep: async () => {} };

/** SSM parameters of both Regions in memory, answering GetParameter/PutParameter as SSM does. */
class Parameters {
  readonly values = new Map<string, string>();
  readonly calls: string[] = [];
  unreachable = new Set<string>();

  deps(): FreezeDependencies {
    return {
      ssmFor: (region) =>
        ({
          send: async (command: GetParameterCommand | PutParameterCommand) => {
            this.calls.push(`${region} ${command.constructor.name}`);
            if (this.unreachable.has(region))
              throw Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
            const key = `${region} ${command.input.Name}`;
            if (command instanceof PutParameterCommand) {
              this.values.set(key, command.input.Value!);
              return {};
            }
            const value = this.values.get(key);
            // SSM GetParameter: ParameterNotFound "The parameter couldn't be found"
            if (value === undefined) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
            return { Parameter: { Value: value } };
          },
        }) as unknown as SSMClient,
      call: awsCaller({ attempts: 1, backoff: new ConstantBackoff(0) }),
      log: () => {},
    };
  }

  record(region: string) {
    const parsed = parseFreezeRecord(this.values.get(`${region} ${PARAMETER}`) ?? '');
    return 'record' in parsed ? parsed.record : undefined;
  }
}

const baseRecord = {
  format: 'multi-region-shop/gameday-record@1',
  gameDayId: ID,
  failedRegion: 'us-east-1',
  survivingRegion: 'us-west-2',
  actor: 'alice',
  createdAt: '2026-12-07T04:30:00.000Z',
  phases: {},
} as unknown as GameDayRecord;

const step = (
  params: Parameters,
  phase: string,
  record: () => Promise<GameDayRecord | undefined> = async () => baseRecord,
  extra: Record<string, string> = {},
) => {
  const ran: string[] = [];
  const result = runGameDayStep(inputsFor(phase, extra), {
    runPhase: async (p) => {
      ran.push(p);
      return { phase: p, status: 'succeeded', summary: `**${p}**: done` };
    },
    freeze: gameDayFreeze({
      deps: params.deps(),
      appName: 'shop',
      envName: 'dev',
      clock,
      readRecord: record,
      runUrl: 'https://github.com/acme/shop/actions/runs/42',
    }),
    clock,
    actor: 'alice',
    approver: 'bob',
    log: () => {},
  });
  return { result, ran };
};

describe('the game day freezes deploys before the fault (review 16d G11)', () => {
  test.each(['start-traffic', 'inject'])(
    'GIVEN %s of a real game day THEN the freeze is written in both Regions before the phase runs',
    async (phase) => {
      const params = new Parameters();
      const { result, ran } = step(params, phase);
      const done = await result;
      expect(ran).toEqual([phase]);
      expect(done.exitCode).toBe(0);
      for (const region of ['us-east-1', 'us-west-2']) {
        expect(params.record(region)).toMatchObject({
          frozen: true,
          action: 'failover',
          targetRegion: 'us-west-2',
          reason: `game day ${ID}: fault in us-east-1 (CHG-16 first game day)`,
          runUrl: 'https://github.com/acme/shop/actions/runs/42',
        });
      }
    },
  );

  test('GIVEN a freeze of a real failover in force THEN the fault is not injected (exit 1), and that freeze is left as it is', async () => {
    const params = new Parameters();
    const theirs = JSON.stringify({
      schemaVersion: 1,
      frozen: true,
      action: 'failover',
      targetRegion: 'us-east-1',
      reason: 'INC-7',
      at: '2026-12-06T00:00:00Z',
    });
    params.values.set(`us-east-1 ${PARAMETER}`, theirs);
    const { result, ran } = step(params, 'inject');
    const done = await result;
    expect(ran).toEqual([]);
    expect(done.exitCode).toBe(1);
    expect(params.values.get(`us-east-1 ${PARAMETER}`)).toBe(theirs);
  });

  test('GIVEN no Region takes the freeze THEN the phase does not run and the step exits 3', async () => {
    const params = new Parameters();
    params.unreachable = new Set(['us-east-1', 'us-west-2']);
    const { result, ran } = step(params, 'start-traffic');
    const done = await result;
    expect(ran).toEqual([]);
    expect(done.exitCode).toBe(3);
  });

  test('GIVEN a dry run or another phase THEN no freeze is touched', async () => {
    const params = new Parameters();
    await step(params, 'failover').result;
    await step(params, 'score').result;
    await step(params, 'inject', undefined, { dry_run: 'true' }).result;
    expect(params.calls).toEqual([]);
  });
});

describe('clean-up lifts the game day’s freeze only when no failover happened (review 16d G11)', () => {
  const frozenByGameDay = async (params: Parameters) => {
    await step(params, 'inject').result;
    expect(params.record('us-west-2')?.frozen).toBe(true);
  };

  test('GIVEN the game day stopped before its failover THEN clean-up lifts its freeze in both Regions', async () => {
    const params = new Parameters();
    await frozenByGameDay(params);
    const done = await step(params, 'clean-up').result;
    expect(done.exitCode).toBe(0);
    expect(params.record('us-east-1')?.frozen).toBe(false);
    expect(params.record('us-west-2')?.frozen).toBe(false);
  });

  test('GIVEN a failover happened THEN the freeze stays until the failback, and the summary says so', async () => {
    const params = new Parameters();
    await frozenByGameDay(params);
    const failedOver = {
      ...baseRecord,
      failover: { executionId: 'e-1', status: 'Success', startedAt: '2026-12-07T04:50:00.000Z' },
    } as GameDayRecord;
    const done = await step(params, 'clean-up', async () => failedOver).result;
    expect(done.exitCode).toBe(0);
    expect(params.record('us-west-2')?.frozen).toBe(true);
    expect(JSON.stringify(done.summary)).toContain('stays until the failback');
  });

  test('GIVEN the failover phase ran but recorded no execution THEN the freeze stays (it may have started one)', async () => {
    const params = new Parameters();
    await frozenByGameDay(params);
    const tried = {
      ...baseRecord,
      phases: { failover: { status: 'failed', at: '2026-12-07T04:50:00.000Z', summary: 'x' } },
    } as unknown as GameDayRecord;
    await step(params, 'clean-up', async () => tried).result;
    expect(params.record('us-west-2')?.frozen).toBe(true);
  });

  test('GIVEN the record cannot be read THEN the freeze stays, and the step says how to lift it', async () => {
    const params = new Parameters();
    await frozenByGameDay(params);
    const done = await step(params, 'clean-up', async () => {
      throw new Error('AccessDenied');
    }).result;
    expect(params.record('us-west-2')?.frozen).toBe(true);
    expect(JSON.stringify(done.summary)).toContain('deploy freeze stays');
  });

  test('GIVEN the clean-up itself failed (the experiment may still run) THEN the freeze stays', async () => {
    const params = new Parameters();
    await frozenByGameDay(params);
    const done = await runGameDayStep(inputsFor('clean-up'), {
      runPhase: async (p) => ({ phase: p, status: 'failed', summary: 'could not stop experiment EXP1' }),
      freeze: gameDayFreeze({
        deps: params.deps(),
        appName: 'shop',
        envName: 'dev',
        clock,
        readRecord: async () => baseRecord,
      }),
      clock,
      actor: 'alice',
      log: () => {},
    });
    expect(done.exitCode).toBe(1);
    expect(params.record('us-west-2')?.frozen).toBe(true);
  });

  test('GIVEN another freeze (not this game day’s) THEN clean-up leaves it', async () => {
    const params = new Parameters();
    const theirs = JSON.stringify({
      schemaVersion: 1,
      frozen: true,
      action: 'switchover',
      targetRegion: 'us-west-2',
      reason: 'CHG-9',
      at: '2026-12-06T00:00:00Z',
    });
    params.values.set(`us-west-2 ${PARAMETER}`, theirs);
    await step(params, 'clean-up').result;
    expect(params.values.get(`us-west-2 ${PARAMETER}`)).toBe(theirs);
  });
});
