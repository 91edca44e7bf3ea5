import { messageOf } from '../core/errors';
import type { Assessment, ReadinessCheck, ReadinessContext, ReadinessVerdict } from './readiness-check';
import { overallVerdict, verdictOf } from './readiness-check';

/** One check's result in an evaluation. */
export interface CheckEvaluation {
  readonly name: string;
  readonly title: string;
  readonly scope: ReadinessCheck['scope'];
  readonly whenRed: string;
  readonly verdict: ReadinessVerdict;
  readonly failures: readonly string[];
  readonly unknowns: readonly string[];
  readonly notes: readonly string[];
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly elapsedMs: number;
}

/** What {@link evaluateReadiness} returns. */
export interface ReadinessEvaluation {
  readonly verdict: ReadinessVerdict;
  readonly checks: readonly CheckEvaluation[];
}

/**
 * Runs every check (each one even when an earlier one is red) and judges them. A check that throws is
 * INCONCLUSIVE with the error as its unknown: it could not decide, and nothing counts it as green.
 */
export async function evaluateReadiness(
  ctx: ReadinessContext,
  checks: readonly ReadinessCheck[],
  now: () => number = () => ctx.ports.clock.now().getTime(),
): Promise<ReadinessEvaluation> {
  const results: CheckEvaluation[] = [];
  for (const check of checks) {
    const started = now();
    let assessment: Assessment;
    try {
      assessment = await check.assess(ctx);
    } catch (error) {
      assessment = { failures: [], notes: [], unknowns: [`${check.name} could not run: ${messageOf(error)}`] };
    }
    results.push({
      name: check.name,
      title: check.title,
      scope: check.scope,
      whenRed: check.whenRed,
      verdict: verdictOf(assessment),
      failures: [...assessment.failures],
      unknowns: [...(assessment.unknowns ?? [])],
      notes: [...assessment.notes],
      evidence: { ...(assessment.evidence ?? {}) },
      elapsedMs: Math.max(0, now() - started),
    });
  }
  return { verdict: overallVerdict(results.map((r) => r.verdict)), checks: results };
}
