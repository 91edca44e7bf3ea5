import { Command, InvalidArgumentError, Option } from 'commander';
import { ROUTING_MODES, type RoutingMode } from '../config/shop-config';

/** What one drill run does. */
export interface DrillOptions {
  /** Non-interactive: plain output, fixed seed unless {@link seed} is given. */
  readonly ci: boolean;
  /** Folder of drill.json, drill.html and the reconcile reports. */
  readonly out: string;
  /** Shopper journeys started per second (each places at most one order). */
  readonly orderRate: number;
  /** Acknowledged orders stranded in the failing Region (written after replication is cut). */
  readonly lostWrites: number;
  /** Replay the recoverable lost writes on the new primary after the report. */
  readonly apply: boolean;
  /** Rebuild the failed Region and switch back to it after the recovery. */
  readonly failback: boolean;
  /** Seed of the shoppers (customer ids, products, quantities, addresses). */
  readonly seed: number;
  /**
   * How the runbooks move traffic and writers: `arc-cluster` (routing controls, then the runbook's own database
   * steps) or `region-switch` (the Region switch plan's blocks, run by the drill's local stand-in of the plan).
   */
  readonly routingMode: RoutingMode;
}

/** Limits of the numeric options, in the words of their error messages. */
export const DRILL_LIMITS = {
  orderRate: { min: 0.5, max: 50 },
  lostWrites: { min: 0, max: 500 },
  seed: { min: 0, max: 2_147_483_647 },
} as const;

/** Defaults of the options. */
export const DRILL_DEFAULTS = {
  out: 'drill-report',
  orderRate: 5,
  lostWrites: 5,
  ciSeed: 1,
  routingMode: 'arc-cluster',
} as const;

function numberIn(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const parsed = /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(
        `${JSON.stringify(value)} is not accepted; accepted: ${what} from ${min} to ${max}`,
      );
    }
    return parsed;
  };
}

function wholeIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(
        `${JSON.stringify(value)} is not accepted; accepted: a whole number from ${min} to ${max}`,
      );
    }
    return Number(value);
  };
}

function routingMode(value: string): RoutingMode {
  if (!(ROUTING_MODES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not accepted; accepted: ${ROUTING_MODES.map((m) => JSON.stringify(m)).join(' or ')}`,
    );
  }
  return value as RoutingMode;
}

function folder(value: string): string {
  if (value.trim() === '' || /[\0\n\r]/.test(value)) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not accepted; accepted: a folder path`);
  }
  return value;
}

/** The `drill` command line (commander), without an action: {@link parseDrillOptions} reads it. */
export function drillProgram(): Command {
  return new Command('drill')
    .description(
      'Rehearse the loss of the primary Region on this machine: two simulated Regions (real Postgres streaming ' +
        'replication, dynalite, the five services), shopper traffic through a front door, the failover runbook, ' +
        'the missing-transaction report, optional apply and failback. Writes <out>/drill.json and <out>/drill.html.',
    )
    .addOption(new Option('--ci', 'non-interactive: plain output, fixed seed (1) unless --seed is given'))
    .addOption(new Option('--out <folder>', 'where the reports go').default(DRILL_DEFAULTS.out).argParser(folder))
    .addOption(
      new Option('--order-rate <per-second>', 'shopper journeys (orders) started per second')
        .default(DRILL_DEFAULTS.orderRate)
        .argParser(numberIn(DRILL_LIMITS.orderRate.min, DRILL_LIMITS.orderRate.max, 'a number of orders per second')),
    )
    .addOption(
      new Option('--lost-writes <count>', 'acknowledged orders to strand in the failing Region')
        .default(DRILL_DEFAULTS.lostWrites)
        .argParser(wholeIn(DRILL_LIMITS.lostWrites.min, DRILL_LIMITS.lostWrites.max)),
    )
    .addOption(new Option('--apply', 'replay the recoverable lost writes on the new primary after the report'))
    .addOption(new Option('--failback', 'rebuild the failed Region and switch back to it at the end'))
    .addOption(
      new Option('--seed <n>', 'seed of the shoppers (default: 1 with --ci, else random and printed)').argParser(
        wholeIn(DRILL_LIMITS.seed.min, DRILL_LIMITS.seed.max),
      ),
    )
    .addOption(
      new Option(
        '--routing-mode <mode>',
        'how the runbooks move traffic: ARC routing controls or the Region switch plan',
      )
        .default(DRILL_DEFAULTS.routingMode)
        .argParser(routingMode),
    )
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(false);
}

/**
 * Parses the drill's arguments (without `node` and the script). Commander reports a bad value as
 * `option '--order-rate <per-second>' argument 'x' is invalid. "x" is not accepted; accepted: …` and exits 1
 * unless `exitOverride` is set on the program given.
 */
export function parseDrillOptions(
  argv: readonly string[],
  program: Command = drillProgram(),
  randomSeed: () => number = () => Math.floor(Math.random() * DRILL_LIMITS.seed.max),
): DrillOptions {
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{
    ci?: boolean;
    out: string;
    orderRate: number;
    lostWrites: number;
    apply?: boolean;
    failback?: boolean;
    seed?: number;
    routingMode: RoutingMode;
  }>();
  const ci = o.ci === true;
  return {
    ci,
    out: o.out,
    orderRate: o.orderRate,
    lostWrites: o.lostWrites,
    apply: o.apply === true,
    failback: o.failback === true,
    seed: o.seed ?? (ci ? DRILL_DEFAULTS.ciSeed : randomSeed()),
    routingMode: o.routingMode,
  };
}
