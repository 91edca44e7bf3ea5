import { DefaultStackSynthesizer } from 'aws-cdk-lib';
import type { ShopConfig } from '../config';
import { ARC_CONTROL_PLANE_REGION } from '../stacks/arc-control-plane-region';

/**
 * Reads one AWS resource with the AWS CLI (`aws … --output json`): its JSON, or undefined when it has no lifecycle
 * configuration or policy. Any other failure throws.
 */
export type AwsRead = (command: string[]) => unknown;

/**
 * The Regions whose CDK asset bucket and container-assets repository hold what a rollback redeploys: both Regions
 * and the ARC control-plane Region (the routing stack's template).
 */
function assetRegions(config: ShopConfig): string[] {
  return [...new Set([config.primaryRegion, config.standbyRegion, ARC_CONTROL_PLANE_REGION])];
}

const qualifier = DefaultStackSynthesizer.DEFAULT_QUALIFIER;
const bucketOf = (config: ShopConfig, region: string) => `cdk-${qualifier}-assets-${config.account}-${region}`;
const repositoryOf = (config: ShopConfig, region: string) =>
  `cdk-${qualifier}-container-assets-${config.account}-${region}`;

/** The AWS CLI reads of {@link checkAssetRetention}, per Region: the bucket's lifecycle, then the repository's. */
export function assetRetentionReads(config: ShopConfig): string[][] {
  return assetRegions(config).flatMap((region) => [
    [
      'aws',
      's3api',
      'get-bucket-lifecycle-configuration',
      '--bucket',
      bucketOf(config, region),
      '--region',
      region,
      '--output',
      'json',
    ],
    [
      'aws',
      'ecr',
      'get-lifecycle-policy',
      '--repository-name',
      repositoryOf(config, region),
      '--region',
      region,
      '--output',
      'json',
    ],
  ]);
}

interface BucketRule {
  readonly ID?: string;
  readonly Status?: string;
  readonly Prefix?: string;
  readonly Filter?: {
    readonly Prefix?: string;
    readonly Tag?: unknown;
    readonly And?: { readonly Prefix?: string; readonly Tags?: unknown };
  };
  readonly Expiration?: {
    readonly Days?: number;
    readonly Date?: string;
    readonly ExpiredObjectDeleteMarker?: boolean;
  };
}

interface RepositoryRule {
  readonly rulePriority?: number;
  readonly description?: string;
  readonly selection?: { readonly tagStatus?: string };
  readonly action?: { readonly type?: string };
}

/** Whether a key prefix can start a CDK asset object key (`<64 hex digits>.<extension>`). */
const assetKeyCanStartWith = (prefix: string) => /^[0-9a-f]{0,64}$/.test(prefix) || /^[0-9a-f]{64}\./.test(prefix);

/**
 * Why a bucket lifecycle rule would delete an asset object a recorded release needs, or undefined. S3: `Expiration`
 * "Specifies the expiration for the lifecycle of the object"; `NoncurrentVersionExpiration` "Specifies when
 * noncurrent object versions expire. Upon expiration, Amazon S3 permanently deletes the noncurrent object versions"
 * (S3 API reference, LifecycleRule): a recorded object is current, so only the first evicts it.
 */
function bucketRuleProblem(bucket: string, rule: BucketRule): string | undefined {
  if (rule.Status !== 'Enabled') return undefined;
  const expiration = rule.Expiration;
  if (expiration?.Days === undefined && expiration?.Date === undefined) return undefined;
  const prefix = rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? '';
  if (!assetKeyCanStartWith(prefix)) return undefined;
  // A tag filter does not make the rule safe: `cdk gc` tags the assets it finds unreferenced, and a recorded template
  // is never referenced by a deployed template (a template does not name its own hash).
  return `s3://${bucket} lifecycle rule ${JSON.stringify(rule.ID ?? '')} expires current objects (Expiration ${JSON.stringify(expiration)}): a recorded release's template or Lambda code would be deleted while a rollback may still redeploy it; accepted: no Expiration of current objects under a prefix an asset key (64 hex digits) can have (NoncurrentVersionExpiration is fine)`;
}

/**
 * Why a repository lifecycle rule would delete (or archive) an image a recorded release runs, or undefined. ECR:
 * tagStatus "Determines whether the lifecycle policy rule that you are adding specifies a tag for an image.
 * Acceptable options are tagged, untagged, or any. If you specify any, then all images have the rule evaluated
 * against them." (Amazon ECR User Guide, lifecycle policy properties). A recorded image is tagged (the asset hash).
 */
function repositoryRuleProblem(repository: string, rule: RepositoryRule): string | undefined {
  const status = rule.selection?.tagStatus;
  if (status === 'untagged') return undefined;
  const rulePrefix = `${repository} lifecycle rule ${rule.rulePriority} (${JSON.stringify(rule.description ?? '')})`;
  if (rule.action?.type === 'expire') {
    return `${rulePrefix} expires ${status} images: an image a recorded release runs would be deleted while a rollback may still redeploy it; accepted: rules that select untagged images only`;
  }
  if (rule.action?.type === 'transition') {
    // Unverified: whether ECS can start a task from an image in the archive storage class without a restore.
    return `${rulePrefix} moves ${status} images to archive storage: a rollback may need an image a recorded release runs pullable at once (unverified whether an archived image can be pulled without a restore); accepted: rules that select untagged images only`;
  }
  return undefined;
}

/**
 * Checks that no lifecycle rule of the CDK asset buckets or container-assets repositories evicts what a recorded
 * release needs (review M4): the objects of a release are current objects named by hash, its images are tagged (the
 * bootstrap repository's tags are immutable: "After tag immutability is turned on, the
 * ImageTagAlreadyExistsException error is returned if you push an image with a tag that is already in the
 * repository", Amazon ECR User Guide, image tag mutability). The bootstrap template's own rules pass: they expire
 * noncurrent object versions after 30 days and untagged images after a year.
 *
 * What this cannot see: `cdk gc` (run by hand or by a scheduled job) deletes assets no deployed template names, after
 * `--rollback-buffer-days`; see pipeline/README.md ("What a rollback needs is kept").
 *
 * @returns the problems, each naming the bucket or repository, the rule and what is accepted
 */
export function checkAssetRetention(config: ShopConfig, read: AwsRead): string[] {
  return assetRegions(config).flatMap((region) => {
    const bucket = bucketOf(config, region);
    const repository = repositoryOf(config, region);
    const [bucketRead, repositoryRead] = assetRetentionReads(config).filter((command) => command.includes(region));
    const lifecycle = read(bucketRead!) as { Rules?: BucketRule[] } | undefined;
    const policy = read(repositoryRead!) as { lifecyclePolicyText?: string } | undefined;
    const rules = policy?.lifecyclePolicyText
      ? ((JSON.parse(policy.lifecyclePolicyText) as { rules?: RepositoryRule[] }).rules ?? [])
      : [];
    return [
      ...(lifecycle?.Rules ?? []).flatMap((rule) => bucketRuleProblem(bucket, rule) ?? []),
      ...rules.flatMap((rule) => repositoryRuleProblem(repository, rule) ?? []),
    ];
  });
}
