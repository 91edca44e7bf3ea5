import { type Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';

/** Why a wildcard resource is needed, by the pattern of the resource as cdk-nag names it. */
export type WildcardReasons = ReadonlyArray<readonly [RegExp, string]>;

/** A resolved resource as cdk-nag names it in a finding: `Fn::Join` flattened, `Ref`/`GetAtt` as `<Id>`/`<Id.Attr>`. */
export function nagResource(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(nagResource).join(separator);
  }
  if (typeof v.Ref === 'string') return `<${v.Ref}>`;
  if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  return JSON.stringify(value);
}

/**
 * Acknowledges each wildcard resource of `policies` (cdk-nag AwsSolutions-IAM5), one finding at a time, with the
 * reason its pattern is needed; a wildcard no pattern explains throws, so a new one cannot ship without a reason.
 */
export function acknowledgeWildcardResources(
  stack: Stack,
  policies: readonly iam.Policy[],
  reasons: WildcardReasons,
  owner: string,
): void {
  for (const policy of policies) {
    const resources = new Set<string>();
    for (const statement of (policy.document.toJSON() as { Statement: { Resource: unknown }[] }).Statement) {
      for (const resource of [statement.Resource].flat()) resources.add(nagResource(stack.resolve(resource)));
    }
    for (const resource of [...resources].filter((r) => r.includes('*'))) {
      const reason = reasons.find(([pattern]) => pattern.test(resource))?.[1];
      if (!reason) throw new Error(`${owner}: no reason is recorded for the wildcard resource ${resource}`);
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    }
  }
}
