import { NonRetriableError } from '../core/errors';
import { parseTopology, type Topology } from '../topology';

/** What a runbook function reads from its environment (the runbook stack sets every variable). */
export interface RunbookEnvironment {
  /** `RUNBOOK_TOPOLOGY`, validated. */
  readonly topology: Topology;
  /** `AWS_REGION`: where the function runs. */
  readonly region: string;
  /** `RUNBOOK_BUCKET`: the journals and reports of this Region. */
  readonly bucket: string;
}

function required(environment: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = environment[name];
  if (!value) throw new NonRetriableError(`environment variable ${name} is not set; the runbook stack sets it`);
  return value;
}

/** Reads and validates `RUNBOOK_TOPOLOGY`, `AWS_REGION` and `RUNBOOK_BUCKET`, naming the variable that is wrong. */
export function readRunbookEnvironment(environment: Readonly<Record<string, string | undefined>>): RunbookEnvironment {
  const text = required(environment, 'RUNBOOK_TOPOLOGY');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new NonRetriableError(
      `environment variable RUNBOOK_TOPOLOGY: ${JSON.stringify(text.slice(0, 40))}${text.length > 40 ? '…' : ''} is not JSON; accepted: the topology JSON the runbook stack sets`,
    );
  }
  return {
    topology: parseTopology(raw, 'environment variable RUNBOOK_TOPOLOGY'),
    region: required(environment, 'AWS_REGION'),
    bucket: required(environment, 'RUNBOOK_BUCKET'),
  };
}
