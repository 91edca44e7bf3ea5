import { CheckFailedError } from '../core/errors';
import type { Step } from '../core/step';
import type { Assessment, ReadinessCheck, ReadinessInput } from '../readiness/readiness-check';
import { verdictOf } from '../readiness/readiness-check';
import { TAKEOVER_CHECKS } from '../readiness/readiness-checks';

export type { Assessment, ReadinessCheck, ReadinessInput } from '../readiness/readiness-check';
export { READINESS_CHECKS, TAKEOVER_CHECKS } from '../readiness/readiness-checks';

/** The lines a failed check reports: its failures, then what it could not decide (fail closed: both fail a step). */
export function assessmentLines(assessment: Assessment): string[] {
  return [...assessment.failures, ...(assessment.unknowns ?? []).map((u) => `could not decide: ${u}`)];
}

/**
 * A step that runs one readiness check and fails (non-retriably) when it is RED, and also when it is INCONCLUSIVE
 * (something could not be read: fail closed), naming each failure and each unknown. With `selected`, a step whose
 * check the input does not select is skipped (`already-done`, "not selected").
 */
export function readinessStep<I extends ReadinessInput>(
  check: ReadinessCheck,
  selected?: (input: I) => boolean,
): Step<I> {
  return {
    name: check.name,
    kind: 'check',
    title: check.title,
    uses: check.uses,
    describe: (ctx) => (!selected || selected(ctx.input) ? check.title : `${check.title} (not selected)`),
    ...(selected
      ? {
          check: async (ctx) =>
            selected(ctx.input)
              ? { state: 'pending' as const, detail: 'selected' }
              : { state: 'done' as const, detail: 'not selected' },
        }
      : {}),
    run: async (ctx) => {
      const assessment = await check.assess(ctx);
      const verdict = verdictOf(assessment);
      if (verdict !== 'GREEN') {
        throw new CheckFailedError(
          assessmentLines(assessment),
          `${check.name} ${verdict === 'RED' ? 'failed' : 'was inconclusive (fail closed)'} in ${ctx.input.targetRegion}`,
        );
      }
      return { detail: assessment.notes.join('; ') || 'ok' };
    },
  };
}

/**
 * A step that runs every takeover check and fails with all their failures and unknowns (fail closed). Its check skips
 * it once every writer is already in the target Region (the move it guards has happened).
 */
export function readinessGate<I extends ReadinessInput>(): Step<I> {
  return {
    name: 'check-readiness',
    kind: 'check',
    title: 'The target Region passes every readiness check',
    uses: [...new Set(TAKEOVER_CHECKS.flatMap((c) => c.uses))],
    describe: (ctx) => `run ${TAKEOVER_CHECKS.map((c) => c.name).join(', ')} for ${ctx.input.targetRegion}`,
    check: async (ctx) => {
      for (const db of ctx.topology.databases) {
        const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, ctx.input.targetRegion);
        if (state.failover || !state.members.some((m) => m.isWriter && m.region === ctx.input.targetRegion)) {
          return { state: 'pending', detail: 'a writer is still outside the target Region' };
        }
      }
      return { state: 'done', detail: `every writer is already in ${ctx.input.targetRegion}` };
    },
    run: async (ctx) => {
      const lines: string[] = [];
      const notes: string[] = [];
      for (const check of TAKEOVER_CHECKS) {
        const found = await check.assess(ctx);
        lines.push(...assessmentLines(found).map((line) => `${check.name}: ${line}`));
        notes.push(...found.notes);
      }
      if (lines.length > 0) throw new CheckFailedError(lines, `${ctx.input.targetRegion} is not ready to take over`);
      return { detail: notes.join('; ') || 'ready' };
    },
  };
}
