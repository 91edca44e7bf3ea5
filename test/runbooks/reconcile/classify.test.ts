import { bucketOf } from '../../../runbooks/reconcile/bucket-verify';
import { classifyCandidate, type RowVersion } from '../../../runbooks/reconcile/classify';
import { dateToMicros, microsToIso } from '../../../runbooks/reconcile/timestamp';

const cut = dateToMicros(new Date('2026-01-10T12:00:00Z'));
const s = (seconds: number) => cut + BigInt(seconds) * 1_000_000n;
const v = (seconds: number, version: number, hash: string): RowVersion => ({ updatedAt: s(seconds), version, hash });

describe('classifyCandidate', () => {
  test.each([
    ['absent on new', v(10, 1, 'a'), undefined, 'lost_insert'],
    ['same hash', v(-30, 2, 'a'), v(-30, 2, 'a'), 'identical'],
    ['old changed after the cut, new untouched since day one', v(5, 2, 'b'), v(-86_400, 1, 'a'), 'lost_update'],
    [
      'old changed 2 s before the cut, committed too late to replicate',
      v(-2, 2, 'b'),
      v(-86_400, 1, 'a'),
      'lost_update',
    ],
    ['same time, lower version on new', v(-2, 3, 'b'), v(-2, 2, 'a'), 'lost_update'],
    ['new copy before the cut yet newer than old', v(-10, 2, 'b'), v(-5, 3, 'a'), 'conflict'],
    ['changed on both sides after the cut', v(7, 2, 'b'), v(90, 2, 'c'), 'conflict'],
    ['old changed before the cut and new built on it after', v(-20, 2, 'b'), v(100, 3, 'c'), 'superseded'],
    [
      'old changed before the cut, new changed after without building on it',
      v(-20, 3, 'b'),
      v(100, 2, 'c'),
      'conflict',
    ],
    ['new changed exactly at the cut counts as before it', v(5, 2, 'b'), v(0, 1, 'a'), 'lost_update'],
  ] as const)('%s → %s', (_name, old, current, expected) => {
    expect(classifyCandidate(old, current, cut).class).toBe(expected);
  });

  test('the reason names both versions with microsecond times', () => {
    expect(classifyCandidate(v(5, 2, 'b'), v(-86_400, 1, 'a'), cut).reason).toBe(
      "changed on old after new's copy and never replicated: old has version 2 at 2026-01-10T12:00:05.000000Z, new has version 1 at 2026-01-09T12:00:00.000000Z",
    );
  });

  test('a row written 1 µs after the cut is after the cut', () => {
    const old = { updatedAt: cut + 1n, version: 2, hash: 'b' };
    const current = { updatedAt: cut + 1n, version: 2, hash: 'c' };
    expect(classifyCandidate({ ...old, updatedAt: cut + 2n }, current, cut).class).toBe('conflict');
  });
});

describe('timestamps', () => {
  test('microsToIso keeps microseconds', () => {
    expect(microsToIso(1_768_046_400_123_456n)).toBe('2026-01-10T12:00:00.123456Z');
    expect(microsToIso(dateToMicros(new Date('2026-01-10T12:00:00.5Z')))).toBe('2026-01-10T12:00:00.500000Z');
  });
});

describe('bucketOf (the client-side twin of width_bucket(uuid, uuid[]))', () => {
  const boundaries = ['20000000-0000-0000-0000-000000000000', '80000000-0000-0000-0000-000000000000'];
  test.each([
    ['00000000-0000-0000-0000-000000000000', 0],
    ['1fffffff-ffff-ffff-ffff-ffffffffffff', 0],
    ['20000000-0000-0000-0000-000000000000', 1],
    ['7fffffff-ffff-ffff-ffff-ffffffffffff', 1],
    ['80000000-0000-0000-0000-000000000000', 2],
    ['ffffffff-ffff-ffff-ffff-ffffffffffff', 2],
  ])('%s is in bucket %i', (id, bucket) => {
    expect(bucketOf(id, boundaries)).toBe(bucket);
  });
  test('no boundaries: one bucket', () => {
    expect(bucketOf('80000000-0000-0000-0000-000000000000', [])).toBe(0);
  });
});
