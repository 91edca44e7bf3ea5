import { Command } from 'commander';
import { registerReconcileCommands } from './reconcile/cli-commands';

const program = new Command('runbook').description('Failover, switchover, failback and reconcile runbooks.');
registerReconcileCommands(program);

program.parseAsync().catch((error: Error) => {
  console.error(`runbook: ${error.message}`);
  process.exitCode = 1;
});
