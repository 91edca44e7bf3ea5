import * as core from '@actions/core';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECRClient } from '@aws-sdk/client-ecr';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { type AwsCaller, type AwsRetryOptions, awsCaller } from '../cli-support/aws-retry';
import { type Clock, formatTime, systemClock } from '../cli-support/clock';
import { CheckFailedError, exitCodeOf } from '../cli-support/exit-codes';
import { currentRunUrl } from '../cli-support/github-run';
import { type JobSummary, writeJobSummary } from '../cli-support/job-summary';
import { RolledBackStore, rolledBackParameterName } from './deployed-commit';
import { type KnownGoodRecord, knownGoodCandidateParameterName, lastKnownGoodParameterName } from './known-good-record';
import { KnownGoodStore } from './known-good-store';
import { type ArtifactClients, missingArtifacts, recordStackArtifacts } from './release-artifacts';
import { type ConfirmInputs, type RecordInputs, readRollbackInputs } from './rollback-inputs';
import {
  artifactsMissingSummary,
  confirmSummary,
  errorSummary,
  nothingRecordedSummary,
  planOutputs,
  planSummary,
  recordRefusedSummary,
  recordSummary,
  stacksToRedeploy,
  verifySummary,
} from './rollback-plan';
import { commitProblem, describeStackHealth, ROLLBACK_COMMIT_MISMATCH, stackProblem } from './stack-health';

/** Whether this run wrote its job summary yet (every exit path writes one: review m3). */
let summarized = false;

/** Writes the job summary of this run. */
async function summarize(summary: JobSummary): Promise<void> {
  summarized = true;
  await writeJobSummary(summary);
}

/** The S3 and ECR clients of `region`, for the release artifacts. */
function artifactClients(region: string, call: AwsCaller): ArtifactClients {
  return {
    s3: new S3Client({ region, maxAttempts: 1 }),
    ecr: new ECRClient({ region, maxAttempts: 1 }),
    region,
    call,
  };
}

/** What tests replace: the clock (the record's time) and the retry backoff. */
export interface RollbackOverrides {
  readonly clock?: Clock;
  readonly retry?: AwsRetryOptions;
}

/** Why `sha` must not become known-good in `region`: the rollback marker of `sha` there, if any. */
async function rolledBackRefusal(
  markers: RolledBackStore,
  region: string,
  inputs: { appName: string; envName: string; sha: string },
): Promise<string[]> {
  const marker = await markers.read(inputs.sha);
  if (!marker) return [];
  const by = marker.runUrl ? ` by ${marker.runUrl}` : '';
  return [
    `Commit ${inputs.sha} was rolled back in ${region} at ${marker.at}${by} (SSM parameter ${rolledBackParameterName(inputs.appName, inputs.envName, inputs.sha)}): a re-run of its bake watches the known-good version and must not promote it; deploy a new commit instead`,
  ];
}

/**
 * `confirm`: after the last bake, every Region's candidate becomes its confirmed known-good version (review M5). All
 * Regions are checked before any is written, so a refusal confirms nothing; a Region already confirmed at `sha` is
 * left as it is (a re-run).
 */
async function confirm(inputs: ConfirmInputs, call: AwsCaller): Promise<void> {
  const candidateName = knownGoodCandidateParameterName(inputs.appName, inputs.envName);
  const confirmedName = lastKnownGoodParameterName(inputs.appName, inputs.envName);
  const problems: string[] = [];
  const promotions: { region: string; record: KnownGoodRecord; store: KnownGoodStore }[] = [];
  const done: string[] = [];
  for (const region of inputs.regions) {
    const client = new SSMClient({ region, maxAttempts: 1 });
    const markers = new RolledBackStore(client, region, inputs.appName, inputs.envName, call);
    const refused = await rolledBackRefusal(markers, region, inputs);
    if (refused.length > 0) {
      problems.push(...refused);
      continue;
    }
    const candidate = await new KnownGoodStore(client, region, candidateName, call).read();
    if (candidate === undefined) {
      problems.push(`${region}: no known-good candidate is recorded (${candidateName} does not exist)`);
      continue;
    }
    if (candidate.sha !== inputs.sha) {
      problems.push(
        `${region}: the known-good candidate (${candidateName}) is commit ${candidate.sha}, not ${inputs.sha}: its bake did not pass in this run`,
      );
      continue;
    }
    const store = new KnownGoodStore(client, region, confirmedName, call);
    const confirmed = await store.read().catch(() => undefined);
    if (confirmed?.sha === inputs.sha) done.push(region);
    else promotions.push({ region, record: candidate, store });
  }
  if (problems.length > 0) {
    await summarize(confirmSummary(inputs.sha, problems, false));
    throw new CheckFailedError(
      `Not confirming ${inputs.sha} as the known-good version of ${inputs.regions.join(', ')}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  const lines: string[] = [];
  for (const region of done) {
    lines.push(`${inputs.sha} is already the known-good version of ${region}`);
  }
  for (const { region, record, store } of promotions) {
    const version = await store.write(record);
    lines.push(
      `Confirmed ${inputs.sha} as the known-good version of ${region} in ${confirmedName}${version === undefined ? '' : ` (version ${version})`}`,
    );
  }
  for (const line of lines) core.info(line.replace(/ \(version \d+\)$/, ''));
  await summarize(confirmSummary(inputs.sha, lines, true));
}

/**
 * Why `record` must not record `inputs.sha`: the commit was rolled back in this Region, or an application stack
 * is not healthy or does not run it (its `DeployedCommit`). Empty when it may be recorded.
 */
async function recordRefusals(inputs: RecordInputs, markers: RolledBackStore, call: AwsCaller): Promise<string[]> {
  const refused = await rolledBackRefusal(markers, inputs.region, inputs);
  if (refused.length > 0) return refused;
  const cloudFormation = new CloudFormationClient({ region: inputs.region, maxAttempts: 1 });
  const health = await describeStackHealth(
    cloudFormation,
    inputs.region,
    call,
    inputs.stacks.map((s) => s.stackName),
  );
  return health.flatMap((stack) => stackProblem(stack) ?? commitProblem(stack, inputs.sha) ?? []);
}

/**
 * The rollback CLI: `command` `record` (after a Region's bake passed: its candidate), `confirm` (after the last bake:
 * every Region's candidate becomes known-good), `plan` (after a failure: what to redeploy) or `verify` (after the
 * redeploy). Inputs, outputs and exit codes in pipeline/README.md.
 */
export async function run(overrides: RollbackOverrides = {}): Promise<void> {
  const clock = overrides.clock ?? systemClock;
  summarized = false;
  try {
    const inputs = readRollbackInputs((name) => core.getInput(name));
    const call = awsCaller(overrides.retry);

    if (inputs.command === 'verify') {
      const client = new CloudFormationClient({ region: inputs.region, maxAttempts: 1 });
      const health = await describeStackHealth(client, inputs.region, call, inputs.stackNames);
      await summarize(verifySummary(inputs.region, inputs.sha, health));
      // Healthy is not enough (review M4(3), R7): a redeploy that left another release in place is no rollback.
      const problems = health.flatMap(
        (s) => stackProblem(s) ?? commitProblem(s, inputs.sha, ROLLBACK_COMMIT_MISMATCH) ?? [],
      );
      if (problems.length > 0) {
        throw new CheckFailedError(
          `Rollback verification failed in ${inputs.region}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
      core.info(
        `Every redeployed stack is healthy in ${inputs.region} and runs ${inputs.sha}: ${inputs.stackNames.join(', ')}`,
      );
      return;
    }

    if (inputs.command === 'confirm') {
      await confirm(inputs, call);
      return;
    }

    const parameterName = lastKnownGoodParameterName(inputs.appName, inputs.envName);
    const client = new SSMClient({ region: inputs.region, maxAttempts: 1 });
    const store = new KnownGoodStore(client, inputs.region, parameterName, call);

    const markers = new RolledBackStore(client, inputs.region, inputs.appName, inputs.envName, call);

    if (inputs.command === 'record') {
      const candidateName = knownGoodCandidateParameterName(inputs.appName, inputs.envName);
      const candidates = new KnownGoodStore(
        client,
        inputs.region,
        candidateName,
        call,
        `Known-good candidate in ${inputs.region} (its bake passed; confirmed after the last bake): commit and application stacks`,
      );
      const refused = await recordRefusals(inputs, markers, call);
      if (refused.length > 0) {
        await summarize(recordRefusedSummary(inputs.region, inputs.sha, refused));
        throw new CheckFailedError(
          `Not recording ${inputs.sha} as the known-good version of ${inputs.region}:\n${refused.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
      // What the rollback will redeploy: the templates this release deployed and the images and assets they run.
      const clients = artifactClients(inputs.region, call);
      const stacks = [];
      const missing: string[] = [];
      for (const stack of inputs.stacks) {
        const recorded = await recordStackArtifacts(clients, stack);
        if ('problems' in recorded) missing.push(...recorded.problems);
        else stacks.push(recorded.stack);
      }
      if (missing.length > 0) {
        await summarize(recordRefusedSummary(inputs.region, inputs.sha, missing));
        throw new CheckFailedError(
          `Not recording ${inputs.sha} as the known-good version of ${inputs.region}: artifacts of the release are already gone, so it could never be redeployed:\n${missing.map((p) => `  - ${p}`).join('\n')}`,
        );
      }
      const runUrl = currentRunUrl();
      const record: KnownGoodRecord = {
        schemaVersion: 2,
        sha: inputs.sha,
        region: inputs.region,
        stacks,
        recordedAt: formatTime(clock.now()),
        ...(runUrl ? { runUrl } : {}),
      };
      const version = await candidates.write(record);
      core.info(`Recorded ${inputs.sha} as the known-good candidate of ${inputs.region} in ${candidateName}`);
      await summarize(recordSummary(record, candidateName, version));
      return;
    }

    // Mark the failed commit before anything else can fail, so a re-run never records it; not when it is the
    // known-good commit itself (the bake then failed for a reason the commit cannot carry).
    let readError: unknown;
    const record = await store.read().catch((error: unknown) => {
      readError = error;
      return undefined;
    });
    if (inputs.failedSha !== record?.sha) {
      const runUrl = currentRunUrl();
      await markers.mark({
        schemaVersion: 1,
        sha: inputs.failedSha,
        region: inputs.region,
        at: formatTime(clock.now()),
        ...(runUrl ? { runUrl } : {}),
      });
      core.info(
        `Marked ${inputs.failedSha} as rolled back in ${inputs.region}: it will never be recorded as known-good`,
      );
    }
    if (readError !== undefined) throw readError;
    if (record === undefined) {
      const message = `No known-good version is recorded for ${inputs.region} (SSM parameter ${parameterName} does not exist): there is nothing to roll back to. This is expected until a first bake passes in this Region; fix forward instead.`;
      await summarize(nothingRecordedSummary(inputs.region, message));
      throw new CheckFailedError(message);
    }
    const stacks = stacksToRedeploy(record, inputs.only);
    // Fail closed before anything is redeployed: a template, image or asset of the known-good release that is gone
    // (or an image tag that now names another image) would make the redeploy fail halfway or run something else.
    const gone = await missingArtifacts(artifactClients(inputs.region, call), stacks);
    if (gone.length > 0) {
      await summarize(artifactsMissingSummary(record, gone));
      throw new CheckFailedError(
        `Cannot roll ${inputs.region} back to ${record.sha}: artifacts of that release are gone, nothing was redeployed (the Region still runs the failed release; fix forward):\n${gone.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    for (const [name, value] of Object.entries(planOutputs(record, stacks))) core.setOutput(name, value);
    core.info(`Roll back ${inputs.region} to ${record.sha}: ${stacks.map((s) => s.cdkId).join(' ')}`);
    await summarize(planSummary(record, stacks));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(message);
    process.exitCode = exitCodeOf(error);
    if (!summarized) {
      // An AWS error after its retries (exit 3), an invalid stored record, invalid inputs: say it in the summary too.
      const region = core.getInput('region') || core.getInput('regions') || undefined;
      await writeJobSummary(errorSummary(core.getInput('command') || 'run', region, message, process.exitCode));
    }
  }
}

if (require.main === module) void run();
