import type { Step, StepContext } from '../core/step';

/** Where an execution's summary is stored in the report sink. */
export function summaryKey(orchestration: string, executionId: string): string {
  return `runs/${orchestration}/${executionId}/summary.json`;
}

/**
 * Stores the execution's summary (by default at {@link summaryKey}) (input, reason, each step's outcome and outputs, how long it took) through the
 * report sink, so the record outlives the step output of SSM or a terminal.
 */
export function storeSummary<I>(
  orchestration: string,
  extra?: (ctx: StepContext<I>) => Record<string, string | number | boolean>,
  key: (ctx: StepContext<I>) => string = (ctx) => summaryKey(orchestration, ctx.executionId),
): Step<I> {
  return {
    name: 'store-summary',
    kind: 'action',
    title: 'Store the execution summary in the report store',
    uses: ['reports.putJson'],
    describe: (ctx) => {
      try {
        return `write ${key(ctx)}`;
      } catch {
        return 'write the execution summary';
      }
    },
    run: async (ctx) => {
      const finishedAt = ctx.ports.clock.now();
      const fields = extra?.(ctx) ?? {};
      const location = await ctx.ports.reports.putJson(key(ctx), {
        orchestration,
        executionId: ctx.executionId,
        input: ctx.input,
        reason: ctx.reason ?? null,
        startedAt: ctx.executionStartedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationSeconds: Math.round((finishedAt.getTime() - ctx.executionStartedAt.getTime()) / 1000),
        ...fields,
        steps: ctx.records,
      });
      return { detail: `summary stored at ${location}`, outputs: { ...fields, summary: location } };
    },
  };
}
