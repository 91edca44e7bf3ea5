import { CommanderError } from 'commander';
import { ConfigError } from '../config';
import { type DrillOptions, drillProgram, parseDrillOptions } from './drill-options';
import { INTERRUPTS, onInterrupt } from './interrupt';
import { Resources } from './resources';

/**
 * Exit codes: 0 the drill passed, 1 it failed, 2 bad usage, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (or
 * the terminal gone): see {@link INTERRUPTS}.
 */
export const DRILL_EXIT = { passed: 0, failed: 1, usage: 2, ...INTERRUPTS } as const;

function parse(argv: readonly string[]): DrillOptions | number {
  const program = drillProgram()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });
  try {
    return parseDrillOptions(argv, program);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? 0 : DRILL_EXIT.usage;
    }
    throw error;
  }
}

async function main(): Promise<number> {
  const parsed = parse(process.argv.slice(2));
  if (typeof parsed === 'number') return parsed;
  // The drill talks to dynalite through the AWS SDK; its Node-version notice is noise here.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

  const resources = new Resources();
  /** Stops everything the drill started and says in one line whether that worked. */
  const stopEverything = async (why: string) => {
    process.stderr.write(`\ndrill: ${why}: stopping everything it started (${resources.names().length} items)...\n`);
    const failed = await resources.stopAll();
    if (failed.length > 0) process.stderr.write(`drill: did not stop in time: ${failed.join(', ')}\n`);
    else process.stderr.write('drill: stopped; temporary data removed\n');
  };
  onInterrupt(stopEverything);
  // A stand-in that throws from a callback must not end the process before everything is stopped.
  let failing = false;
  const fail = (why: string) => {
    if (failing) return;
    failing = true;
    const exit = () => process.exit(DRILL_EXIT.failed);
    stopEverything(`unexpected error: ${why}`).then(exit, exit);
  };
  process.on('uncaughtException', (error) => fail(error.stack ?? error.message));
  process.on('unhandledRejection', (reason) =>
    fail(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)),
  );

  // Loaded after the environment is set: the stores' SDK clients read it when they load.
  const { runDrill } = require('./run-drill') as typeof import('./run-drill');
  try {
    const outcome = await runDrill(parsed, {
      print: (line) => process.stdout.write(`${line}\n`),
      env: process.env,
      resources,
      color: !parsed.ci && process.stdout.isTTY === true,
    });
    return outcome.exitCode;
  } catch (error) {
    process.stderr.write(`drill: ${error instanceof Error ? error.message : String(error)}\n`);
    await resources.stopAll();
    // A bad PRIMARY_REGION/STANDBY_REGION is bad usage, like a bad flag.
    return error instanceof ConfigError ? DRILL_EXIT.usage : DRILL_EXIT.failed;
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      // Pools and timers of stopped services must not keep a finished drill alive.
      process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`drill: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(DRILL_EXIT.failed);
    },
  );
}
