import type { RenderedJob, RenderedStep } from './recorded-release';

/** The job output of every bake job that carries the bake gate's verdict (`passed` or `failed`; empty when none). */
export const BAKE_VERDICT_OUTPUT = 'verdict';

/** The step id given to a split bake's history check, so its job can expose the step's `result`. */
export const HISTORY_STEP_ID = 'history';

/** Bake-gate modes whose step gives the verdict of its job: the live watch and a split bake's history check. */
const VERDICT_MODES = new Set(['watch', 'verify-history']);

/**
 * The rendered jobs with every bake job's verdict exposed (review m3): the step of the bake gate that judges the
 * Region (`INPUT_MODE` `watch` or `verify-history`, which writes the output `result`) gets an id when it has none, the
 * job the output {@link BAKE_VERDICT_OUTPUT}, and a last step from `report(region, stepId)` that explains a failure
 * without a `failed` verdict. A rollback rolls back on that output, not on the job's result: a bake job that failed
 * on an AWS error, its OIDC step or a failed record after a passed bake says nothing against the release.
 */
export function withBakeVerdicts<J extends RenderedJob>(
  jobs: Readonly<Record<string, J>>,
  report: (region: string, stepId: string) => RenderedStep,
): Record<string, J> {
  return Object.fromEntries(
    Object.entries(jobs).map(([id, job]) => {
      const steps = job.steps ?? [];
      const judge = steps.find((step) => VERDICT_MODES.has(step.env?.['INPUT_MODE'] ?? ''));
      if (judge === undefined) return [id, job];
      const stepId = judge.id ?? HISTORY_STEP_ID;
      const region = judge.env?.['INPUT_REGION'] ?? '';
      const outputs = (job['outputs'] ?? {}) as Record<string, string>;
      return [
        id,
        {
          ...job,
          outputs: { ...outputs, [BAKE_VERDICT_OUTPUT]: `\${{ steps.${stepId}.outputs.result }}` },
          steps: [...steps.map((step) => (step === judge ? { ...step, id: stepId } : step)), report(region, stepId)],
        },
      ];
    }),
  );
}
