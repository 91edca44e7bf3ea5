import { CheckFailedError } from '../cli-support/exit-codes';
import type { JobSummary } from '../cli-support/job-summary';
import type { KnownGoodRecord, RecordedStack } from './known-good-record';
import { commitProblem, ROLLBACK_COMMIT_MISMATCH, type StackHealth, stackProblem } from './stack-health';

/**
 * The recorded stacks to redeploy: all of them, or those named in `only` (by CloudFormation name or CDK id).
 *
 * @throws CheckFailedError naming a stack of `only` that the record does not list.
 */
export function stacksToRedeploy(record: KnownGoodRecord, only?: readonly string[]): readonly RecordedStack[] {
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

/**
 * The command that redeploys one recorded stack by hand, as the rollback job does: the recorded template, nothing
 * built (run it with the CDK deploy role; add `--role-arn` with the CDK cfn-exec-role of the Region).
 */
export function redeployCommand(region: string, stack: RecordedStack): string {
  return `aws cloudformation deploy --region ${region} --stack-name ${stack.stackName} --template-url ${stack.templateUrl} --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM`;
}

/**
 * The step outputs of `plan` (lists separated by spaces, ready for the `stacks` input of `verify`); `templates` is a
 * JSON object from stack name to recorded template URL, which the rollback job's deploy steps read with
 * `fromJSON(steps.plan.outputs.templates)['<stack name>']`.
 */
export function planOutputs(record: KnownGoodRecord, stacks: readonly RecordedStack[]): Record<string, string> {
  return {
    sha: record.sha,
    cdk_stack_ids: stacks.map((s) => s.cdkId).join(' '),
    stack_names: stacks.map((s) => s.stackName).join(' '),
    recorded_at: record.recordedAt,
    run_url: record.runUrl ?? '',
    templates: JSON.stringify(Object.fromEntries(stacks.map((s) => [s.stackName, s.templateUrl]))),
  };
}

const stackTable = (stacks: readonly RecordedStack[]) => ({
  header: ['CDK stack id', 'CloudFormation stack', 'template', 'images (tag → digest)', 'other assets'],
  rows: stacks.map((s) => [
    s.cdkId,
    s.stackName,
    s.templateUrl,
    s.images.map((i) => `${i.repository}:${i.tag.slice(0, 12)}… → ${i.digest}`).join('; '),
    String(s.objects.length),
  ]),
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
export function planSummary(record: KnownGoodRecord, stacks: readonly RecordedStack[]): JobSummary {
  return {
    title: `Rollback plan for ${record.region}`,
    blocks: [
      `Known-good commit: ${record.sha}, recorded at ${record.recordedAt}`,
      ...(record.runUrl ? [{ label: 'Recorded by', href: record.runUrl }] : []),
      'Stacks to redeploy from their recorded templates, nothing rebuilt (data and network stacks are never redeployed); every recorded template, image and asset object still exists:',
      stackTable(stacks),
      'Redeploy by hand (CDK deploy role of the Region):',
      ...stacks.map((s) => redeployCommand(record.region, s)),
    ],
  };
}

/** The job summary of `plan` when an artifact of the known-good release is gone: nothing is redeployed. */
export function artifactsMissingSummary(record: KnownGoodRecord, problems: readonly string[]): JobSummary {
  return {
    title: `Rollback of ${record.region} NOT possible: recorded artifacts are gone`,
    blocks: [
      `Known-good commit: ${record.sha}, recorded at ${record.recordedAt}`,
      'Result: nothing was redeployed; the Region still runs the failed release. Fix forward, or rebuild the known-good commit by hand.',
      ...problems,
      // The CDK bootstrap bucket is versioned and its lifecycle rule expires noncurrent versions after 30 days
      // (bootstrap template, CleanupOldVersions): a deleted object can be copied back from its version meanwhile.
      'A deleted template or asset object keeps its previous version for 30 days in the CDK asset bucket (bootstrap lifecycle rule): aws s3api list-object-versions --bucket <bucket> --prefix <key>, then aws s3api copy-object --copy-source "<bucket>/<key>?versionId=<id>" --bucket <bucket> --key <key>. Assets go missing when cdk gc deletes them: see pipeline/README.md, "What a rollback needs is kept".',
    ],
  };
}

/**
 * The job summary of a run that ended on an error no other summary describes: an AWS call that failed after its
 * retries (exit 3), an invalid stored record, invalid inputs (exit 2).
 */
export function errorSummary(
  command: string,
  region: string | undefined,
  message: string,
  exitCode: number,
): JobSummary {
  const what = { 1: 'the check failed', 2: 'invalid inputs, nothing was called', 3: 'an AWS call failed' }[exitCode];
  return {
    title: `Rollback ${command}${region ? ` in ${region}` : ''}: FAILED (exit ${exitCode}${what ? `: ${what}` : ''})`,
    blocks: [message],
  };
}

/** The job summary of `plan` when nothing has been recorded yet. */
export function nothingRecordedSummary(region: string, message: string): JobSummary {
  return { title: `Rollback plan for ${region}`, blocks: ['Result: nothing to roll back to', message] };
}

/** The job summary of `verify`: each stack's state and the commit it runs, against the known-good commit. */
export function verifySummary(region: string, sha: string, health: readonly StackHealth[]): JobSummary {
  const problems = health.flatMap((s) => stackProblem(s) ?? commitProblem(s, sha, ROLLBACK_COMMIT_MISMATCH) ?? []);
  return {
    title: `Rollback verification in ${region}`,
    blocks: [
      problems.length === 0
        ? `Result: every redeployed stack is healthy and runs the known-good commit ${sha}`
        : 'Result: FAILED',
      ...problems,
      {
        header: ['stack', 'status', 'runs commit', 'reason', 'last updated'],
        rows: health.map((s) => [
          s.stackName,
          s.status,
          s.deployedCommit ?? '',
          s.reason ?? '',
          s.lastUpdated?.toISOString() ?? '',
        ]),
      },
    ],
  };
}
