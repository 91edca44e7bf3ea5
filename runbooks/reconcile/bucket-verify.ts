import { performance } from 'node:perf_hooks';
import type { HashEntry } from './candidate-pass';
import type { DatabaseSide } from './database-side';
import { ReconcileError } from './reconcile-error';
import type { ReportRow, TableVerify } from './report';
import { buildReportRow } from './report-row';
import { contentsById } from './row-fetch';
import { qualifiedTable, tableRows } from './sql-text';
import type { TableSpec } from './table-spec';
import { type Micros, microsToIso } from './timestamp';

/** Rows per id range: small enough that drilling into a bucket is cheap, large enough to keep the aggregate small. */
export const ROWS_PER_BUCKET = 2000;
const MAX_BUCKETS = 65_536;
/** Sampled ids per range: the quantiles stay within about ±50% of the target size, and the sample reads few pages. */
const SAMPLE_PER_BUCKET = 4;
/** Beyond this many unexplained rows in one table the two databases are not two sides of one failover. */
export const MAX_UNEXPLAINED_ROWS = 50_000;

interface Aggregate {
  n: bigint;
  s: bigint;
}

/** What verify found for one table. */
export interface VerifyResult {
  readonly verify: TableVerify;
  readonly rows: ReportRow[];
}

/** The lowest and the highest uuid: the first id range starts at one, the last ends at the other, both included. */
export const MIN_UUID = '00000000-0000-0000-0000-000000000000';
/** See {@link MIN_UUID}. */
export const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * Rows verify compares: those outside the window, `updated_at < windowStart`, and those whose `updated_at` is NULL
 * (neither window pass sees them: `NULL >= windowStart` is not true).
 */
const OUTSIDE_WINDOW = '(t.updated_at < $1::timestamptz OR t.updated_at IS NULL)';

/** The uuid just before `id` (`id` must not be {@link MIN_UUID}). */
function uuidBefore(id: string): string {
  const hex = (BigInt(`0x${id.replace(/-/g, '')}`) - 1n).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The ids of bucket `bucket`, both ends included: exactly the ids `width_bucket(id, boundaries)` (and
 * {@link bucketOf}) put in it. Bucket 0 starts at the lowest uuid, the last bucket ends at the highest: no id
 * falls outside every range. Boundaries are ascending, distinct and above {@link MIN_UUID}.
 */
export function bucketRange(bucket: number, boundaries: readonly string[]): { low: string; high: string } {
  return {
    low: bucket > 0 ? boundaries[bucket - 1]! : MIN_UUID,
    high: bucket < boundaries.length ? uuidBefore(boundaries[bucket]!) : MAX_UUID,
  };
}

/** The bucket `width_bucket(id, boundaries)` puts an id in: how many boundaries are ≤ it. */
export function bucketOf(id: string, boundaries: readonly string[]): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boundaries[mid]! <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Splits the id space into ranges of about {@link ROWS_PER_BUCKET} old rows. Ranges (not hash buckets) because
 * drilling into a range is a primary-key range scan, not a full scan. The boundaries are quantiles of a sample
 * of about 4 rows per bucket, taken as one row from each of that many randomly chosen pages: a plain block
 * sample would bring whole pages of neighbouring ids (UUID v7 ids are laid out in time order) and cluster the
 * boundaries, leaving some ranges many times too large.
 */
async function bucketBoundaries(old: DatabaseSide, spec: TableSpec): Promise<string[]> {
  // A partitioned table has no storage of its own: its size is its partitions'.
  const size = await old.client.query<{ tuples: number; pages: number; bytes: number }>(
    `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 AS tuples,
            coalesce(sum(greatest(c.relpages, 0)), 0)::float8 AS pages,
            coalesce(sum(pg_relation_size(c.oid)), 0)::float8 AS bytes
       FROM pg_class c
      WHERE c.oid = $1::regclass OR c.oid IN (SELECT p.relid FROM pg_partition_tree($1::regclass) AS p WHERE p.isleaf)`,
    [qualifiedTable(spec.name)],
  );
  const { tuples, bytes } = size.rows[0]!;
  // Never analysed (reltuples -1, relpages 0): the size on disk gives a rough (over)estimate.
  const estimate = Math.max(tuples, bytes / 150);
  const pages = Math.max(size.rows[0]!.pages, bytes / 8192, 1);
  const buckets = Math.min(MAX_BUCKETS, Math.ceil(estimate / ROWS_PER_BUCKET));
  if (buckets <= 1) return [];
  const wanted = buckets * SAMPLE_PER_BUCKET;
  const percent = Math.min(100, (100 * wanted) / pages);
  const keep = Math.min(1, wanted / Math.max(1, (estimate * percent) / 100));
  const sample = await old.client.query<{ id: string }>(
    `SELECT t.id::text AS id FROM ${tableRows(spec.name, spec.plain)} AS t TABLESAMPLE SYSTEM (${percent.toFixed(6)})
      WHERE random() < ${keep.toFixed(8)} ORDER BY t.id`,
  );
  const ids = sample.rows.map((r) => r.id);
  const count = Math.min(buckets, Math.floor(ids.length / 2));
  const boundaries: string[] = [];
  for (let i = 1; i < count; i++) {
    const id = ids[Math.floor((i * ids.length) / count)]!;
    // A boundary at the lowest uuid would leave bucket 0 empty and without a range.
    if (boundaries[boundaries.length - 1] !== id && id !== MIN_UUID) boundaries.push(id);
  }
  return boundaries;
}

/**
 * `(count, sum of row hashes)` per bucket of one side, over its rows with `updated_at < before`, in one statement
 * that Postgres runs in parallel (partial hash aggregates per worker, one sequential stream per table).
 */
async function aggregates(
  side: DatabaseSide,
  spec: TableSpec,
  before: string,
  boundaries: string[],
): Promise<Map<number, Aggregate>> {
  const bucket = boundaries.length > 0 ? 'width_bucket(x.id, $2::uuid[])' : '0';
  const params: unknown[] = boundaries.length > 0 ? [before, boundaries] : [before];
  // Without statistics on the bucket expression the planner expects a group per row: it would sort the whole
  // table (spilling to disk) and see no gain in partial aggregation. There are at most 65,536 groups, so a
  // hash aggregate of a few MB is right, and parallel workers pay off.
  await side.client.query(
    'SET LOCAL enable_sort = off; SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0',
  );
  const result = await side.client.query<{ b: number; n: string; s: string }>(
    `SELECT ${bucket} AS b, count(*)::text AS n, coalesce(sum(x.h), 0)::text AS s
       FROM (SELECT t.id, ${spec.rowHash} AS h FROM ${tableRows(spec.name, spec.plain)} AS t WHERE ${OUTSIDE_WINDOW}) AS x
      GROUP BY 1`,
    params,
  );
  await side.client.query('RESET enable_sort; RESET parallel_setup_cost; RESET parallel_tuple_cost');
  return new Map(result.rows.map((r) => [Number(r.b), { n: BigInt(r.n), s: BigInt(r.s) }]));
}

function subtract(
  aggregate: Map<number, Aggregate>,
  entries: readonly HashEntry[],
  boundaries: readonly string[],
): void {
  for (const entry of entries) {
    const b = bucketOf(entry.id, boundaries);
    const current = aggregate.get(b) ?? { n: 0n, s: 0n };
    aggregate.set(b, { n: current.n - 1n, s: current.s - BigInt(entry.hash) });
  }
}

/** A row read while drilling into a differing range. */
interface RangeRow {
  readonly hash: string;
  readonly updatedAt: string;
}

/** How many differing ranges one drill-down statement reads (one round trip per side for all of them). */
const RANGES_PER_QUERY = 64;

/** The rows of several id ranges `[low, high]`, each tagged with its bucket: one index range scan per range. */
async function rangeRows(
  side: DatabaseSide,
  spec: TableSpec,
  before: string,
  ranges: readonly { bucket: number; low: string; high: string }[],
): Promise<Map<number, Map<string, RangeRow>>> {
  const result = await side.client.query<{ b: number; id: string; h: string; u: string | null }>(
    `SELECT r.b, t.id::text AS id, (${spec.rowHash})::text AS h, t.updated_at::text AS u
       FROM unnest($2::int[], $3::uuid[], $4::uuid[]) AS r(b, low, high)
       JOIN ${tableRows(spec.name, spec.plain)} AS t ON t.id >= r.low AND t.id <= r.high
      WHERE ${OUTSIDE_WINDOW}`,
    [before, ranges.map((r) => r.bucket), ranges.map((r) => r.low), ranges.map((r) => r.high)],
  );
  const byBucket = new Map<number, Map<string, RangeRow>>(ranges.map((r) => [r.bucket, new Map()]));
  for (const row of result.rows) {
    byBucket.get(Number(row.b))!.set(row.id, { hash: row.h, updatedAt: row.u ?? 'never (updated_at is NULL)' });
  }
  return byBucket;
}

/**
 * Verify: compares every row outside the window on both sides, without moving the table.
 * Each side aggregates `(count, sum of row hashes)` per id range over its rows with `updated_at < windowStart`;
 * the rows the window passes already accounted for (new copies of old candidates, old copies of rows new
 * changed in the window) are subtracted from their bucket, so both sides cover exactly the same ids. A bucket
 * that differs is fetched from both sides by primary-key range (64 ranges per statement) and compared row by
 * row; every differing row
 * is `unexplained` (a hard delete, a write that bypassed `updated_at`, split brain).
 */
export async function verifyTable(
  old: DatabaseSide,
  current: DatabaseSide,
  spec: TableSpec,
  windowStart: Micros,
  exclusions: { readonly old: readonly HashEntry[]; readonly new: readonly HashEntry[] },
): Promise<VerifyResult> {
  const before = microsToIso(windowStart);
  const t0 = performance.now();
  const boundaries = await bucketBoundaries(old, spec);
  const t1 = performance.now();
  const [oldBuckets, newBuckets] = await Promise.all([
    aggregates(old, spec, before, boundaries),
    aggregates(current, spec, before, boundaries),
  ]);
  const t2 = performance.now();
  const total = (m: Map<number, Aggregate>) => [...m.values()].reduce((sum, a) => sum + a.n, 0n);
  subtract(oldBuckets, exclusions.old, boundaries);
  subtract(newBuckets, exclusions.new, boundaries);
  const excludedOld = new Set(exclusions.old.map((e) => e.id));
  const excludedNew = new Set(exclusions.new.map((e) => e.id));
  const mismatched = [...new Set([...oldBuckets.keys(), ...newBuckets.keys()])]
    .filter((b) => {
      const a = oldBuckets.get(b) ?? { n: 0n, s: 0n };
      const c = newBuckets.get(b) ?? { n: 0n, s: 0n };
      return a.n !== c.n || a.s !== c.s;
    })
    .sort((a, b) => a - b);
  const differing: { id: string; reason: string }[] = [];
  const diffBucket = (bucket: number, oldRows: Map<string, RangeRow>, newRows: Map<string, RangeRow>): void => {
    const found = differing.length;
    for (const [id, row] of oldRows) {
      if (excludedOld.has(id)) continue;
      const other = excludedNew.has(id) ? undefined : newRows.get(id);
      if (!other) {
        differing.push({
          id,
          reason: `present on old (last changed ${row.updatedAt}, before the window) but missing on new: deleted on new, or never replicated although older than the window`,
        });
      } else if (other.hash !== row.hash) {
        differing.push({
          id,
          reason: `differs outside the window (old changed ${row.updatedAt}, new ${other.updatedAt}): one side was changed without updating updated_at (a manual or replay write, or split brain)`,
        });
      }
    }
    for (const [id, row] of newRows) {
      if (excludedNew.has(id) || (oldRows.has(id) && !excludedOld.has(id))) continue;
      differing.push({
        id,
        reason: `present on new (last changed ${row.updatedAt}, before the window) but missing on old: deleted on old without a trace (a hard delete), or written to new outside replication`,
      });
    }
    if (differing.length === found) {
      // The aggregates are exact and both sides read one snapshot: a differing range without a differing row
      // means the comparison itself is wrong. Never report "nothing" then.
      throw new ReconcileError(
        `verify:${spec.name}`,
        `id range ${bucket} of table "${spec.name}" differs in count or hash sum, but no row in it differs: the comparison is inconsistent (were the databases changed outside the snapshot, or is an id outside the uuid ranges?). Run reconcile again; if it persists, compare the table by hand.`,
      );
    }
  };
  const ranges = mismatched.map((b) => ({ bucket: b, ...bucketRange(b, boundaries) }));
  for (let i = 0; i < ranges.length; i += RANGES_PER_QUERY) {
    const batch = ranges.slice(i, i + RANGES_PER_QUERY);
    const [oldByBucket, newByBucket] = await Promise.all([
      rangeRows(old, spec, before, batch),
      rangeRows(current, spec, before, batch),
    ]);
    for (const { bucket } of batch) diffBucket(bucket, oldByBucket.get(bucket)!, newByBucket.get(bucket)!);
    if (differing.length > MAX_UNEXPLAINED_ROWS) {
      throw new ReconcileError(
        `verify:${spec.name}`,
        `more than ${MAX_UNEXPLAINED_ROWS} rows of table "${spec.name}" differ outside the window: --old-url and --new-url are probably not the two sides of the same failover (or the margin is far too small). Check both URLs and --margin.`,
      );
    }
  }
  const rows: ReportRow[] = [];
  for (let i = 0; i < differing.length; i += 5000) {
    const slice = differing.slice(i, i + 5000);
    const ids = slice.map((d) => d.id);
    const [oldContents, newContents] = await Promise.all([
      contentsById(old, spec, ids),
      contentsById(current, spec, ids),
    ]);
    for (const d of slice) {
      rows.push(
        buildReportRow(spec, {
          class: 'unexplained',
          id: d.id,
          reason: d.reason,
          oldContent: oldContents.get(d.id),
          newContent: newContents.get(d.id),
        }),
      );
    }
  }
  return {
    verify: {
      buckets: boundaries.length + 1,
      oldRows: Number(total(oldBuckets)),
      newRows: Number(total(newBuckets)),
      mismatchedBuckets: mismatched.length,
      ms: {
        boundaries: Math.round(t1 - t0),
        aggregate: Math.round(t2 - t1),
        drill: Math.round(performance.now() - t2),
      },
    },
    rows,
  };
}
