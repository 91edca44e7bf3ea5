import { z } from 'zod';
import type { InputParser } from '../cli-support/action-inputs';
import { parseJsonRecord } from '../cli-support/json-record';

/**
 * The last known-good version of a Region, stored as JSON in an SSM parameter of that Region. It is what a
 * redeploy needs and nothing has to be rebuilt for (review M4): per application stack, the exact template the
 * release's deploy job gave CloudFormation and the artifacts that template runs (the container images by tag and
 * the digest each tag pointed at, the other asset objects), so a rollback redeploys those same templates.
 */
export interface KnownGoodRecord {
  /**
   * Bumped when the shape changes; readers refuse other versions. Version 1 (commit and stack names only: a
   * rollback rebuilt the commit from source) is refused with a message saying why ({@link OLD_RECORD_PROBLEM}).
   */
  readonly schemaVersion: 2;
  /** The full commit SHA that passed the bake. */
  readonly sha: string;
  readonly region: string;
  /** The application stacks of the Region, in redeploy order; never a data stack. */
  readonly stacks: readonly RecordedStack[];
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

/** A container image a recorded template runs: the tag the template names and the image it pointed at. */
export interface RecordedImage {
  /** The registry (account id) of the repository. */
  readonly registryId: string;
  /** The ECR repository, e.g. `cdk-hnb659fds-container-assets-111111111111-us-east-1`. */
  readonly repository: string;
  /** The tag the template names (a CDK asset hash). */
  readonly tag: string;
  /** The image digest the tag pointed at when the release was recorded (`sha256:` and 64 hex digits). */
  readonly digest: string;
}

/** A recorded application stack: what it is, the template its release deployed, and what that template runs. */
export interface RecordedStack extends StackRef {
  /** The template URL the release's deploy job passed to CloudFormation (`https://<bucket>.s3.<region>.amazonaws.com/<hash>.json`). */
  readonly templateUrl: string;
  /** The container images the template names. */
  readonly images: readonly RecordedImage[];
  /** The other asset objects (Lambda code) the template names, as keys in the template's bucket. */
  readonly objects: readonly string[];
}

/** Where a recorded template is. */
export interface TemplateLocation {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
}

const TEMPLATE_URL =
  /^https:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/([0-9a-f]{64}\.json)$/;

/**
 * The bucket, key and Region of a template URL as cdk-pipelines-github writes it for a deploy job
 * (`https://<bucket>.s3.<region>.amazonaws.com/<asset hash>.json`), or `undefined` for anything else.
 */
export function templateLocation(url: string): TemplateLocation | undefined {
  const match = TEMPLATE_URL.exec(url);
  if (!match) return undefined;
  return { bucket: match[1]!, region: match[2]!, key: match[3]! };
}

/** What a template URL must look like, in words. */
export const TEMPLATE_URL_ACCEPTED =
  'https://<asset bucket>.s3.<region>.amazonaws.com/<64 hex digits>.json (the template URL of the deploy job)';

/**
 * Why a record written by the first version of the pipeline is refused: it names a commit, not artifacts, and the
 * rollback no longer rebuilds from source (review M4).
 */
export const OLD_RECORD_PROBLEM =
  'schemaVersion: 1 is the old format (a commit and stack names, redeployed by rebuilding the commit from source); it names no recorded templates or image digests, so it cannot be rolled back to without a rebuild. Accepted: 2. The next release whose bakes pass writes a version-2 record; until then fix forward (or roll back by hand from the commit)';

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

const DIGEST = /^sha256:[0-9a-f]{64}$/;

const recordSchema = z.object({
  schemaVersion: z.literal(2),
  sha: z.string().regex(/^[0-9a-f]{40}$/, 'is not a full commit SHA (40 lowercase hex digits)'),
  region: z.string(),
  stacks: z
    .array(
      z.object({
        cdkId: z.string().regex(CDK_ID, 'is not a CDK stack id'),
        stackName: z.string().regex(STACK_NAME, 'is not a CloudFormation stack name'),
        templateUrl: z.string().regex(TEMPLATE_URL, `is not ${TEMPLATE_URL_ACCEPTED}`),
        images: z.array(
          z.object({
            registryId: z.string().regex(/^\d{12}$/, 'is not an account id'),
            repository: z.string().regex(/^[a-z0-9][a-z0-9._/-]{1,255}$/, 'is not an ECR repository name'),
            tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'is not an image tag'),
            digest: z.string().regex(DIGEST, 'is not an image digest (sha256: and 64 hex digits)'),
          }),
        ),
        objects: z.array(z.string().regex(/^[0-9a-f]{64}\.[a-z]+$/, 'is not an asset object key')),
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
  if ('problems' in result) {
    const version = parseJsonRecord(json, z.object({ schemaVersion: z.literal(1) }));
    return 'record' in version ? { problems: [OLD_RECORD_PROBLEM] } : result;
  }
  if (result.record.region !== region) {
    return { problems: [`region: "${result.record.region}" is not the Region it is stored in (${region})`] };
  }
  const elsewhere = result.record.stacks.filter((s) => templateLocation(s.templateUrl)?.region !== region);
  if (elsewhere.length > 0) {
    return {
      problems: elsewhere.map(
        (s) =>
          `stacks: the template of ${s.stackName} (${s.templateUrl}) is not in ${region}, the Region it is stored in`,
      ),
    };
  }
  return { record: result.record as KnownGoodRecord };
}

/** A stack's template as the deploy job gave it to CloudFormation (the `templates` input of `record`). */
export interface StackTemplate {
  readonly stackName: string;
  readonly templateUrl: string;
}

/** `<CloudFormation stack name>=<template URL>`. */
export const stackTemplate: InputParser<StackTemplate> = {
  accepted: `"<CloudFormation stack name>=<template URL>", the URL ${TEMPLATE_URL_ACCEPTED}`,
  parse: (text) => {
    const at = text.indexOf('=');
    const stackName = text.slice(0, at);
    const templateUrl = text.slice(at + 1);
    if (at < 1 || !STACK_NAME.test(stackName)) return { problem: 'does not start with a stack name and "="' };
    if (!TEMPLATE_URL.test(templateUrl)) return { problem: 'has no template URL after "="' };
    return { value: { stackName, templateUrl } };
  },
};
