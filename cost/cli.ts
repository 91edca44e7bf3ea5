/**
 * `npm run cost [-- --json] [-- -c key=value ...]`: the monthly cost of the current configuration, both routing modes
 * side by side, counted from the synthesized templates. The configuration is read as `npm run synth` reads it:
 * defaults, `cdk.json` / `cdk.context.json` context, `-c key=value`, then environment variables.
 */
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { CONFIG_CONTEXT_KEYS, ConfigError, loadConfig } from '../config';
import { synthContext } from '../pipeline/synth';
import { costReport, renderCostReport } from './cost-report';
import { synthesizeRoutingModes } from './routing-mode-templates';

/** Exit codes of the cost view. */
export const COST_EXIT = { ok: 0, usage: 2 } as const;

/** Where the CLI writes and what it reads. */
export interface CostCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The repository root (`cdk.json` lives there). */
  readonly repoRoot: string;
}

class UsageError extends Error {}

/** Validates one `-c` value: `key=value` with a non-empty key. */
function contextPair(value: string, previous: string[]): string[] {
  if (value.indexOf('=') < 1) {
    throw new UsageError(
      `--context: ${JSON.stringify(value)} is not a key=value pair; accepted: key=value with a non-empty key, e.g. -c canaryRateMinutes=1`,
    );
  }
  return [...previous, value];
}

/** Runs the cost view with `argv` (without `node` and the script) and returns the exit code. */
export function main(argv: readonly string[], io: CostCliIo): number {
  const program = new Command('cost')
    .description(
      'Monthly cost of the current configuration, both routing modes, counted from the synthesized templates',
    )
    .option('--json', 'print the report as JSON')
    .option('-c, --context <key=value>', 'a cdk context value, as for cdk synth (repeatable)', contextPair, [])
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) })
    .showHelpAfterError('(run with --help for usage; accepted: --json, -c/--context key=value)');
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.help'
        ? COST_EXIT.ok
        : COST_EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}`);
      return COST_EXIT.usage;
    }
    throw error;
  }
  const options = program.opts<{ json?: boolean; context: string[] }>();
  // A -c key nothing reads would be ignored (as cdk synth ignores it) and the default priced instead: refused.
  const fileKeys = Object.keys(synthContext([], io.repoRoot));
  for (const pair of options.context) {
    const key = pair.slice(0, pair.indexOf('='));
    const known =
      CONFIG_CONTEXT_KEYS.includes(key) ||
      fileKeys.includes(key) ||
      key.startsWith('@aws-cdk/') ||
      key.startsWith('aws-cdk:');
    if (!known) {
      io.stderr(
        `error: --context: ${JSON.stringify(key)} is not a context key the app reads; accepted: ${CONFIG_CONTEXT_KEYS.join(', ')}, or a CDK key (@aws-cdk/... or aws-cdk:...) or one of cdk.json's`,
      );
      return COST_EXIT.usage;
    }
  }
  const context = synthContext(
    options.context.flatMap((pair) => ['-c', pair]),
    io.repoRoot,
  );
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env: io.env, context: (key) => context[key] });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(error.message);
    return COST_EXIT.usage;
  }
  const report = costReport(config, synthesizeRoutingModes(config, context));
  io.stdout(options.json ? JSON.stringify(report, null, 2) : renderCostReport(report));
  return COST_EXIT.ok;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(`${s}\n`),
    stderr: (s) => process.stderr.write(`${s}\n`),
    env: process.env,
    repoRoot: path.resolve(__dirname, '..'),
  });
}
