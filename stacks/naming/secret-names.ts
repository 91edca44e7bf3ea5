/**
 * The name of the synthetic shopper's token secret (`<app>/<env>/synthetic-shopper`): generated in the primary's data
 * stack and replicated to the standby, where the ui and the canaries find it by this name.
 */
export function syntheticShopperSecretName(appName: string, envName: string): string {
  return `${appName}/${envName}/synthetic-shopper`;
}
