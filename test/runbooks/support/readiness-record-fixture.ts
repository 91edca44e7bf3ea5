import type { ReadinessRecord } from '../../../runbooks/readiness/readiness-record';

/** What {@link recordWithPeak} needs. */
export interface RecordWithPeak {
  /** The Region that ran (and judged itself). */
  readonly region: string;
  /** The other Region, whose peak the record holds unless `peakRegion` says otherwise. */
  readonly otherRegion: string;
  /** When the run finished and measured the peak (ISO). */
  readonly measuredAt: string;
  /** The peak running task count per service. */
  readonly tasks: Readonly<Record<string, number>>;
  /** @default otherRegion */
  readonly peakRegion?: string;
}

/**
 * A GREEN `readiness-record@1` of the shop's scheduled run in `region`, with no checks and the other Region's peak as
 * it was read at `measuredAt`: what a failover falls back to when the failed Region's CloudWatch does not answer.
 */
export function recordWithPeak(r: RecordWithPeak): ReadinessRecord {
  return {
    schema: 'readiness-record@1',
    appName: 'shop',
    envName: 'dev',
    region: r.region,
    targetRegion: r.region,
    otherRegion: r.otherRegion,
    startedAt: r.measuredAt,
    finishedAt: r.measuredAt,
    verdict: 'GREEN',
    checks: [],
    otherRegionPeak: {
      region: r.peakRegion ?? r.otherRegion,
      hours: 24,
      measuredAt: r.measuredAt,
      tasks: { ...r.tasks },
    },
  };
}
