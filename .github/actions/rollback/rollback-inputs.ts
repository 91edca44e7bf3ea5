import {
  type GetInput,
  InputReader,
  listOf,
  matching,
  oneOf,
  regionName,
  resourceNamePart,
} from '../cli-support/action-inputs';
import { applicationStack, type StackRef, stackSelector } from './known-good-record';

/** The subcommands of the rollback CLI. */
export const ROLLBACK_COMMANDS = ['record', 'confirm', 'plan', 'verify'] as const;

/** `command: record`: write the Region's known-good candidate after its bake passed. */
export interface RecordInputs {
  readonly command: 'record';
  readonly region: string;
  readonly appName: string;
  readonly envName: string;
  readonly sha: string;
  readonly stacks: readonly StackRef[];
}

/**
 * `command: confirm`: after the last bake of the release, promote each Region's candidate to its confirmed known-good
 * version, when the candidate is `sha` and `sha` was never rolled back there.
 */
export interface ConfirmInputs {
  readonly command: 'confirm';
  readonly regions: readonly string[];
  readonly appName: string;
  readonly envName: string;
  readonly sha: string;
}

/** `command: plan`: read the confirmed known-good version and say what to redeploy. */
export interface PlanInputs {
  readonly command: 'plan';
  readonly region: string;
  readonly appName: string;
  readonly envName: string;
  /** Redeploy only these recorded stacks (names or CDK ids); all recorded stacks when absent. */
  readonly only?: readonly string[];
  /** The commit whose bake failed: marked rolled back, so `record` never records it. */
  readonly failedSha: string;
}

/** `command: verify`: check the redeployed stacks. */
export interface VerifyInputs {
  readonly command: 'verify';
  readonly region: string;
  readonly stackNames: readonly string[];
}

/** The validated inputs of the rollback CLI. */
export type RollbackInputs = RecordInputs | ConfirmInputs | PlanInputs | VerifyInputs;

const commitSha = matching(/^[0-9a-f]{40}$/, 'a full commit SHA (40 lowercase hex digits)', 'is not a full commit SHA');

/**
 * Reads and validates the rollback inputs (see pipeline/README.md). Data stacks are refused here, before any AWS
 * call, wherever stacks are given.
 *
 * @throws InputError listing every invalid input.
 */
export function readRollbackInputs(getInput: GetInput): RollbackInputs {
  const reader = new InputReader(getInput);
  const command = reader.required('command', oneOf(ROLLBACK_COMMANDS));
  if (reader.failed) reader.finish();
  if (command === 'confirm') {
    const regions = reader.required('regions', listOf(regionName, 10));
    const appName = reader.required('app_name', resourceNamePart);
    const envName = reader.required('env_name', resourceNamePart);
    const sha = reader.required('sha', commitSha);
    reader.finish();
    return { command, regions, appName, envName, sha };
  }
  const region = reader.required('region', regionName);
  let inputs: RollbackInputs;
  if (command === 'verify') {
    const stacks = reader.required('stacks', listOf(applicationStack, 50, { spaces: true }));
    inputs = { command, region, stackNames: stacks?.map((s) => s.stackName) };
  } else {
    const appName = reader.required('app_name', resourceNamePart);
    const envName = reader.required('env_name', resourceNamePart);
    if (command === 'record') {
      const sha = reader.required('sha', commitSha);
      const stacks = reader.required('stacks', listOf(applicationStack, 50, { spaces: true }));
      inputs = { command, region, appName, envName, sha, stacks };
    } else {
      const only = reader.optional('stacks', listOf(stackSelector, 50, { spaces: true }), undefined);
      const failedSha = reader.required('failed_sha', commitSha);
      inputs =
        only === undefined
          ? { command, region, appName, envName, failedSha }
          : { command, region, appName, envName, failedSha, only };
    }
  }
  reader.finish();
  return inputs;
}
