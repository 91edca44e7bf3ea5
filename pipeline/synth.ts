import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { releaseFromEnvironment } from './release-commit';

/** Exit code of a configuration the project refuses: bad usage, like a bad flag. */
export const BAD_CONFIG_EXIT = 2;

/**
 * The cdk context the app will see from `cdk.json`, `cdk.context.json` and the command line's `-c key=value` /
 * `--context key=value` (the CDK CLI merges these, the command line last; a command-line value is a string). The
 * user-level `~/.cdk.json` is not read: a bad value there still stops synth in the app, through the CDK CLI (exit 1).
 */
export function synthContext(args: readonly string[], repoRoot: string): Record<string, unknown> {
  const fromFile = (file: string): Record<string, unknown> => {
    const full = path.join(repoRoot, file);
    if (!existsSync(full)) return {};
    const parsed = JSON.parse(readFileSync(full, 'utf8')) as Record<string, unknown>;
    return file === 'cdk.json' ? ((parsed.context as Record<string, unknown> | undefined) ?? {}) : parsed;
  };
  const context: Record<string, unknown> = { ...fromFile('cdk.json'), ...fromFile('cdk.context.json') };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const inline = /^--context=(.*)$/.exec(arg)?.[1];
    const pair = inline ?? (arg === '-c' || arg === '--context' ? args[++i] : undefined);
    if (pair === undefined) continue;
    const eq = pair.indexOf('=');
    if (eq > 0) context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

/**
 * The message that stops synth, or undefined when the configuration is valid: the same checks `pipeline/main.ts`
 * makes, over the same environment and context.
 */
export function configProblem(
  env: Readonly<Record<string, string | undefined>>,
  context: Readonly<Record<string, unknown>>,
): string | undefined {
  try {
    loadConfig({ env, context: (key) => context[key] });
    releaseFromEnvironment(env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

/**
 * `npm run synth [-- <cdk synth flags>]`: checks the configuration first and, when it is refused, prints the problems
 * alone and exits 2. Run by the CDK CLI, the app's own exit 2 would come back as the CLI's exit 1 with a
 * "Subprocess exited with error 2" line after the message. A valid configuration runs `cdk synth --quiet` with the
 * given flags and exits with its status.
 */
function main(): void {
  const repoRoot = path.resolve(__dirname, '..');
  const args = process.argv.slice(2);
  const problem = configProblem(process.env, synthContext(args, repoRoot));
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exit(BAD_CONFIG_EXIT);
  }
  const cdk = require.resolve('aws-cdk/bin/cdk', { paths: [repoRoot] });
  const result = spawnSync(process.execPath, [cdk, 'synth', '--quiet', ...args], { stdio: 'inherit' });
  if (result.error) throw result.error;
  // A signal ends the CLI: exit as a shell reports it (128 + the signal's number).
  const signals: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
  process.exit(result.status ?? 128 + (signals[result.signal ?? ''] ?? 1));
}

if (require.main === module) main();
