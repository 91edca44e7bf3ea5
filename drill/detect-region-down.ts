import type { HealthPort } from '../runbooks/ports/health-port';

/** How the drill decides a Region is down. */
export interface DetectionRule {
  /** Consecutive failed health checks that count as "the Region is down". */
  readonly failures: number;
  readonly intervalMs: number;
  /** Give up (and throw) when the Region still looks healthy after this long. */
  readonly timeoutMs: number;
}

/**
 * Polls `urls` through the runbooks' HealthPort until `rule.failures` consecutive checks find one unhealthy; resolves
 * with the moment and the last failure's detail.
 *
 * @throws Error naming the Region and the last result when it still looks healthy after `rule.timeoutMs`.
 */
export async function detectRegionDown(
  health: HealthPort,
  region: string,
  urls: readonly string[],
  rule: DetectionRule,
): Promise<{ readonly at: number; readonly detail: string }> {
  let consecutive = 0;
  let last = '';
  const deadline = Date.now() + rule.timeoutMs;
  for (;;) {
    const results = await health.checkEndpoints(urls);
    const unhealthy = results.find((r) => !r.healthy);
    consecutive = unhealthy ? consecutive + 1 : 0;
    last = unhealthy?.detail ?? 'healthy';
    if (consecutive >= rule.failures) return { at: Date.now(), detail: last };
    if (Date.now() > deadline)
      throw new Error(`${region} still looks healthy after ${rule.timeoutMs / 1000} s (${last})`);
    await new Promise((resolve) => setTimeout(resolve, rule.intervalMs));
  }
}
