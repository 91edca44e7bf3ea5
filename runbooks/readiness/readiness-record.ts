import { z } from 'zod';
import type { ReadinessEvaluation } from './evaluate-readiness';

/** The schema tag of a {@link ReadinessRecord}. */
export const READINESS_RECORD_SCHEMA = 'readiness-record@1';

/** Where the scheduled readiness keeps the latest record, in the report bucket of the Region it ran in. */
export const READINESS_LATEST_KEY = 'readiness/latest.json';

/** Where one run's record is kept: `readiness/runs/<yyyy>/<mm>/<dd>/<startedAt>.json`. */
export function readinessRunKey(startedAt: Date): string {
  const iso = startedAt.toISOString();
  return `readiness/runs/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

const verdict = z.enum(['GREEN', 'RED', 'INCONCLUSIVE']);
const instant = z.iso.datetime({ offset: false });
const lines = z.array(z.string());

const checkSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  title: z.string(),
  scope: z.enum(['takeover', 'standing']),
  whenRed: z.string(),
  verdict,
  failures: lines,
  unknowns: lines,
  notes: lines,
  evidence: z.record(z.string(), z.unknown()),
  elapsedMs: z.number().min(0),
});

/** The schema of {@link ReadinessRecord}. */
export const readinessRecordSchema = z.object({
  schema: z.literal(READINESS_RECORD_SCHEMA),
  appName: z.string(),
  envName: z.string(),
  /** The Region the run happened in (whose report bucket holds the record). */
  region: z.string(),
  /** The Region judged able (or not) to take over: the scheduled run judges its own Region. */
  targetRegion: z.string(),
  /** The other Region. */
  otherRegion: z.string(),
  startedAt: instant,
  finishedAt: instant,
  verdict,
  checks: z.array(checkSchema),
  /**
   * The other Region's peak running task count per service over `hours`, as this run read it: a failover scales to
   * it when the failed Region's CloudWatch no longer answers.
   */
  otherRegionPeak: z
    .object({
      region: z.string(),
      hours: z.number().int().min(1),
      measuredAt: instant,
      tasks: z.record(z.string(), z.number().int().min(0)),
    })
    .optional(),
});

/** What one scheduled (or drill) readiness run found, as stored in the report bucket and read by readiness.yml. */
export type ReadinessRecord = z.infer<typeof readinessRecordSchema>;

/** Validates a stored record; the error names the field, the value and what is accepted. */
export function parseReadinessRecord(value: unknown, source: string): ReadinessRecord {
  const result = readinessRecordSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new Error(
    `${source} is not a ${READINESS_RECORD_SCHEMA} record:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** What {@link readinessRecordOf} puts into a record. */
export interface ReadinessRun {
  readonly appName: string;
  readonly envName: string;
  /** The Region the run happened in and judged (the scheduled run and the drill judge the Region they store for). */
  readonly region: string;
  readonly otherRegion: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly evaluation: ReadinessEvaluation;
  readonly otherRegionPeak?: ReadinessRecord['otherRegionPeak'];
}

/**
 * The `readiness-record@1` of one run, validated: the one shape the scheduled run in AWS and the drill's preflight
 * store, and readiness.yml and a failover read.
 */
export function readinessRecordOf(run: ReadinessRun): ReadinessRecord {
  return readinessRecordSchema.parse({
    schema: READINESS_RECORD_SCHEMA,
    appName: run.appName,
    envName: run.envName,
    region: run.region,
    targetRegion: run.region,
    otherRegion: run.otherRegion,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    verdict: run.evaluation.verdict,
    checks: run.evaluation.checks,
    ...(run.otherRegionPeak ? { otherRegionPeak: run.otherRegionPeak } : {}),
  });
}
