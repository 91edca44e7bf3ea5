import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';
import { type RecordedImage, type RecordedStack, type StackRef, templateLocation } from './known-good-record';

/**
 * The artifacts of a release that a rollback redeploys without building anything (review M4): the template each
 * application stack's deploy job gave CloudFormation, the container images that template names, and the other asset
 * objects (Lambda code) it names. CDK writes them as content-addressed assets: a template is `<hash>.json` in the
 * bootstrap bucket, an image is `<repository>:<hash>` in the bootstrap container-assets repository, Lambda code is
 * `<hash>.zip` in the same bucket as the template.
 *
 * Checks rest on these documented behaviours:
 * - ECR DescribeImages of a tag that no longer exists fails with ImageNotFoundException: "The image requested does not
 *   exist in the specified repository." (ECR API reference, ImageNotFoundException);
 * - S3 HeadObject of a missing key: "If you have the s3:ListBucket permission on the bucket, Amazon S3 returns an
 *   HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP
 *   status code 403 Forbidden error." (S3 API reference, HeadObject): the deploy role holds s3:ListBucket on the asset
 *   bucket, so a 403 is an access problem (exit 3), not a missing object.
 */
export interface ArtifactClients {
  readonly s3: S3Client;
  readonly ecr: ECRClient;
  readonly region: string;
  readonly call: AwsCaller;
}

/** An image the template names, before its digest is known. */
type ImageName = Omit<RecordedImage, 'digest'>;

/**
 * The container images (by registry, repository and tag) and the asset object keys a template's text names. Images
 * are ECR URIs `<account>.dkr.ecr.<region>.<suffix>/<repository>:<tag>` (CDK writes the suffix as
 * `${AWS::URLSuffix}` inside `Fn::Sub`); objects are `"<64 hex digits>.<extension>"` strings other than the template
 * itself (CDK's `S3Key` of a file asset).
 */
export function templateArtifacts(template: string, templateKey: string): { images: ImageName[]; objects: string[] } {
  const images = new Map<string, ImageName>();
  const imageUri =
    /(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.(?:\$\{AWS::URLSuffix\}|amazonaws\.com(?:\.cn)?)\/([a-z0-9][a-z0-9._/-]*):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})/g;
  for (const [, registryId, repository, tag] of template.matchAll(imageUri)) {
    images.set(`${registryId}/${repository}:${tag}`, { registryId: registryId!, repository: repository!, tag: tag! });
  }
  const objects = new Set<string>();
  for (const [, key] of template.matchAll(/"([0-9a-f]{64}\.(?:zip|json|jar|tgz|tar|gz))"/g)) {
    if (key !== templateKey) objects.add(key!);
  }
  return { images: [...images.values()], objects: [...objects].sort() };
}

const errorName = (error: unknown) =>
  error instanceof AwsCallError ? ((error.failure as { name?: string }).name ?? '') : '';
const httpStatus = (error: unknown) =>
  error instanceof AwsCallError
    ? (error.failure as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    : undefined;

/** Whether an S3 object exists; rethrows anything but a 404. */
async function objectExists(clients: ArtifactClients, bucket: string, key: string): Promise<boolean> {
  try {
    await clients.call(`S3 HeadObject s3://${bucket}/${key} in ${clients.region}`, () =>
      clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
    );
    return true;
  } catch (error) {
    if (errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey' || httpStatus(error) === 404) return false;
    throw error;
  }
}

/** The digest a tag points at now, or `undefined` when the image or its repository is gone. */
async function imageDigest(clients: ArtifactClients, image: ImageName): Promise<string | undefined> {
  try {
    const result = await clients.call(`ECR DescribeImages ${image.repository}:${image.tag} in ${clients.region}`, () =>
      clients.ecr.send(
        new DescribeImagesCommand({
          registryId: image.registryId,
          repositoryName: image.repository,
          imageIds: [{ imageTag: image.tag }],
        }),
      ),
    );
    return result.imageDetails?.[0]?.imageDigest;
  } catch (error) {
    if (errorName(error) === 'ImageNotFoundException' || errorName(error) === 'RepositoryNotFoundException') {
      return undefined;
    }
    throw error;
  }
}

/**
 * Reads what `stack`'s template runs: the template itself (S3 GetObject), the digest each image tag points at (ECR
 * DescribeImages) and that every other asset object exists (S3 HeadObject).
 *
 * @returns the recorded stack, or the problems (an artifact already gone: a release that cannot be redeployed is
 * never recorded).
 */
export async function recordStackArtifacts(
  clients: ArtifactClients,
  stack: StackRef & { readonly templateUrl: string },
): Promise<{ stack: RecordedStack } | { problems: string[] }> {
  const where = templateLocation(stack.templateUrl);
  if (where === undefined || where.region !== clients.region) {
    return {
      problems: [`${stack.stackName}: template ${stack.templateUrl} is not an asset template in ${clients.region}`],
    };
  }
  let text: string;
  try {
    const object = await clients.call(`S3 GetObject s3://${where.bucket}/${where.key} in ${clients.region}`, () =>
      clients.s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: where.key })),
    );
    text = (await object.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    if (errorName(error) === 'NoSuchKey' || httpStatus(error) === 404) {
      return { problems: [`${stack.stackName}: its template ${stack.templateUrl} does not exist`] };
    }
    throw error;
  }
  const named = templateArtifacts(text, where.key);
  const problems: string[] = [];
  const images: RecordedImage[] = [];
  for (const image of named.images) {
    const digest = await imageDigest(clients, image);
    if (digest === undefined)
      problems.push(`${stack.stackName}: image ${image.repository}:${image.tag} does not exist`);
    else images.push({ ...image, digest });
  }
  for (const key of named.objects) {
    if (!(await objectExists(clients, where.bucket, key))) {
      problems.push(`${stack.stackName}: asset object s3://${where.bucket}/${key} does not exist`);
    }
  }
  if (problems.length > 0) return { problems };
  return {
    stack: {
      cdkId: stack.cdkId,
      stackName: stack.stackName,
      templateUrl: stack.templateUrl,
      images,
      objects: named.objects,
    },
  };
}

/**
 * What a redeploy of `stacks` would miss: a template or asset object deleted, an image tag gone, or a tag that now
 * points at another image than the one recorded (a mutable repository). Empty when every artifact is still there.
 */
export async function missingArtifacts(clients: ArtifactClients, stacks: readonly RecordedStack[]): Promise<string[]> {
  const problems: string[] = [];
  for (const stack of stacks) {
    const where = templateLocation(stack.templateUrl)!;
    for (const key of [where.key, ...stack.objects]) {
      if (!(await objectExists(clients, where.bucket, key))) {
        problems.push(
          `${stack.stackName}: ${key === where.key ? 'its template' : 'asset object'} s3://${where.bucket}/${key} no longer exists`,
        );
      }
    }
    for (const image of stack.images) {
      const digest = await imageDigest(clients, image);
      if (digest === undefined) {
        problems.push(`${stack.stackName}: image ${image.repository}:${image.tag} (${image.digest}) no longer exists`);
      } else if (digest !== image.digest) {
        problems.push(
          `${stack.stackName}: image tag ${image.repository}:${image.tag} now points at ${digest}, not the recorded ${image.digest}`,
        );
      }
    }
  }
  return problems;
}
