import { REGION_SWITCH_STEP } from '../../../runbooks/orchestrations/region-switch-steps';
import type { SummaryBlock } from '../cli-support/job-summary';
import type { AutomationRun } from './automation-report';
import { returnedObject } from './returned-object';

/** How each routing mode's traffic step moves the traffic, in the summary's words. */
const HOW: Readonly<Record<string, string>> = {
  'shift-traffic': 'ARC routing controls',
  [REGION_SWITCH_STEP]: 'ARC Region switch plan',
};

/**
 * How the traffic moved (issue 18): the runbook's own `Detail` of the step that moved it — `shift-traffic` in routing
 * mode arc-cluster (the routing controls it read back), `run-region-switch-plan` in mode region-switch (the plan's
 * execution step by step, its lines joined by "; ") — from the last invocation of that step that succeeded. Nothing
 * when no such step succeeded (a dry run, a readiness run, a move that failed before the traffic).
 */
export function trafficBlocks(run: Pick<AutomationRun, 'steps'>): SummaryBlock[] {
  for (const step of [...run.steps].reverse()) {
    const returned = returnedObject(step);
    const name = typeof returned?.Step === 'string' ? returned.Step : '';
    if (!HOW[name] || returned?.Status !== 'succeeded') continue;
    const detail = String(returned.Detail ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join('; ');
    return [`Traffic (${HOW[name]}, step ${name}): ${detail}`];
  }
  return [];
}
