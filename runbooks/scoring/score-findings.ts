/**
 * What the scoring found, by how it bears on the verdict: any `inconclusive` makes the run INCONCLUSIVE, else any
 * `failed` makes it FAILED; `deviations` never decide. One sentence each, in the order they were found.
 */
export interface ScoreFindings {
  readonly inconclusive: string[];
  readonly failed: string[];
  readonly deviations: string[];
}

/** An empty {@link ScoreFindings}. */
export const noFindings = (): ScoreFindings => ({ inconclusive: [], failed: [], deviations: [] });

/** A duration in a sentence: `12.3 s`. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "a, b, c and 4 more". */
export function listIds(ids: readonly string[], max = 5): string {
  if (ids.length <= max) return ids.join(', ');
  return `${ids.slice(0, max).join(', ')} and ${ids.length - max} more`;
}
