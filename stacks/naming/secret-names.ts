/**
 * The name of the synthetic shopper's token secret (`<app>/<env>/synthetic-shopper`): generated in the primary's data
 * stack and replicated to the standby, where the ui and the canaries find it by this name.
 */
export function syntheticShopperSecretName(appName: string, envName: string): string {
  return `${appName}/${envName}/synthetic-shopper`;
}

/**
 * The name of the ui's customer cookie key (`<app>/<env>/customer-cookie`): generated in the primary's data stack and
 * replicated to the standby, where the ui finds it by this name. One key for both Regions: a shopper's signed cookie
 * stays valid across a failover.
 */
export function customerCookieSecretName(appName: string, envName: string): string {
  return `${appName}/${envName}/customer-cookie`;
}
