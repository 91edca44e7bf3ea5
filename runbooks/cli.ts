import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { demoTopology } from './adapters/local/demo-topology';
import { createLocalPorts } from './adapters/local/local-ports';
import { FileWorldStore, initialWorld } from './adapters/local/simulated-world';
import { SystemClock } from './adapters/system-clock';
import { runOrchestration } from './core/engine';
import { messageOf } from './core/errors';
import { InputError } from './core/input-error';
import { makeFolder } from './core/make-folder';
import { formatProgress } from './core/progress-event';
import type { AnyOrchestration, InputFieldSpec } from './core/step';
import { ORCHESTRATION_NAMES, ORCHESTRATIONS } from './orchestrations';
import type { ClockPort, RunbookPorts } from './ports';
import { registerReconcileCommands } from './reconcile/cli-commands';
import { runHeadline } from './run-headline';
import { automationDocument } from './ssm/automation-document';
import { parseTopology, type Topology, TopologyError } from './topology';

/** Where the CLI writes and what it reads; replaced in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** @default - the system clock */
  readonly clock?: ClockPort;
}

/** Exit codes: 0 success (or a clean plan), 1 the runbook failed, 2 invalid usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage error the CLI reports with exit code 2. */
class UsageError extends Error {}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const PLACEHOLDER: Readonly<Record<InputFieldSpec['type'], string>> = {
  region: '<region>',
  number: '<seconds>',
  timestamp: '<iso-time>',
  list: '<names>',
};
const flagOf = (field: InputFieldSpec) => `--${kebab(field.name)} ${PLACEHOLDER[field.type]}`;

interface CommonOptions {
  adapter: 'aws' | 'local';
  dryRun?: boolean;
  reason?: string;
  topology?: string;
  stateDir: string;
  executionId?: string;
  pollSeconds?: string;
  waitTimeoutMinutes?: string;
  bucket?: string;
  region?: string;
}

function loadTopology(file: string | undefined, cwd: string): Topology {
  if (!file) return demoTopology();
  const full = path.resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(full, 'utf8'));
  } catch (error) {
    throw new UsageError(`option '--topology <file>': cannot read ${full} as JSON (${messageOf(error)})`);
  }
  try {
    return parseTopology(raw, full);
  } catch (error) {
    if (error instanceof TopologyError) throw new UsageError(`option '--topology <file>': ${error.message}`);
    throw error;
  }
}

function positive(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new UsageError(`option '${flag}': ${JSON.stringify(value)} is not a positive number`);
  }
  return parsed;
}

async function portsFor(
  options: CommonOptions,
  topology: Topology,
  target: string | undefined,
  io: CliIo,
  clock: ClockPort,
): Promise<RunbookPorts> {
  if (options.adapter === 'local') {
    return createLocalPorts({ topology, clock, stateDir: stateDirFor(options.stateDir, io) }).ports;
  }
  if (!options.topology) {
    throw new UsageError(
      "option '--topology <file>' is required with --adapter aws (the simulated topology is for --adapter local)",
    );
  }
  const bucket = options.bucket ?? io.env.RUNBOOK_BUCKET;
  if (!bucket)
    throw new UsageError(
      "option '--bucket <name>' (or RUNBOOK_BUCKET) is required with --adapter aws: the runbook's report bucket",
    );
  const region = options.region ?? io.env.AWS_REGION ?? target;
  if (!region) throw new UsageError("option '--region <region>' (or AWS_REGION) is required with --adapter aws");
  // Loaded only here: the AWS SDK clients take a second to load, which --help, local runs and reconcile never need.
  const { createAwsPorts } = require('./adapters/aws/aws-ports') as typeof import('./adapters/aws/aws-ports');
  return createAwsPorts({ topology, clock, region, bucket });
}

async function runCommand(
  orchestration: AnyOrchestration,
  options: CommonOptions & Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const clock = io.clock ?? new SystemClock();
  const topology = loadTopology(options.topology, io.cwd);
  const raw = Object.fromEntries(
    orchestration.inputs.flatMap((f) => (options[f.name] === undefined ? [] : [[f.name, options[f.name]]])),
  );
  let input: unknown;
  try {
    input = orchestration.parseInput(raw, topology);
  } catch (error) {
    if (error instanceof InputError) {
      const field = orchestration.inputs.find((f) => f.name === error.field);
      throw new UsageError(`option '${field ? flagOf(field) : `--${kebab(error.field)}`}': ${error.problem}`);
    }
    throw error;
  }
  if (orchestration.mutates && !options.dryRun && !options.reason?.trim()) {
    throw new UsageError(
      `option '--reason <text>' is required for ${orchestration.name} (unless --dry-run): say why it runs`,
    );
  }
  const local = options.adapter === 'local';
  const target = (input as { targetRegion?: string }).targetRegion;
  const ports = await portsFor(options, topology, target, io, clock);
  const result = await runOrchestration({
    orchestration,
    input,
    topology,
    ports,
    dryRun: options.dryRun ?? false,
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.executionId ? { executionId: options.executionId } : {}),
    settings: {
      pollIntervalSeconds: positive(options.pollSeconds, '--poll-seconds <seconds>', local ? 0.5 : 15),
      waitTimeoutSeconds: positive(options.waitTimeoutMinutes, '--wait-timeout-minutes <minutes>', 30) * 60,
    },
    retryDelayMs: local ? 100 : 2000,
    onProgress: (event) => io.stdout(formatProgress(event)),
  });
  for (const line of runHeadline(result, input, options.adapter ?? 'aws')) io.stdout(line);
  if (result.status === 'failed') {
    io.stderr(`${orchestration.name} failed at ${result.error?.step}: ${result.error?.message}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

function addCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--adapter <adapter>', 'aws: act on AWS; local: a simulated two-Region world (demos)')
        .choices(['aws', 'local'])
        .makeOptionMandatory(),
    )
    .option('--dry-run', 'print the plan and run the read-only checks; change nothing')
    .option(
      '--reason <text>',
      'why this runs (required unless --dry-run or read-only); kept in the journal and the summary',
    )
    .option('--topology <file>', 'topology JSON (required with --adapter aws; default with local: a demo topology)')
    .option(
      '--execution-id <id>',
      'execution to resume (default: the latest unfinished one with the same input, else a new one)',
    )
    .option('--poll-seconds <seconds>', 'seconds between polls of a wait (default: 15 aws, 0.5 local)')
    .option('--wait-timeout-minutes <minutes>', 'longest wait for a failover or switchover (default: 30)')
    .option('--bucket <name>', 'aws: the runbook report bucket (default: $RUNBOOK_BUCKET)')
    .option(
      '--region <region>',
      'aws: the Region whose bucket holds journals and reports (default: $AWS_REGION, else the target Region)',
    )
    .option('--state-dir <dir>', 'local: where the simulated world, journals and reports live', '.local/runbooks');
}

/**
 * The `--state-dir` folder, resolved against the working directory and created at once (one folder at a time: a
 * recursive mkdir spins forever under /proc), so a place that cannot be created is a usage error naming the flag,
 * the value and why.
 */
function stateDirFor(value: string, io: CliIo): string {
  const dir = path.resolve(io.cwd, value);
  try {
    makeFolder(dir);
  } catch (error) {
    throw new UsageError(
      `--state-dir: ${JSON.stringify(value)} cannot be created (${(error as Error).message ?? String(error)}); accepted: a folder that can be created and written`,
    );
  }
  return dir;
}

/** Builds the `runbook` program; `setCode` receives each action's exit code. */
export function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('runbook')
    .description(
      'Failover runbooks of multi-region-shop: readiness, failover, switchover, failback, recover.\n' +
        'Every orchestration checks the state before each action, so running it again resumes without repeating one.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) })
    .showHelpAfterError('(run with --help for usage)');

  for (const name of ORCHESTRATION_NAMES) {
    const orchestration = ORCHESTRATIONS[name]!;
    const command = program.command(name).description(orchestration.title);
    for (const field of orchestration.inputs) {
      command.option(
        flagOf(field),
        `${field.description}${field.required ? ' (required)' : ''}${field.defaultText ? ` (default: ${field.defaultText})` : ''}`,
      );
    }
    addCommonOptions(command).action(async (options: CommonOptions & Record<string, unknown>) => {
      setCode(await runCommand(orchestration, options, io));
    });
  }

  program
    .command('document')
    .description('Print the SSM Automation document generated for an orchestration')
    .argument('<orchestration>', `one of ${ORCHESTRATION_NAMES.join(', ')}`)
    .option('--topology <file>', 'topology JSON (default: the demo topology)')
    .option('--step-function <name>', 'Lambda function for steps', 'runbook-step')
    .option('--database-function <name>', 'Lambda function for database steps', 'runbook-database-step')
    .option('--automation-role <arn>', 'role SSM assumes', 'arn:aws:iam::000000000000:role/runbook-automation')
    .action(
      (
        name: string,
        options: { topology?: string; stepFunction: string; databaseFunction: string; automationRole: string },
      ) => {
        const orchestration = ORCHESTRATIONS[name];
        if (!orchestration) {
          throw new UsageError(
            `argument 'orchestration': ${JSON.stringify(name)} is not an orchestration; accepted: ${ORCHESTRATION_NAMES.join(', ')}`,
          );
        }
        const document = automationDocument(orchestration, loadTopology(options.topology, io.cwd), {
          stepFunction: options.stepFunction,
          databaseFunction: options.databaseFunction,
          automationRoleArn: options.automationRole,
        });
        io.stdout(JSON.stringify(document, null, 2));
        setCode(EXIT.ok);
      },
    );

  program
    .command('simulate')
    .description('Change the simulated world of --adapter local: take a Region down, bring it back, or start over')
    .addArgument(new Command().createArgument('<event>', 'what happens').choices(['region-down', 'region-up', 'reset']))
    .argument('[region]', 'the Region (for region-down and region-up)')
    .option('--topology <file>', 'topology JSON (default: the demo topology)')
    .option('--state-dir <dir>', 'where the simulated world lives', '.local/runbooks')
    .action((event: string, region: string | undefined, options: { topology?: string; stateDir: string }) => {
      const topology = loadTopology(options.topology, io.cwd);
      const dir = stateDirFor(options.stateDir, io);
      if (event === 'reset') {
        new FileWorldStore(path.join(dir, 'world.json')).write(initialWorld(topology));
        io.stdout(`simulated world reset: writers and traffic in ${topology.primaryRegion}`);
        setCode(EXIT.ok);
        return;
      }
      const regions = [topology.primaryRegion, topology.standbyRegion];
      if (!region || !regions.includes(region)) {
        throw new UsageError(
          `argument 'region': ${JSON.stringify(region ?? '')} is not a Region of this topology; accepted: ${regions.join(' or ')}`,
        );
      }
      const { world } = createLocalPorts({ topology, clock: io.clock ?? new SystemClock(), stateDir: dir });
      if (event === 'region-down') world.regionDown(region);
      else world.regionUp(region);
      io.stdout(`simulated ${event} in ${region}`);
      setCode(EXIT.ok);
    });

  // reconcile / apply: the missing-transaction report on its own (runbooks/reconcile owns them).
  registerReconcileCommands(program);
  return program;
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}`);
      return EXIT.usage;
    }
    io.stderr(`error: ${messageOf(error)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(`${s}\n`),
    stderr: (s) => process.stderr.write(`${s}\n`),
    env: process.env,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
