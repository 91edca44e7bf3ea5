import { CheckFailedError } from '../cli-support/exit-codes';
import type { JobSummary } from '../cli-support/job-summary';
import type { KnownGoodRecord, StackRef } from './known-good-record';
import { type StackHealth, stackProblem } from './stack-health';

/**
 * The recorded stacks to redeploy: all of them, or those named in `only` (by CloudFormation name or CDK id).
 *
 * @throws CheckFailedError naming a stack of `only` that the record does not list.
 */
export function stacksToRedeploy(record: KnownGoodRecord, only?: readonly string[]): readonly StackRef[] {
  if (only === undefined) return record.stacks;
  const unknown = only.filter((name) => !record.stacks.some((s) => s.stackName === name || s.cdkId === name));
  if (unknown.length > 0) {
    const recorded = record.stacks.map((s) => s.stackName).join(', ');
    throw new CheckFailedError(
      `stacks: ${unknown.map((n) => `"${n}"`).join(', ')} not in the known-good record of ${record.region}; accepted: recorded application stacks (${recorded})`,
    );
  }
  return record.stacks.filter((s) => only.includes(s.stackName) || only.includes(s.cdkId));
}

/** The `cdk deploy` command that redeploys `stacks` and nothing else (`--exclusively`: no dependency stacks). */
export function redeployCommand(stacks: readonly StackRef[]): string {
  return `npx cdk deploy --exclusively --require-approval never ${stacks.map((s) => s.cdkId).join(' ')}`;
}

/** The step outputs of `plan` (lists separated by spaces, ready for a shell or for the `stacks` input of `verify`). */
export function planOutputs(record: KnownGoodRecord, stacks: readonly StackRef[]): Record<string, string> {
  return {
    sha: record.sha,
    cdk_stack_ids: stacks.map((s) => s.cdkId).join(' '),
    stack_names: stacks.map((s) => s.stackName).join(' '),
    recorded_at: record.recordedAt,
    run_url: record.runUrl ?? '',
    deploy_command: redeployCommand(stacks),
  };
}

const stackTable = (stacks: readonly StackRef[]) => ({
  header: ['CDK stack id', 'CloudFormation stack'],
  rows: stacks.map((s) => [s.cdkId, s.stackName]),
});

/** The job summary of `record`. */
export function recordSummary(record: KnownGoodRecord, parameterName: string, version: number | undefined): JobSummary {
  return {
    title: `Known-good candidate recorded in ${record.region}`,
    blocks: [
      `Commit: ${record.sha}`,
      `Parameter: ${parameterName}${version === undefined ? '' : ` (version ${version})`}`,
      stackTable(record.stacks),
    ],
  };
}

/** The job summary of `confirm`: per Region, the commit now confirmed and where, or why nothing was confirmed. */
export function confirmSummary(sha: string, lines: readonly string[], confirmed: boolean): JobSummary {
  return {
    title: confirmed ? `Known-good version confirmed: ${sha}` : `Known-good version NOT confirmed: ${sha}`,
    blocks: [...lines],
  };
}

/** The job summary of a `record` that refused to record. */
export function recordRefusedSummary(region: string, sha: string, problems: readonly string[]): JobSummary {
  return {
    title: `Known-good version NOT recorded in ${region}`,
    blocks: [`Result: ${sha} is not recorded`, ...problems],
  };
}

/** The job summary of `plan`. */
export function planSummary(record: KnownGoodRecord, stacks: readonly StackRef[]): JobSummary {
  return {
    title: `Rollback plan for ${record.region}`,
    blocks: [
      `Known-good commit: ${record.sha}, recorded at ${record.recordedAt}`,
      ...(record.runUrl ? [{ label: 'Recorded by', href: record.runUrl }] : []),
      'Application stacks to redeploy (data stacks are never redeployed):',
      stackTable(stacks),
      `Redeploy: git checkout ${record.sha} && ${redeployCommand(stacks)}`,
    ],
  };
}

/** The job summary of `plan` when nothing has been recorded yet. */
export function nothingRecordedSummary(region: string, message: string): JobSummary {
  return { title: `Rollback plan for ${region}`, blocks: ['Result: nothing to roll back to', message] };
}

/** The job summary of `verify`. */
export function verifySummary(region: string, health: readonly StackHealth[]): JobSummary {
  const problems = health.flatMap((s) => stackProblem(s) ?? []);
  return {
    title: `Rollback verification in ${region}`,
    blocks: [
      problems.length === 0 ? 'Result: every application stack is healthy' : 'Result: FAILED',
      ...problems,
      {
        header: ['stack', 'status', 'reason', 'last updated'],
        rows: health.map((s) => [s.stackName, s.status, s.reason ?? '', s.lastUpdated?.toISOString() ?? '']),
      },
    ],
  };
}
