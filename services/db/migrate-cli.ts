import { Command, InvalidArgumentError, Option } from 'commander';
import { DATABASE_SERVICES, type DatabaseService, migrate } from './migrate';

function postgresUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not a URL; accepted: postgres://user@host:port/database`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a postgres:// URL`);
  }
  return value;
}

const program = new Command('db:migrate')
  .description('Apply the pending schema migrations of a service database (idempotent).')
  .requiredOption('--database-url <url>', 'postgres://user@host:port/database', postgresUrl)
  .addOption(new Option('--service <name>', 'whose schema to apply').choices(DATABASE_SERVICES).makeOptionMandatory())
  .action(async (options: { databaseUrl: string; service: DatabaseService }) => {
    const result = await migrate(options.databaseUrl, options.service);
    for (const file of result.applied) console.log(`applied ${options.service}/${file}`);
    console.log(`${options.service}: ${result.applied.length} applied, ${result.skipped.length} already applied`);
  });

program.parseAsync().catch((error: Error) => {
  console.error(`db:migrate: ${error.message}`);
  process.exitCode = 1;
});
