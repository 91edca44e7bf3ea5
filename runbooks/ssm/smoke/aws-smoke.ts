import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Command, CommanderError, Option } from 'commander';
import { messageOf } from '../../core/errors';
import { runSmoke, type SmokeDependencies, type SmokeOptions, type SmokeResult } from './smoke-run';
import { type BehaviourVerdict, INFORMATIONAL_BEHAVIOURS } from './smoke-verdicts';

/** Exit codes: 0 every behaviour confirmed and everything deleted, 1 otherwise, 2 bad usage, 130 interrupted. */
export const SMOKE_EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Where the CLI writes, and what it builds its clients and waits with (tests replace them). */
export interface SmokeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** @default - SDK v3 clients for the Region (credentials from the usual chain: AWS_PROFILE, SSO, …) */
  readonly clients?: (region: string) => Pick<SmokeDependencies, 'cloudFormation' | 'ssm'>;
  readonly sleep?: SmokeDependencies['sleep'];
  readonly now?: () => number;
  /** Aborted on Ctrl-C. */
  readonly signal?: AbortSignal;
  /** @default - `mrs-ssm-smoke-` and 6 random hex digits */
  readonly defaultStackName?: string;
}

class UsageError extends Error {}

const FLAGS = ['--region', '--stack-name', '--timeout-minutes', '--poll-seconds', '--help'];

/** `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`. */
function regionName(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) {
    throw new UsageError(
      `option '--region <region>': "${value}" is not a Region name; accepted: a Region such as us-east-1`,
    );
  }
  return value;
}

/** A CloudFormation stack name that also prefixes the SSM document and parameter names. */
function stackName(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]{2,63}$/.test(value)) {
    throw new UsageError(
      `option '--stack-name <name>': "${value}" is not accepted; accepted: 3 to 64 letters, digits and hyphens, starting with a letter`,
    );
  }
  return value;
}

function wholeNumber(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new UsageError(
        `option '${flag}': "${value}" is out of range; accepted: a whole number from ${min} to ${max}`,
      );
    }
    return n;
  };
}

const VERDICT_WIDTH = 'could not decide'.length + 2;

/** The report: one block per behaviour. */
export function formatVerdicts(verdicts: readonly BehaviourVerdict[]): string[] {
  return verdicts.flatMap((v) => [
    `${v.verdict.padEnd(VERDICT_WIDTH)}${v.id}: ${v.behaviour}`,
    `${' '.repeat(VERDICT_WIDTH)}${v.evidence}`,
  ]);
}

function report(result: SmokeResult, options: SmokeOptions, io: SmokeIo): number {
  if (result.verdicts.length > 0) {
    io.stdout('');
    io.stdout(
      `SSM Automation behaviours in ${options.region} (runbooks/README.md, "Unverified AWS behaviour", item 8):`,
    );
    for (const line of formatVerdicts(result.verdicts)) io.stdout(line);
  }
  if (result.leftBehind.length > 0) {
    io.stderr('Could not delete (delete by hand):');
    for (const item of result.leftBehind) io.stderr(`  - ${item}`);
  }
  if (result.interrupted) return SMOKE_EXIT.interrupted;
  if (result.stopped) {
    io.stderr(`error: the smoke test stopped: ${result.stopped}`);
    return SMOKE_EXIT.failed;
  }
  // Behaviours the documents no longer use are reported but do not fail the run.
  const settled = result.verdicts
    .filter((v) => !INFORMATIONAL_BEHAVIOURS.includes(v.id))
    .every((v) => v.verdict === 'confirmed');
  const counts = ['confirmed', 'contradicted', 'could not decide'].map(
    (verdict) => `${result.verdicts.filter((v) => v.verdict === verdict).length} ${verdict}`,
  );
  io.stdout('');
  io.stdout(counts.join(', '));
  return settled && result.leftBehind.length === 0 ? SMOKE_EXIT.ok : SMOKE_EXIT.failed;
}

/**
 * `npm run aws:smoke -- --region <r>`: checks, in a sandbox account, the SSM Automation behaviours the runbook
 * documents rest on that the documentation does not state, and the old patterns the review asked about. Returns the
 * exit code.
 */
export async function main(argv: readonly string[], io: SmokeIo): Promise<number> {
  const program = new Command('aws:smoke')
    .description(
      'Deploy a throwaway stack and SSM documents in a sandbox account, run them, print each SSM Automation behaviour as confirmed / contradicted / could not decide, and delete everything (also on failure and Ctrl-C).',
    )
    .addOption(new Option('--region <region>', 'the Region to check (a sandbox account)').makeOptionMandatory())
    .option('--stack-name <name>', 'name of the throwaway stack (prefixes the documents and parameters)')
    .option('--timeout-minutes <minutes>', 'how long to wait for the stack and the executions', '20')
    .option('--poll-seconds <seconds>', 'seconds between two status reads', '5')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: () => {} });
  let options: SmokeOptions;
  try {
    program.parse([...argv], { from: 'user' });
    const raw = program.opts<{ region: string; stackName?: string; timeoutMinutes: string; pollSeconds: string }>();
    options = {
      region: regionName(raw.region),
      stackName: stackName(raw.stackName ?? io.defaultStackName ?? `mrs-ssm-smoke-${randomBytes(3).toString('hex')}`),
      timeoutMinutes: wholeNumber('--timeout-minutes <minutes>', 1, 120)(raw.timeoutMinutes),
      pollSeconds: wholeNumber('--poll-seconds <seconds>', 1, 60)(raw.pollSeconds),
    };
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return SMOKE_EXIT.ok;
      const accepted = error.code === 'commander.unknownOption' ? `; accepted: ${FLAGS.join(', ')}` : '';
      io.stderr(`${error.message}${accepted}`);
      return SMOKE_EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}`);
      return SMOKE_EXIT.usage;
    }
    throw error;
  }
  const clients = io.clients?.(options.region) ?? {
    cloudFormation: new CloudFormationClient({ region: options.region }),
    ssm: new SSMClient({ region: options.region }),
  };
  try {
    const result = await runSmoke(options, {
      ...clients,
      log: io.stdout,
      sleep: io.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {})),
      now: io.now ?? Date.now,
      ...(io.signal ? { signal: io.signal } : {}),
    });
    return report(result, options, io);
  } catch (error) {
    io.stderr(`error: ${messageOf(error)}`);
    return SMOKE_EXIT.failed;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nInterrupted: deleting what the smoke test created (Ctrl-C again to leave it)\n');
      controller.abort();
    } else {
      process.stderr.write('Left the throwaway stack and documents in place: delete them by hand\n');
      process.exit(SMOKE_EXIT.interrupted);
    }
  });
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(`${s}\n`),
    stderr: (s) => process.stderr.write(`${s}\n`),
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
