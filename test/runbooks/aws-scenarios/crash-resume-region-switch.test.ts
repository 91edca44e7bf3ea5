import { REGION_SWITCH_SCENARIOS } from './aws-scenarios';
import { crashResumeSuite } from './crash-resume-suite';

// Issue 18: a runbook that dies at any call of a move in routing mode region-switch, then runs again, starts the plan
// once (the next run follows the execution the first one started: ListPlanExecutions, and the client token) and ends
// in the same state.
crashResumeSuite(
  REGION_SWITCH_SCENARIOS.map((s) => s.name),
  REGION_SWITCH_SCENARIOS,
);
