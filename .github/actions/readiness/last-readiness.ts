import { lastVerdictLine } from './readiness-judgement';
import { type ReadinessReaderDependencies, readLatestReadiness } from './readiness-reader';

/**
 * The last scheduled readiness verdict of each of `regions` and its age, one line each in the order given
 * ({@link lastVerdictLine}), for the summaries that only show it: the failover workflow's dry run (both Regions, the
 * target first) and the deploy's bake (the Region baked). The Regions are read in parallel with the shared reader
 * (readiness-reader.ts), which never throws: a record that is missing or cannot be read is a line saying so, never a
 * reason to fail the caller's job (readiness.yml is what judges and alerts).
 */
export async function lastReadinessLines(
  appName: string,
  envName: string,
  regions: readonly string[],
  deps: ReadinessReaderDependencies,
  now: () => Date,
): Promise<string[]> {
  const latest = await Promise.all(
    regions.map((region) =>
      readLatestReadiness(appName, envName, region, deps).catch((error: unknown) => ({
        kind: 'unreadable' as const,
        region,
        detail: error instanceof Error ? error.message : String(error),
      })),
    ),
  );
  const at = now();
  return latest.map((one) => lastVerdictLine(one, at));
}
