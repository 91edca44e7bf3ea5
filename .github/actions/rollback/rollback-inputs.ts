import {
  type GetInput,
  InputReader,
  listOf,
  matching,
  oneOf,
  regionName,
  resourceNamePart,
} from '../cli-support/action-inputs';
import { applicationStack, type StackRef, stackSelector, stackTemplate } from './known-good-record';

/** The subcommands of the rollback CLI. */
export const ROLLBACK_COMMANDS = ['record', 'confirm', 'plan', 'verify'] as const;

/** `command: record`: write the Region's known-good candidate after its bake passed. */
export interface RecordInputs {
  readonly command: 'record';
  readonly region: string;
  readonly appName: string;
  readonly envName: string;
  readonly sha: string;
  /** The stacks with the template URL each deploy job gave CloudFormation (the `templates` input). */
  readonly stacks: ReadonlyArray<StackRef & { readonly templateUrl: string }>;
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

/** `command: verify`: check the redeployed stacks: healthy, and running the known-good commit. */
export interface VerifyInputs {
  readonly command: 'verify';
  readonly region: string;
  readonly stackNames: readonly string[];
  /** The commit every stack must run (its `DeployedCommit`): the known-good commit the plan chose. */
  readonly sha: string;
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
    const sha = reader.required('sha', commitSha);
    inputs = { command, region, stackNames: stacks?.map((s) => s.stackName), sha };
  } else {
    const appName = reader.required('app_name', resourceNamePart);
    const envName = reader.required('env_name', resourceNamePart);
    if (command === 'record') {
      const sha = reader.required('sha', commitSha);
      const stacks = reader.required('stacks', listOf(applicationStack, 50, { spaces: true }));
      const templates = reader.required('templates', listOf(stackTemplate, 50, { spaces: true }));
      const urls = new Map((templates ?? []).map((t) => [t.stackName, t.templateUrl]));
      const withoutTemplate = (stacks ?? []).filter((s) => !urls.has(s.stackName)).map((s) => s.stackName);
      if (stacks && templates && withoutTemplate.length > 0) {
        reader.problem(
          `templates: no template URL for ${withoutTemplate.join(', ')}; accepted: one "<stack name>=<template URL>" for every stack of stacks`,
        );
      }
      const extra = (templates ?? []).filter((t) => !(stacks ?? []).some((s) => s.stackName === t.stackName));
      if (stacks && extra.length > 0) {
        reader.problem(
          `templates: ${extra.map((t) => t.stackName).join(', ')} not in stacks; accepted: templates of the stacks recorded`,
        );
      }
      inputs = {
        command,
        region,
        appName,
        envName,
        sha,
        stacks: (stacks ?? []).map((s) => ({ ...s, templateUrl: urls.get(s.stackName) ?? '' })),
      };
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
