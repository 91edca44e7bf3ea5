import {
  GetParameterCommand,
  type GetParameterCommandInput,
  ParameterNotFound,
  PutParameterCommand,
  type PutParameterCommandInput,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ConstantBackoff } from 'cockatiel';
import escapeHtml from 'escape-html';
import { deployFreezeParameterName, type FreezeRecord } from '../../.github/actions/freeze/freeze-record';
import { run } from '../../.github/actions/freeze/main';
import { FakeClock, runAction } from './action-harness';

const START = new Date('2025-03-01T12:00:00Z');
const PARAMETER = '/shop/dev/deploy-freeze';
const FAILOVER_RUN = 'https://github.com/acme/shop/actions/runs/77';
const ssm = mockClient(SSMClient);

/** What the freeze parameter holds per Region: a record, nothing, or an error when the Region cannot be reached. */
type RegionValue = FreezeRecord | 'absent' | Error;

const frozen: FreezeRecord = {
  schemaVersion: 1,
  frozen: true,
  action: 'failover',
  targetRegion: 'us-west-2',
  runUrl: FAILOVER_RUN,
  reason: 'us-east-1 ALB 503 since 11:52 (INC-1234)',
  at: '2025-03-01T11:58:00Z',
};
const cleared: FreezeRecord = { schemaVersion: 1, frozen: false, reason: 'failback done', at: '2025-03-01T13:00:00Z' };

const unreachable = () =>
  Object.assign(new Error('connect ETIMEDOUT 52.94.0.1:443'), { name: 'TimeoutError', code: 'ETIMEDOUT' });

/** A fake SSM per Region: GetParameter answers from `values`, PutParameter stores into it (or fails). */
function fakeSsm(values: Record<string, RegionValue>): Record<string, RegionValue> {
  const regionOf = async (getClient: () => SSMClient) => getClient().config.region();
  ssm.on(GetParameterCommand).callsFake(async (input: GetParameterCommandInput, getClient) => {
    const value = values[await regionOf(getClient)];
    if (value instanceof Error) throw value;
    if (value === undefined || value === 'absent' || input.Name !== PARAMETER) {
      throw new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } });
    }
    return { Parameter: { Name: PARAMETER, Value: JSON.stringify(value), Type: 'String', Version: 3 } };
  });
  ssm.on(PutParameterCommand).callsFake(async (input: PutParameterCommandInput, getClient) => {
    const region = await regionOf(getClient);
    const value = values[region];
    if (value instanceof Error) throw value;
    values[region] = JSON.parse(input.Value ?? '') as FreezeRecord;
    return { Version: 4, Tier: 'Standard' };
  });
  return values;
}

const base = { regions: 'us-east-1,us-west-2', app_name: 'shop', env_name: 'dev' };
const check = { command: 'check', ...base };
const set = {
  command: 'set',
  ...base,
  action: 'failover',
  target_region: 'us-west-2',
  run_url: FAILOVER_RUN,
  reason: 'us-east-1 ALB 503 since 11:52 (INC-1234)',
};
const clear = { command: 'clear', ...base, reason: 'failback to us-east-1 done' };

const runFreeze = (inputs: Record<string, string>) =>
  runAction(() => run({ clock: new FakeClock(START), retry: { backoff: new ConstantBackoff(0) } }), inputs, {
    GITHUB_SERVER_URL: undefined,
  });

beforeEach(() => ssm.reset());

describe('freeze record', () => {
  test('the parameter is /<app>/<env>/deploy-freeze', () => {
    expect(deployFreezeParameterName('shop', 'dev')).toBe(PARAMETER);
  });
});

describe('freeze check (a deploy wave runs it before it starts)', () => {
  test('GIVEN no record in either Region WHEN check THEN exit 0, frozen=false', async () => {
    fakeSsm({ 'us-east-1': 'absent', 'us-west-2': 'absent' });
    const result = await runFreeze(check);
    expect(result.exitCode).toBe(0);
    expect(result.outputs['frozen']).toBe('false');
    expect(result.summary).toContain('Result: not frozen');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  test('GIVEN a freeze in one Region only WHEN check THEN exit 1; the summary names the failover run and how to clear', async () => {
    fakeSsm({ 'us-east-1': 'absent', 'us-west-2': frozen });
    const result = await runFreeze(check);
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      frozen: 'true',
      action: 'failover',
      target_region: 'us-west-2',
      run_url: FAILOVER_RUN,
    });
    expect(result.failure).toContain('failover to us-west-2');
    expect(result.failure).toContain(FAILOVER_RUN);
    expect(result.summary).toContain('Result: FROZEN');
    expect(result.summary).toContain(`href="${FAILOVER_RUN}"`);
    expect(result.summary).toContain('INPUT_COMMAND=clear INPUT_REGIONS=us-east-1,us-west-2');
  });

  test('GIVEN the failed Region unreachable and a freeze in the other WHEN check THEN frozen (exit 1), not undecided', async () => {
    fakeSsm({ 'us-east-1': unreachable(), 'us-west-2': frozen });
    const result = await runFreeze(check);
    expect(result.exitCode).toBe(1);
    expect(result.outputs['frozen']).toBe('true');
  });

  test('GIVEN one Region unreachable and no record in the other WHEN check THEN fail closed: exit 3 "could not decide"', async () => {
    // The unread Region may hold the freeze of a failover away from it.
    fakeSsm({ 'us-east-1': unreachable(), 'us-west-2': 'absent' });
    const result = await runFreeze(check);
    expect(result.exitCode).toBe(3);
    expect(result.outputs['frozen']).toBe('unknown');
    expect(result.failure).toContain('Could not decide');
    expect(result.failure).toContain(
      'us-east-1: SSM GetParameter /shop/dev/deploy-freeze in us-east-1 failed after 5 attempts',
    );
    expect(result.summary).toContain('could not decide');
  });

  test('GIVEN access denied in one Region and no record in the other WHEN check THEN exit 3 (not retried)', async () => {
    const denied = new SSMServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      message: 'not authorized to perform ssm:GetParameter',
      $metadata: { httpStatusCode: 400 },
    });
    fakeSsm({ 'us-east-1': 'absent', 'us-west-2': denied });
    const result = await runFreeze(check);
    expect(result.exitCode).toBe(3);
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  test('GIVEN a lifted freeze in both Regions WHEN check THEN not frozen', async () => {
    fakeSsm({ 'us-east-1': cleared, 'us-west-2': cleared });
    expect((await runFreeze(check)).exitCode).toBe(0);
  });

  test('GIVEN a value that is not a freeze record WHEN check THEN frozen (fail closed), naming the problem', async () => {
    const values = fakeSsm({ 'us-east-1': 'absent', 'us-west-2': 'absent' });
    values['us-west-2'] = { schemaVersion: 2 } as unknown as FreezeRecord;
    const result = await runFreeze(check);
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain('not a freeze record');
  });
});

describe('freeze set and clear', () => {
  test('GIVEN both Regions up WHEN set THEN the record is written in both, exit 0', async () => {
    const values = fakeSsm({ 'us-east-1': 'absent', 'us-west-2': 'absent' });
    const result = await runFreeze(set);
    expect(result.exitCode).toBe(0);
    const expected = {
      schemaVersion: 1,
      frozen: true,
      action: 'failover',
      targetRegion: 'us-west-2',
      runUrl: FAILOVER_RUN,
      reason: set.reason,
      at: '2025-03-01T12:00:00Z',
    };
    expect(values['us-east-1']).toEqual(expected);
    expect(values['us-west-2']).toEqual(expected);
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: PARAMETER, Overwrite: true, Type: 'String' });
    expect(result.outputs).toMatchObject({ written_regions: 'us-east-1,us-west-2', failed_regions: '' });
  });

  test('GIVEN the failed Region unreachable WHEN set THEN it succeeds in the other and says which did not', async () => {
    const values = fakeSsm({ 'us-east-1': unreachable(), 'us-west-2': 'absent' });
    const result = await runFreeze(set);
    expect(result.exitCode).toBe(0);
    expect(values['us-west-2']).toMatchObject({ frozen: true, targetRegion: 'us-west-2' });
    expect(result.outputs).toMatchObject({ written_regions: 'us-west-2', failed_regions: 'us-east-1' });
    expect(result.summary).toContain('NOT in us-east-1');
    expect(result.lines.some((l) => l.startsWith('::warning::') && l.includes('NOT in'))).toBe(true);
  });

  test('GIVEN neither Region reachable WHEN set THEN exit 3', async () => {
    fakeSsm({ 'us-east-1': unreachable(), 'us-west-2': unreachable() });
    const result = await runFreeze(set);
    expect(result.exitCode).toBe(3);
    expect(result.failure).toContain('Could not write the deploy freeze /shop/dev/deploy-freeze in any Region');
    expect(result.summary).toContain('FAILED in every Region');
  });

  test('GIVEN a freeze WHEN clear THEN both Regions hold a lifted record (overwritten, not deleted) and check passes', async () => {
    const values = fakeSsm({ 'us-east-1': frozen, 'us-west-2': frozen });
    const result = await runFreeze(clear);
    expect(result.exitCode).toBe(0);
    expect(values['us-east-1']).toEqual({
      schemaVersion: 1,
      frozen: false,
      reason: clear.reason,
      at: '2025-03-01T12:00:00Z',
    });
    expect((await runFreeze(check)).exitCode).toBe(0);
  });

  test('GIVEN one Region unreachable WHEN clear THEN exit 3: the freeze is still there, deploys stay frozen', async () => {
    fakeSsm({ 'us-east-1': unreachable(), 'us-west-2': frozen });
    const result = await runFreeze(clear);
    expect(result.exitCode).toBe(3);
    expect(result.failure).toContain('NOT in');
    expect(result.failure).toContain('us-east-1');
  });

  test('run_url defaults to the current GitHub Actions run', async () => {
    const values = fakeSsm({ 'us-east-1': 'absent', 'us-west-2': 'absent' });
    const { run_url: _, ...withoutUrl } = set;
    const result = await runAction(
      () => run({ clock: new FakeClock(START), retry: { backoff: new ConstantBackoff(0) } }),
      withoutUrl,
      { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '91' },
    );
    expect(result.exitCode).toBe(0);
    expect(values['us-east-1']).toMatchObject({ runUrl: 'https://github.com/acme/shop/actions/runs/91' });
  });
});

describe('freeze inputs are validated before any AWS call', () => {
  test.each([
    [{ ...check, command: 'lock' }, 'command: "lock" is not one of them'],
    [{ ...check, regions: 'us-east-1' }, 'regions: "us-east-1" has 1 Region'],
    [{ ...check, regions: 'us-east-1,us-west-2,eu-west-1' }, 'regions: "us-east-1,us-west-2,eu-west-1" has 3 items'],
    [{ ...set, target_region: 'eu-west-1' }, 'target_region: "eu-west-1" is not one of regions'],
    [{ ...set, action: 'readiness' }, 'action: "readiness" is not one of them'],
    [{ ...set, reason: 'two\nlines' }, 'reason: "two\\nlines" has control characters'],
    [{ ...set, run_url: 'http://example.com/run' }, 'run_url: "http://example.com/run" is not an https URL'],
    [{ ...clear, reason: '' }, 'reason: no value given'],
    [{ ...check, app_name: 'Shop' }, 'app_name: "Shop" is not a valid name'],
  ])('%j → exit 2: %s', async (inputs, problem) => {
    const result = await runFreeze(inputs);
    expect(result.exitCode).toBe(2);
    expect(result.failure).toContain(problem);
    expect(ssm.calls()).toHaveLength(0);
    // Every way out writes a job summary: a guard that stopped a wave on bad inputs says so on the run page too
    expect(result.summary).toContain(': inputs invalid, nothing read or written</h2>');
    expect(result.summary).toContain('<p>Result: invalid inputs; no AWS call was made (exit 2)</p>');
    expect(result.summary).toContain(escapeHtml(problem));
  });
});
