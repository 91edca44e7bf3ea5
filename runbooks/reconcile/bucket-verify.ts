import { performance } from 'node:perf_hooks';
import type { HashEntry } from './candidate-pass';
import type { DatabaseSide } from './database-side';
import { ReconcileError } from './reconcile-error';
import type { ReportRow, TableVerify } from './report';
import { buildReportRow } from './report-row';
import { contentsById } from './row-fetch';
import { qualifiedTable } from './sql-text';
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
  const size = await old.client.query<{ tuples: number; pages: number; bytes: number }>(
    `SELECT greatest(c.reltuples, 0)::float8 AS tuples, greatest(c.relpages, 0)::float8 AS pages,
            pg_relation_size(c.oid)::float8 AS bytes
       FROM pg_class c WHERE c.oid = $1::regclass`,
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
    `SELECT t.id::text AS id FROM ${qualifiedTable(spec.name)} AS t TABLESAMPLE SYSTEM (${percent.toFixed(6)})
      WHERE random() < ${keep.toFixed(8)} ORDER BY t.id`,
  );
  const ids = sample.rows.map((r) => r.id);
  const count = Math.min(buckets, Math.floor(ids.length / 2));
  const boundaries: string[] = [];
  for (let i = 1; i < count; i++) {
    const id = ids[Math.floor((i * ids.length) / count)]!;
    if (boundaries[boundaries.length - 1] !== id) boundaries.push(id);
  }
  return boundaries;
}

/** Tables smaller than this many pages per connection are aggregated by one connection. */
const MIN_PAGES_PER_CHUNK = 256;

async function aggregateChunk(
  side: DatabaseSide,
  spec: TableSpec,
  before: string,
  boundaries: string[],
  pages: { from: number; to: number | undefined } | undefined,
): Promise<{ b: number; n: string; s: string }[]> {
  const bucket = boundaries.length > 0 ? 'width_bucket(x.id, $2::uuid[])' : '0';
  const params: unknown[] = boundaries.length > 0 ? [before, boundaries] : [before];
  // A TID range scan reads only its pages: connections split a table without reading it twice.
  const range = pages
    ? ` AND t.ctid >= '(${pages.from},0)'::tid${pages.to === undefined ? '' : ` AND t.ctid < '(${pages.to},0)'::tid`}`
    : '';
  // Without statistics on the bucket expression the planner expects a group per row and sorts the whole table
  // (spilling to disk); a hash aggregate over at most 65,536 groups needs a few MB.
  await side.client.query('SET LOCAL enable_sort = off');
  const result = await side.client.query<{ b: number; n: string; s: string }>(
    `SELECT ${bucket} AS b, count(*)::text AS n, coalesce(sum(x.h), 0)::text AS s
       FROM (SELECT t.id, ${spec.rowHash} AS h FROM ${qualifiedTable(spec.name)} AS t
              WHERE t.updated_at < $1::timestamptz${range}) AS x
      GROUP BY 1`,
    params,
  );
  await side.client.query('SET LOCAL enable_sort = on');
  return result.rows;
}

/**
 * `(count, sum of row hashes)` per bucket of one side, over its rows with `updated_at < before`, the table's
 * pages split between the side's connections (all reading one exported snapshot).
 */
async function aggregates(
  connections: readonly DatabaseSide[],
  spec: TableSpec,
  before: string,
  boundaries: string[],
): Promise<Map<number, Aggregate>> {
  const size = await connections[0]!.client.query<{ pages: string }>(
    `SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::int)::text AS pages`,
    [qualifiedTable(spec.name)],
  );
  const pages = Number(size.rows[0]!.pages);
  // A partitioned table has no pages of its own (ctid ranges would mean nothing): one connection reads it.
  const chunks = pages >= MIN_PAGES_PER_CHUNK * connections.length ? connections.length : 1;
  const parts = await Promise.all(
    Array.from({ length: chunks }, (_, i) =>
      aggregateChunk(
        connections[i]!,
        spec,
        before,
        boundaries,
        chunks === 1
          ? undefined
          : // The last chunk is open-ended: pages added since the size was read are still read.
            {
              from: Math.floor((i * pages) / chunks),
              to: i === chunks - 1 ? undefined : Math.floor(((i + 1) * pages) / chunks),
            },
      ),
    ),
  );
  const merged = new Map<number, Aggregate>();
  for (const row of parts.flat()) {
    const b = Number(row.b);
    const current = merged.get(b) ?? { n: 0n, s: 0n };
    merged.set(b, { n: current.n + BigInt(row.n), s: current.s + BigInt(row.s) });
  }
  return merged;
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

async function bucketRows(
  side: DatabaseSide,
  spec: TableSpec,
  before: string,
  low: string | undefined,
  high: string | undefined,
): Promise<Map<string, { hash: string; updatedAt: string }>> {
  const params: unknown[] = [before];
  let range = '';
  if (low !== undefined) {
    params.push(low);
    range += ` AND t.id >= $${params.length}::uuid`;
  }
  if (high !== undefined) {
    params.push(high);
    range += ` AND t.id < $${params.length}::uuid`;
  }
  const result = await side.client.query<{ id: string; h: string; u: string }>(
    `SELECT t.id::text AS id, (${spec.rowHash})::text AS h, t.updated_at::text AS u
       FROM ${qualifiedTable(spec.name)} AS t WHERE t.updated_at < $1::timestamptz${range}`,
    params,
  );
  return new Map(result.rows.map((r) => [r.id, { hash: r.h, updatedAt: r.u }]));
}

/**
 * Verify (DESIGN §6 step 4): compares every row outside the window on both sides, without moving the table.
 * `connections[side][0]` is the side's main connection; the others (same snapshot) share the aggregate pass.
 * Each side aggregates `(count, sum of row hashes)` per id range over its rows with `updated_at < windowStart`;
 * the rows the window passes already accounted for (new copies of old candidates, old copies of rows new
 * changed in the window) are subtracted from their bucket, so both sides cover exactly the same ids. A bucket
 * that differs is fetched from both sides by primary-key range and compared row by row; every differing row
 * is `unexplained` (a hard delete, a write that bypassed `updated_at`, split brain).
 */
export async function verifyTable(
  connections: { readonly old: readonly DatabaseSide[]; readonly new: readonly DatabaseSide[] },
  spec: TableSpec,
  windowStart: Micros,
  exclusions: { readonly old: readonly HashEntry[]; readonly new: readonly HashEntry[] },
): Promise<VerifyResult> {
  const old = connections.old[0]!;
  const current = connections.new[0]!;
  const before = microsToIso(windowStart);
  const t0 = performance.now();
  const boundaries = await bucketBoundaries(old, spec);
  const t1 = performance.now();
  const [oldBuckets, newBuckets] = await Promise.all([
    aggregates(connections.old, spec, before, boundaries),
    aggregates(connections.new, spec, before, boundaries),
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
  for (const b of mismatched) {
    const low = b > 0 ? boundaries[b - 1] : undefined;
    const high = b < boundaries.length ? boundaries[b] : undefined;
    const [oldRows, newRows] = await Promise.all([
      bucketRows(old, spec, before, low, high),
      bucketRows(current, spec, before, low, high),
    ]);
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
