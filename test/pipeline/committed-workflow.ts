import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** A step of a committed workflow, as far as the tests read it. */
export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  'continue-on-error'?: boolean;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** A job of a committed workflow, as far as the tests read it. */
export interface WorkflowJob {
  needs?: string[];
  if?: string;
  outputs?: Record<string, string>;
  steps: WorkflowStep[];
}

/** The jobs of `.github/workflows/<file>` as committed (workflows.test.ts checks the file is what synth generates). */
export function committedWorkflow(file: string): { jobs: Record<string, WorkflowJob> } {
  const repo = path.resolve(__dirname, '..', '..');
  return parse(readFileSync(path.join(repo, '.github', 'workflows', file), 'utf8')) as {
    jobs: Record<string, WorkflowJob>;
  };
}
