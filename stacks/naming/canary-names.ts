import { createHash } from 'node:crypto';
import { resourcePrefix } from './resource-prefix';

/** Deterministic CloudWatch Synthetics canary names of one Region, read by the pipeline's bake gate. */
export interface CanaryNames {
  /** The canary walking the Region's own load balancer. */
  readonly local: string;
  /** The canary walking the shop's global name. */
  readonly global: string;
}

/**
 * The longest name that keeps the canary's Lambda function (`cwsyn-<canary name>-<uuid>`) within Lambda's
 * 64-character limit; CDK's own generated canary names respect the same bound.
 */
export const MAX_CANARY_NAME_LENGTH = 21;

function shorten(name: string): string {
  if (name.length <= MAX_CANARY_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, MAX_CANARY_NAME_LENGTH - 7)}-${hash}`;
}

/**
 * Names the canaries of one environment (canaries are regional: the same names exist in both Regions).
 *
 * @example canaryNames('shop', 'dev').local // 'shop-dev-local'
 */
export function canaryNames(appName: string, envName: string): CanaryNames {
  const prefix = resourcePrefix(appName, envName);
  return { local: shorten(`${prefix}-local`), global: shorten(`${prefix}-global`) };
}
