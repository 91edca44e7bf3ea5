import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  parseReadinessRecord,
  READINESS_LATEST_KEY,
  type ReadinessRecord,
} from '../../../runbooks/readiness/readiness-record';
import { stackNames } from '../../../stacks/naming/stack-names';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';

/**
 * The runbook stack's output that names its report bucket (stacks/runbooks/runbook-stack.ts, `ReportBucketName`;
 * the game day finds the bucket the same way, runbooks/adapters/aws/gameday-ports.ts).
 */
export const REPORT_BUCKET_OUTPUT = 'ReportBucketName';

/** The IAM actions {@link readLatestReadiness} calls, for the roles that run it (pipeline/github-oidc-stack.ts). */
export const READINESS_READER_ACTIONS = {
  /** DescribeStacks of the Region's runbooks stack: its `ReportBucketName` output. */
  findBucket: ['cloudformation:DescribeStacks'],
  /** GetObject of `readiness/latest.json`; the bucket is encrypted with a KMS key (runbook-reports-bucket.ts). */
  readRecord: ['s3:GetObject', 'kms:Decrypt'],
  /**
   * Not a call: with s3:ListBucket a missing key answers 404 NoSuchKey, without it 403 ("If you don't have the
   * s3:ListBucket permission, Amazon S3 returns an HTTP status code 403 Forbidden error", S3 API Reference,
   * GetObject), so "no record yet" can be told from "not allowed".
   */
  tellMissing: ['s3:ListBucket'],
} as const;

/** The latest scheduled readiness record of one Region, or why there is none to judge. */
export type LatestReadiness =
  | {
      readonly kind: 'record';
      readonly region: string;
      readonly record: ReadinessRecord;
      /** Where it was read: `s3://<bucket>/readiness/latest.json`. */
      readonly location: string;
    }
  | {
      /** The runbooks stack, its bucket output or the object does not exist: no record was ever written here. */
      readonly kind: 'missing';
      readonly region: string;
      readonly detail: string;
    }
  | {
      /** An AWS call failed, or the object is not a readiness-record@1 of this app, environment and Region. */
      readonly kind: 'unreadable';
      readonly region: string;
      readonly detail: string;
    };

/** What {@link readLatestReadiness} needs from the outside world. */
export interface ReadinessReaderDependencies {
  readonly cloudFormationFor: (region: string) => CloudFormationClient;
  readonly s3For: (region: string) => S3Client;
  /** The retrying caller (cli-support/aws-retry.ts); a Region that may be down deserves few attempts. */
  readonly call: AwsCaller;
}

const errorName = (error: unknown) =>
  error instanceof AwsCallError ? (error.failure as { name?: string } | undefined)?.name : undefined;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Reads `readiness/latest.json` from the report bucket of `region` (found by the runbooks stack's
 * {@link REPORT_BUCKET_OUTPUT} output) and validates it as readiness-record@1 of `appName`/`envName`, written in
 * `region` about `region` (the scheduled run judges the Region it runs in). Never throws: every failure is a
 * `missing` or `unreadable` answer naming what failed, so a caller that only shows the verdict (the deploy, the
 * failover's dry run) cannot fail because of it, and readiness.yml can judge it not green (fail closed).
 */
export async function readLatestReadiness(
  appName: string,
  envName: string,
  region: string,
  deps: ReadinessReaderDependencies,
): Promise<LatestReadiness> {
  const stackName = stackNames(appName, envName).runbooks(region);
  let bucket: string | undefined;
  try {
    const answer = await deps.call(`DescribeStacks ${stackName} in ${region}`, () =>
      deps.cloudFormationFor(region).send(new DescribeStacksCommand({ StackName: stackName })),
    );
    bucket = answer.Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === REPORT_BUCKET_OUTPUT)?.OutputValue;
  } catch (error) {
    // CloudFormation answers ValidationError "Stack with id <name> does not exist" for a stack that is not there.
    if (errorName(error) === 'ValidationError' && /does not exist/.test(messageOf(error))) {
      return { kind: 'missing', region, detail: `stack ${stackName} does not exist in ${region}` };
    }
    return { kind: 'unreadable', region, detail: messageOf(error) };
  }
  if (!bucket) {
    return { kind: 'missing', region, detail: `stack ${stackName} in ${region} has no output ${REPORT_BUCKET_OUTPUT}` };
  }
  const location = `s3://${bucket}/${READINESS_LATEST_KEY}`;
  let text: string;
  try {
    text = await deps.call(`GetObject ${location} in ${region}`, async () => {
      const answer = await deps.s3For(region).send(new GetObjectCommand({ Bucket: bucket, Key: READINESS_LATEST_KEY }));
      return (await answer.Body?.transformToString('utf8')) ?? '';
    });
  } catch (error) {
    if (errorName(error) === 'NoSuchKey') {
      return { kind: 'missing', region, detail: `${location} does not exist (the scheduled readiness never wrote it)` };
    }
    return { kind: 'unreadable', region, detail: messageOf(error) };
  }
  let record: ReadinessRecord;
  try {
    record = parseReadinessRecord(JSON.parse(text) as unknown, location);
  } catch (error) {
    const why = error instanceof SyntaxError ? `${location} is not JSON: ${error.message}` : messageOf(error);
    return { kind: 'unreadable', region, detail: why };
  }
  const expected = { appName, envName, region, targetRegion: region } as const;
  const wrong = (Object.keys(expected) as (keyof typeof expected)[]).filter((key) => record[key] !== expected[key]);
  if (wrong.length > 0) {
    return {
      kind: 'unreadable',
      region,
      detail: `${location} is not this Region's record: ${wrong
        .map((key) => `${key} is ${JSON.stringify(record[key])}, expected ${JSON.stringify(expected[key])}`)
        .join('; ')}`,
    };
  }
  return { kind: 'record', region, record, location };
}
