/** A database user name and password. */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Database credentials, read when they are needed (never frozen into configuration or environment variables, so a
 * rotation cannot break the runbook).
 */
export interface CredentialsPort {
  /** The credentials stored in a secret of `region`. */
  databaseCredentials(region: string, secretId: string): Promise<DatabaseCredentials>;
}
