import type { SummaryBlock } from '../cli-support/job-summary';
import { FAILBACK_OVERRIDE_VALUES, OVERRIDES_PARAMETER } from './automation-document-name';
import type { AutomationRun } from './automation-report';
import type { FailoverInputs } from './failover-inputs';
import { returnedObject } from './returned-object';

/** The `overrides` value that waives every condition. */
const ALL = 'all';

/**
 * A condition the failback runbook went on without, as its check steps say it: `OVERRIDDEN <condition>: <what was
 * unmet>` in their `Detail` (notes joined by `; `, a dry run's plan one step a line), runbooks/README.md "Failback
 * readiness": "Each waived line shows as `OVERRIDDEN …`".
 */
const OVERRIDDEN_LINE = /OVERRIDDEN ([a-z-]+): ([^;\n]*)/g;

/** How the overrides in force read in the summary. */
function describeOverrides(value: string): string {
  const items = value.split(',').filter((item) => item !== '');
  if (items.length === 0) return 'none (every failback readiness condition must hold)';
  if (items.includes(ALL)) return `${ALL} (${FAILBACK_OVERRIDE_VALUES.filter((v) => v !== ALL).join(', ')})`;
  return items.join(', ');
}

/**
 * What the runbook waived: every `OVERRIDDEN` line of the steps' returned objects, and the conditions of their output
 * `overridden` (the failback's check steps, runbooks/orchestrations/failback-readiness.ts) with no such line.
 * Repeated invocations of a step say it once.
 */
function waivedRows(run: Pick<AutomationRun, 'steps'>): string[][] {
  const lines = new Map<string, readonly [string, string]>();
  const fromOutputs = new Set<string>();
  for (const step of run.steps) {
    const returned = returnedObject(step);
    if (!returned) continue;
    for (const [, condition = '', unmet = ''] of String(returned.Detail ?? '').matchAll(OVERRIDDEN_LINE)) {
      lines.set(`${condition}: ${unmet.trim()}`, [condition, unmet.trim()]);
    }
    const outputs = returned.Outputs;
    const overridden =
      outputs && typeof outputs === 'object' ? (outputs as Record<string, unknown>).overridden : undefined;
    if (typeof overridden === 'string') {
      for (const condition of overridden.split(',')) if (condition !== '') fromOutputs.add(condition);
    }
  }
  const rows = [...lines.values()].map(([condition, unmet]) => [condition, unmet]);
  for (const condition of fromOutputs) {
    if (!rows.some(([named]) => named === condition)) rows.push([condition, '(the runbook gave no detail)']);
  }
  return rows;
}

/**
 * The failback's overrides in the job summary (issue 17): the overrides in force (the execution's own `Overrides`
 * parameter; `GetAutomationExecution`'s `Parameters`: "The key-value map of execution parameters, which were supplied
 * when calling StartAutomationExecution", so an execution started without it has none), a note when the dispatch
 * asked for others (it attached to an execution started before), and what the runbook actually waived with what was
 * unmet. A refused failback waived nothing: its failure names the unmet conditions.
 */
export function overridesBlocks(
  inputs: Pick<FailoverInputs, 'overrides'>,
  run: Pick<AutomationRun, 'executionId' | 'status' | 'steps' | 'parameters'>,
): SummaryBlock[] {
  const asked = (inputs.overrides ?? []).join(',');
  const given = run.parameters === undefined ? asked : (run.parameters[OVERRIDES_PARAMETER]?.[0] ?? '');
  const blocks: SummaryBlock[] = [`Overrides: ${describeOverrides(given)}`];
  if (given !== asked) {
    blocks.push(
      `This dispatch asked for overrides ${asked || 'none'}, but it followed execution ${run.executionId}, which was started with ${given || 'none'}: that execution's overrides are the ones in force.`,
    );
  }
  const rows = waivedRows(run);
  if (rows.length > 0) {
    blocks.push({ header: ['waived', 'what was unmet'], rows });
  } else if (given !== '') {
    blocks.push(
      run.status === 'Success'
        ? 'Waived: none (every condition the runbook judged held)'
        : 'Waived: none reported by the runbook',
    );
  }
  return blocks;
}
