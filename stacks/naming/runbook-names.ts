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

/**
 * The runbook Lambda function (one per Region, in the VPC) that deletes a game day's synthetic orders from the orders
 * database's writer; the game-day role may invoke exactly this function. Lambda function names are per Region.
 *
 * @example syntheticOrdersFunctionName('shop', 'dev') // 'shop-dev-remove-synthetic-orders'
 */
export function syntheticOrdersFunctionName(appName: string, envName: string): string {
  return `${resourcePrefix(appName, envName)}-remove-synthetic-orders`;
}

/**
 * The Lambda function (one per Region, same name) that the Region switch plan's custom action block invokes in the
 * Region it activates, to start the `recover` runbook there (routing mode `region-switch`): built by each Region's
 * runbook stack (stacks/runbooks/region-switch-recover-start.ts); the plan and its execution role address it by name.
 *
 * @example regionSwitchRecoverFunctionName('shop', 'dev') // 'shop-dev-region-switch-recover'
 */
export function regionSwitchRecoverFunctionName(appName: string, envName: string): string {
  return `${resourcePrefix(appName, envName)}-region-switch-recover`;
}
