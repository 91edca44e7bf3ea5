/**
 * The prefix of every stack and named resource: `${appName}-${envName}`.
 *
 * @param appName the application name, e.g. `shop`
 * @param envName the environment name, e.g. `dev`
 */
export function resourcePrefix(appName: string, envName: string): string {
  return `${appName}-${envName}`;
}
