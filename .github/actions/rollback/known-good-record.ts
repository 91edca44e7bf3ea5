import { z } from 'zod';
import type { InputParser } from '../cli-support/action-inputs';
import { parseJsonRecord } from '../cli-support/json-record';

/**
 * The last known-good version of a Region, stored as JSON in an SSM parameter of that Region. It is what a
 * redeploy needs: the commit to check out and the application stacks to deploy from it, each with its CDK stack id
 * (what `cdk deploy` selects by) and its CloudFormation name (what `DescribeStacks` takes).
 */
export interface KnownGoodRecord {
  /** Bumped when the shape changes; readers refuse other versions. */
  readonly schemaVersion: 1;
  /** The full commit SHA that passed the bake. */
  readonly sha: string;
  readonly region: string;
  /** The application stacks of the Region; never a data stack. */
  readonly stacks: readonly StackRef[];
  /** When the bake passed and the record was written (ISO 8601). */
  readonly recordedAt: string;
  /** The GitHub Actions run that wrote it, when known. */
  readonly runUrl?: string;
}

/** One application stack of a Region. */
export interface StackRef {
  /** The stack's CDK id, e.g. `shop-dev-us-east-1/services` for a stack in a Stage (`cdk deploy` selects by it). */
  readonly cdkId: string;
  /** The CloudFormation stack name, e.g. `shop-dev-us-east-1-services`. */
  readonly stackName: string;
}

/** The SSM parameter that holds a Region's {@link KnownGoodRecord} (one per Region: SSM parameters are regional). */
export function lastKnownGoodParameterName(appName: string, envName: string): string {
  return `/${appName}/${envName}/deploy/last-known-good`;
}

/**
 * The SSM parameter that holds a Region's known-good **candidate** (review M5: known-good is two-phase). `record`
 * writes it after that Region's bake; `confirm`, after the last bake of the release, copies it to
 * {@link lastKnownGoodParameterName}, the confirmed record `plan` rolls back to. A release that fails a later bake is
 * therefore never the version a Region rolls back to. Both parameters hold the same {@link KnownGoodRecord} shape,
 * so a record written before the two phases existed reads as confirmed.
 */
export function knownGoodCandidateParameterName(appName: string, envName: string): string {
  return `/${appName}/${envName}/deploy/known-good-candidate`;
}

/** Name segments that mark a stack as stateful. */
const STATEFUL_SEGMENTS = new Set(['data', 'database', 'databases', 'datastore', 'db', 'stateful']);

/**
 * Whether a stack name or CDK id marks the stack as stateful: one of its segments (split at `-`, `_`, `.`, `/` and
 * camelCase humps) is `data`, `database(s)`, `datastore`, `db` or `stateful`. Such stacks are never redeployed by a
 * rollback: their data has moved on since the known-good version.
 */
export function isStatefulStackName(name: string): boolean {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .split(/[-_./]+/)
    .some((segment) => STATEFUL_SEGMENTS.has(segment.toLowerCase()));
}

const CDK_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * A stack as `<cdk stack id>=<CloudFormation stack name>`, or `<stack name>` when both are the same; data stacks
 * are refused.
 */
export const applicationStack: InputParser<StackRef> = {
  accepted:
    'an application stack as "<cdk stack id>=<CloudFormation stack name>" or "<stack name>" (never a data stack: no "data", "database", "db" or "stateful" in its name)',
  parse: (text) => {
    const [cdkId = '', stackName = cdkId, ...rest] = text.split('=');
    if (rest.length > 0 || !CDK_ID.test(cdkId) || !STACK_NAME.test(stackName)) {
      return { problem: 'is not a stack' };
    }
    if (isStatefulStackName(cdkId) || isStatefulStackName(stackName)) {
      return { problem: 'is a stateful (data) stack, which a rollback never redeploys' };
    }
    return { value: { cdkId, stackName } };
  },
};

/** A stack given by its CloudFormation name or CDK id (to pick stacks out of a record); data stacks are refused. */
export const stackSelector: InputParser<string> = {
  accepted:
    'an application stack name or CDK stack id (never a data stack: no "data", "database", "db" or "stateful" in its name)',
  parse: (text) => {
    if (!CDK_ID.test(text)) return { problem: 'is not a stack name or CDK stack id' };
    if (isStatefulStackName(text)) return { problem: 'is a stateful (data) stack, which a rollback never redeploys' };
    return { value: text };
  },
};

const recordSchema = z.object({
  schemaVersion: z.literal(1),
  sha: z.string().regex(/^[0-9a-f]{40}$/, 'is not a full commit SHA (40 lowercase hex digits)'),
  region: z.string(),
  stacks: z
    .array(
      z.object({
        cdkId: z.string().regex(CDK_ID, 'is not a CDK stack id'),
        stackName: z.string().regex(STACK_NAME, 'is not a CloudFormation stack name'),
      }),
    )
    .min(1, 'is empty')
    .refine((stacks) => stacks.every((s) => !isStatefulStackName(s.cdkId) && !isStatefulStackName(s.stackName)), {
      message: 'lists a stateful (data) stack, which a rollback never redeploys',
    }),
  recordedAt: z.iso.datetime({ offset: true }),
  runUrl: z.url().optional(),
});

/**
 * Reads and validates the JSON of a {@link KnownGoodRecord}.
 *
 * @returns the record, or the list of problems (each naming the field).
 */
export function parseKnownGoodRecord(
  json: string,
  region: string,
): { readonly record: KnownGoodRecord } | { readonly problems: readonly string[] } {
  const result = parseJsonRecord(json, recordSchema);
  if ('problems' in result) return result;
  if (result.record.region !== region) {
    return { problems: [`region: "${result.record.region}" is not the Region it is stored in (${region})`] };
  }
  return { record: result.record as KnownGoodRecord };
}
