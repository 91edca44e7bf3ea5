import { bucketOf, bucketRange } from '../../../runbooks/reconcile/bucket-verify';
import {
  classifyCandidate,
  classifyNewWindowRow,
  type RowVersion,
  uuidV7Micros,
} from '../../../runbooks/reconcile/classify';
import { dateToMicros, microsToIso } from '../../../runbooks/reconcile/timestamp';

const cut = dateToMicros(new Date('2026-01-10T12:00:00Z'));
const s = (seconds: number) => cut + BigInt(Math.round(seconds * 1_000_000));
/** Replication had certainly stopped 2 s after the cut (old's next heartbeat, H1, committed before then). */
const bounds = { cut, mayHaveReplicatedUntil: s(2) };
const v = (seconds: number, version: number, hash: string): RowVersion => ({
  updatedAt: s(seconds),
  version,
  hash,
  versionFromOne: true,
});

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
    [
      'old changed before the cut and new built on it after, with no commit time to prove the change replicated',
      v(-20, 2, 'b'),
      v(100, 3, 'c'),
      'conflict',
    ],
    [
      'old changed before the cut, committed before it, and new built on it after',
      { ...v(-20, 2, 'b'), committedAt: s(-19) },
      v(100, 3, 'c'),
      'superseded',
    ],
    [
      'old changed before the cut but committed after it, and new changed it twice',
      { ...v(-20, 2, 'b'), committedAt: s(3) },
      v(100, 3, 'c'),
      'conflict',
    ],
    [
      'old committed before the cut, but new deleted and re-created the row after it',
      { ...v(-20, 2, 'b'), committedAt: s(-19) },
      { ...v(100, 3, 'c'), createdAt: s(90) },
      'conflict',
    ],
    ['absent on new, created on old after the cut', { ...v(10, 1, 'a'), createdAt: s(10) }, undefined, 'lost_insert'],
    [
      'absent on new, created long before the cut (new deleted it?)',
      { ...v(10, 2, 'a'), createdAt: s(-86_400) },
      undefined,
      'conflict',
    ],
    ['absent on new, no created_at, changed before', v(10, 2, 'a'), undefined, 'conflict'],
    ['absent on new, written in the margin before the cut', v(-10, 1, 'a'), undefined, 'conflict'],
    [
      'absent on new, inserted in the margin but committed after replication had stopped',
      { ...v(-10, 1, 'a'), committedAt: s(12) },
      undefined,
      'lost_insert',
    ],
    ['new copy without updated_at', v(10, 2, 'a'), { ...v(0, 1, 'b'), updatedAt: null }, 'conflict'],
    [
      'old changed before the cut, new changed after without building on it',
      v(-20, 3, 'b'),
      v(100, 2, 'c'),
      'conflict',
    ],
    ['new changed exactly at the cut counts as before it', v(5, 2, 'b'), v(0, 1, 'a'), 'lost_update'],
  ] as [string, RowVersion, RowVersion | undefined, string][])('%s → %s', (_name, old, current, expected) => {
    expect(classifyCandidate(old, current, bounds).class).toBe(expected);
  });

  test.each([
    [
      'absent on new, version 1 but nothing enforces versions from 1, no created_at',
      { ...v(10, 1, 'a'), versionFromOne: undefined },
      'conflict',
    ],
    [
      'absent on new, created after the cut, versions not enforced',
      { ...v(10, 1, 'a'), versionFromOne: undefined, createdAt: s(10) },
      'lost_insert',
    ],
    [
      'absent on new, created after the cut, but a uuid v7 id generated before the cut',
      { ...v(10, 1, 'a'), createdAt: s(10), idTime: s(-3600) },
      'conflict',
    ],
    [
      'absent on new, id generated before the cut, even when the insert committed after it',
      { ...v(10, 1, 'a'), idTime: s(-3600), committedAt: s(11) },
      'conflict',
    ],
    [
      'absent on new, created after the cut, uuid v7 id generated after it',
      { ...v(10, 1, 'a'), createdAt: s(10), idTime: s(9) },
      'lost_insert',
    ],
  ] as [string, RowVersion, string][])('%s → %s (review 13, D12 and probe i)', (_name, old, expected) => {
    expect(classifyCandidate(old, undefined, bounds).class).toBe(expected);
  });

  test.each([
    ['born after the cut, stamped before replication had certainly stopped', v(1, 1, 'a'), 'possibly_lost'],
    [
      'born after the cut, committed before replication had certainly stopped',
      { ...v(1, 1, 'a'), createdAt: s(1), committedAt: s(1.5) },
      'possibly_lost',
    ],
    [
      'born after the cut, committed after replication had stopped',
      { ...v(1, 1, 'a'), createdAt: s(1), committedAt: s(3) },
      'lost_insert',
    ],
    ['born after the cut, stamped after replication had stopped', v(2.5, 1, 'a'), 'lost_insert'],
    [
      'version 1, created before the cut, committed 0.2 s after it (review rv13c N3)',
      { ...v(-1, 1, 'a'), createdAt: s(-1), committedAt: s(0.2) },
      'conflict',
    ],
    [
      'version 1, stamped before the cut, committed after replication had stopped',
      { ...v(-1, 1, 'a'), createdAt: s(-1), committedAt: s(3) },
      'lost_insert',
    ],
  ] as [string, RowVersion, string][])('absent on new: %s → %s (review rv13c N1, N3)', (_name, old, expected) => {
    expect(classifyCandidate(old, undefined, bounds).class).toBe(expected);
  });

  test('absent on new with nothing bounding when replication stopped: possibly lost, however late', () => {
    const unbounded = { cut, mayHaveReplicatedUntil: null };
    expect(classifyCandidate(v(3600, 1, 'a'), undefined, unbounded).class).toBe('possibly_lost');
    expect(classifyCandidate({ ...v(3600, 1, 'a'), committedAt: s(3601) }, undefined, unbounded).class).toBe(
      'possibly_lost',
    );
  });

  test('uuidV7Micros reads the time of a uuid v7 only', () => {
    expect(uuidV7Micros('019ba790-2380-7000-8000-000000006a00')).toBe(dateToMicros(new Date('2026-01-10T11:00:00Z')));
    expect(uuidV7Micros('019ba790-2380-4000-8000-000000006a00')).toBeUndefined();
    expect(uuidV7Micros('8f14e45f-ceea-167a-5a36-dedd4bea2543')).toBeUndefined();
  });

  test('the reason names both versions with microsecond times', () => {
    expect(classifyCandidate(v(5, 2, 'b'), v(-86_400, 1, 'a'), bounds).reason).toBe(
      "changed on old after new's copy and never replicated: old has version 2 at 2026-01-10T12:00:05.000000Z, new has version 1 at 2026-01-09T12:00:00.000000Z",
    );
  });

  test('a row written 1 µs after the cut is after the cut', () => {
    const old = { updatedAt: cut + 1n, version: 2, hash: 'b' };
    const current = { updatedAt: cut + 1n, version: 2, hash: 'c' };
    expect(classifyCandidate({ ...old, updatedAt: cut + 2n }, current, bounds).class).toBe('conflict');
  });
});

describe('classifyNewWindowRow (rows new changed in its window that old did not change in its window)', () => {
  const changed = (seconds: number, version: number, hash: string, extra: Partial<RowVersion> = {}) => ({
    ...v(seconds, version, hash),
    ...extra,
    updatedAt: s(seconds),
  });
  test.each([
    ['changed on new before the cut, old has an older copy', changed(-10, 3, 'c'), v(-86_400, 2, 'b'), 'unexplained'],
    ['changed on new before the cut, absent on old', changed(-10, 1, 'c'), undefined, 'unexplained'],
    ['inserted on new after the cut', changed(60, 1, 'c', { createdAt: s(60) }), undefined, 'new_write'],
    ['created on new after the cut, then changed', changed(60, 2, 'c', { createdAt: s(50) }), undefined, 'new_write'],
    [
      'existed before the cut, absent on old (hard delete), changed on new',
      changed(60, 2, 'c', { createdAt: s(-86_400) }),
      undefined,
      'conflict',
    ],
    ['no created_at, version above 1, absent on old', changed(60, 2, 'c'), undefined, 'conflict'],
    ['new built on old copy (higher version)', changed(60, 3, 'c'), v(-86_400, 2, 'b'), 'new_write'],
    [
      "old's copy may be a late commit: new's version does not build on it",
      changed(60, 2, 'c'),
      v(-400, 2, 'b'),
      'conflict',
    ],
    [
      "old's copy committed after the cut (began before the window)",
      changed(60, 3, 'c'),
      { ...v(-400, 2, 'b'), committedAt: s(5) },
      'conflict',
    ],
    [
      "old's copy committed before the cut",
      changed(60, 2, 'c'),
      { ...v(-400, 2, 'b'), committedAt: s(-399) },
      'new_write',
    ],
    ['new re-created the row after the cut', changed(60, 3, 'c', { createdAt: s(55) }), v(-86_400, 2, 'b'), 'conflict'],
  ] as [string, RowVersion & { updatedAt: bigint }, RowVersion | undefined, string][])(
    '%s → %s',
    (_name, current, old, expected) => {
      expect(classifyNewWindowRow(current, old, bounds).class).toBe(expected);
    },
  );
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

describe('bucketRange (the ids drilled into for a bucket)', () => {
  const boundaries = ['20000000-0000-0000-0000-000000000000', '80000000-0000-0000-0000-000000000000'];
  test.each([
    '00000000-0000-0000-0000-000000000000',
    '1fffffff-ffff-ffff-ffff-ffffffffffff',
    '20000000-0000-0000-0000-000000000000',
    '7fffffff-ffff-ffff-ffff-ffffffffffff',
    '80000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
  ])('%s lies inside the range of the bucket it is counted in', (id) => {
    const { low, high } = bucketRange(bucketOf(id, boundaries), boundaries);
    expect(low <= id && id <= high).toBe(true);
  });
  test('the ranges cover the whole uuid space without overlap', () => {
    expect([0, 1, 2].map((b) => bucketRange(b, boundaries))).toEqual([
      { low: '00000000-0000-0000-0000-000000000000', high: '1fffffff-ffff-ffff-ffff-ffffffffffff' },
      { low: '20000000-0000-0000-0000-000000000000', high: '7fffffff-ffff-ffff-ffff-ffffffffffff' },
      { low: '80000000-0000-0000-0000-000000000000', high: 'ffffffff-ffff-ffff-ffff-ffffffffffff' },
    ]);
  });
});
