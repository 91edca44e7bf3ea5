/**
 * The metrics the scheduled readiness publishes in the Region it runs in, once per run: one data point per check and
 * one for the whole run (`Check` = {@link OVERALL_CHECK}), each 1 when GREEN and 0 when RED or INCONCLUSIVE (fail
 * closed). The alarm and the dashboard read the same names.
 */
export const READINESS_METRICS = {
  namespace: 'MultiRegionShop/Readiness',
  /** 1 = GREEN, 0 = RED or INCONCLUSIVE. */
  metricName: 'CheckGreen',
  /** Dimensions of every data point: the app, the environment and the check. */
  dimensions: { app: 'App', env: 'Env', check: 'Check' },
} as const;

/** The `Check` dimension value of the data point for the whole run. */
export const OVERALL_CHECK = 'overall';

/** The dimensions of one check's data point. */
export function readinessDimensions(appName: string, envName: string, check: string): Record<string, string> {
  return {
    [READINESS_METRICS.dimensions.app]: appName,
    [READINESS_METRICS.dimensions.env]: envName,
    [READINESS_METRICS.dimensions.check]: check,
  };
}
