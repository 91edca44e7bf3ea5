import type { CredentialsPort, DatabaseCredentials } from '../../runbooks/ports';

/**
 * The drill's CredentialsPort: the local Postgres servers use trust authentication (initdb --auth=trust), so the
 * superuser without a password is accepted; there is no secret store to read.
 */
export class TrustCredentials implements CredentialsPort {
  async databaseCredentials(): Promise<DatabaseCredentials> {
    return { username: 'postgres', password: '' };
  }
}
