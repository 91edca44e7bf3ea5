import { resourcePrefix } from './resource-prefix';

/**
 * The IAM role the runbook SSM Automation documents of one Region run as (`AutomationAssumeRole`); the failover
 * workflow's role may pass it and nothing else. At most 64 characters for the longest valid names.
 *
 * @example runbookAutomationRoleName('shop', 'dev', region) // 'shop-dev-<region>-runbook'
 */
export function runbookAutomationRoleName(appName: string, envName: string, region: string): string {
  return `${resourcePrefix(appName, envName)}-${region}-runbook`;
}
