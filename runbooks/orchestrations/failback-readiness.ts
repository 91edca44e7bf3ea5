import { CheckFailedError, messageOf } from '../core/errors';
import { InputError } from '../core/input-error';
import type { InputFieldSpec, Step, StepContext } from '../core/step';
import type { AlarmFacts } from '../ports';
import type { ReadinessInput } from '../readiness/readiness-check';
import { otherRegion } from '../topology';
import { memberIn } from './global-database-state';
import { listField } from './input-fields';
import { everyWriterIn, recordedTargets, recordedUnknown } from './scale-to-peak';

/** Minutes of replication-lag metrics looked at (as the readiness check does). */
const LAG_WINDOW_MINUTES = 5;

/** The conditions a failback needs, in the order they are judged. */
export const FAILBACK_CONDITIONS = [
  'healthy-long-enough',
  'replication-caught-up',
  'canaries-green',
  'capacity-in-place',
] as const;

/** One condition of {@link FAILBACK_CONDITIONS}. */
export type FailbackCondition = (typeof FAILBACK_CONDITIONS)[number];

/**
 * The conditions the `overrides` input may waive. `replication-caught-up` is not one: the readiness gate that follows
 * requires it anyway, and Aurora switches over only to a member that is connected (raise `maxLagSeconds` instead).
 */
export const OVERRIDABLE_CONDITIONS: readonly FailbackCondition[] = [
  'healthy-long-enough',
  'canaries-green',
  'capacity-in-place',
];

/** The `overrides` value that waives every condition of {@link OVERRIDABLE_CONDITIONS}. */
export const OVERRIDE_ALL = 'all';

/** Input of `failback`: a planned move, and the failback readiness conditions the person running it waives. */
export interface FailbackInput extends ReadinessInput {
  /** Conditions of {@link OVERRIDABLE_CONDITIONS} to go on without (`all` is expanded to every one of them). */
  readonly overrides: readonly FailbackCondition[];
}

/** The `overrides` input field. */
export const OVERRIDES_INPUT: InputFieldSpec = {
  name: 'overrides',
  type: 'list',
  required: false,
  defaultText: 'none: every condition must hold',
  description: `Failback readiness conditions to go on without, comma-separated: ${OVERRIDABLE_CONDITIONS.join(', ')}, or ${OVERRIDE_ALL}. Recorded in the summary.`,
};

/** Parses `raw.overrides`: names of {@link OVERRIDABLE_CONDITIONS} or `all`; none when absent. */
export function parseOverrides(raw: Readonly<Record<string, unknown>>): readonly FailbackCondition[] {
  const accepted = [...OVERRIDABLE_CONDITIONS, OVERRIDE_ALL];
  const value = raw.overrides;
  const items = typeof value === 'string' ? value.split(',').map((v) => v.trim()) : Array.isArray(value) ? value : [];
  const fixed = items.find(
    (i) =>
      typeof i === 'string' &&
      i !== '' &&
      !accepted.includes(i) &&
      FAILBACK_CONDITIONS.includes(i as FailbackCondition),
  );
  if (fixed !== undefined) {
    throw new InputError(
      'overrides',
      `${JSON.stringify(fixed)} cannot be overridden (the readiness gate and Aurora's switchover require it; raise maxLagSeconds instead); accepted: ${accepted.join(', ')} (comma-separated)`,
    );
  }
  const chosen = listField(raw, 'overrides', accepted, []);
  return chosen.includes(OVERRIDE_ALL) ? [...OVERRIDABLE_CONDITIONS] : (chosen as FailbackCondition[]);
}

/** What one condition found: unmet reasons (empty when it holds) and what was read. */
interface ConditionResult {
  readonly unmet: string[];
  readonly notes: string[];
}

const minutesBetween = (from: Date, to: Date) => Math.floor((to.getTime() - from.getTime()) / 60_000);

async function readAlarms(
  ctx: StepContext<FailbackInput>,
  names: readonly string[],
): Promise<{ alarms?: Readonly<Record<string, AlarmFacts>>; error?: string }> {
  if (names.length === 0) return { alarms: {} };
  try {
    return { alarms: await ctx.ports.facts.alarms(ctx.input.targetRegion, names) };
  } catch (error) {
    return { error: messageOf(error) };
  }
}

/**
 * The returning Region's canary alarms and its readiness alarm all `OK`, and since at least `failbackHealthyMinutes`
 * (the alarm's `since`, when its state last changed). No alarm configured, or one missing, is unmet: how long the
 * Region has been healthy cannot be told then (fail closed).
 */
function healthyLongEnough(
  ctx: StepContext<FailbackInput>,
  names: readonly string[],
  read: { alarms?: Readonly<Record<string, AlarmFacts>>; error?: string },
): ConditionResult {
  const region = ctx.input.targetRegion;
  const minutes = ctx.topology.readiness.failbackHealthyMinutes;
  if (names.length === 0) {
    return {
      unmet: [`no canary or readiness alarm is configured for ${region}: how long it has been healthy cannot be told`],
      notes: [],
    };
  }
  if (!read.alarms) return { unmet: [`the alarms of ${region} cannot be read (${read.error})`], notes: [] };
  const now = ctx.ports.clock.now();
  const unmet: string[] = [];
  const notes: string[] = [];
  for (const name of names) {
    const alarm = read.alarms[name];
    if (!alarm) unmet.push(`alarm ${name} does not exist in ${region}`);
    else if (alarm.state !== 'OK') unmet.push(`alarm ${name} is ${alarm.state} since ${alarm.since.toISOString()}`);
    else if (minutesBetween(alarm.since, now) < minutes) {
      unmet.push(
        `alarm ${name} is OK only since ${alarm.since.toISOString()} (${minutesBetween(alarm.since, now)} min; needs ${minutes} min)`,
      );
    } else notes.push(`${name} OK for ${minutesBetween(alarm.since, now)} min`);
  }
  return { unmet, notes };
}

/** The returning Region's canary alarms all `OK` now. */
function canariesGreen(
  ctx: StepContext<FailbackInput>,
  names: readonly string[],
  read: { alarms?: Readonly<Record<string, AlarmFacts>>; error?: string },
): ConditionResult {
  const region = ctx.input.targetRegion;
  if (names.length === 0) return { unmet: [`no canary alarm is configured for ${region}`], notes: [] };
  if (!read.alarms) return { unmet: [`the canary alarms of ${region} cannot be read (${read.error})`], notes: [] };
  const unmet = names.flatMap((name) => {
    const alarm = read.alarms![name];
    if (!alarm) return [`canary alarm ${name} does not exist in ${region}`];
    return alarm.state === 'OK' ? [] : [`canary alarm ${name} is ${alarm.state}`];
  });
  return { unmet, notes: unmet.length === 0 ? [`${names.length} canary alarms OK`] : [] };
}

/** Every global database's member in the returning Region connected, available, its lag at most `maxLagSeconds`. */
async function replicationCaughtUp(ctx: StepContext<FailbackInput>): Promise<ConditionResult> {
  const region = ctx.input.targetRegion;
  const unmet: string[] = [];
  const notes: string[] = [];
  for (const db of ctx.topology.databases) {
    try {
      const member = memberIn(await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, region), region);
      if (!member) unmet.push(`${db.name}: no member in ${region}`);
      else if (member.isWriter) notes.push(`${db.name}: the writer is already in ${region}`);
      else if (member.synchronization === 'pending-resync')
        unmet.push(`${db.name}: ${member.clusterIdentifier} is pending-resync`);
      else {
        const lag = await ctx.ports.health.replicationLagSeconds(region, member.clusterIdentifier, LAG_WINDOW_MINUTES);
        if (lag === undefined)
          unmet.push(
            `${db.name}: no replication lag data for ${member.clusterIdentifier} in the last ${LAG_WINDOW_MINUTES} min`,
          );
        else if (lag > ctx.input.maxLagSeconds)
          unmet.push(`${db.name}: replication lag ${lag} s exceeds ${ctx.input.maxLagSeconds} s`);
        else notes.push(`${db.name} lag ${lag} s`);
      }
    } catch (error) {
      unmet.push(`${db.name}: cannot be read (${messageOf(error)})`);
    }
  }
  return { unmet, notes };
}

/**
 * Every service the scale-up raised runs at least its target (the scale-up's recorded targets), and none was left
 * unsized (the peak of the Region left unknown: its capacity cannot be told in place).
 */
async function capacityInPlace(ctx: StepContext<FailbackInput>): Promise<ConditionResult> {
  const region = ctx.input.targetRegion;
  const targets = recordedTargets(ctx);
  const cluster = ctx.topology.regions[region]?.ecsClusterName;
  if (!cluster || (ctx.topology.regions[region]?.services.length ?? 0) === 0) {
    return { unmet: [], notes: [`no ECS services in ${region}`] };
  }
  if (!targets && ctx.dryRun) {
    // A dry run raises nothing: there is no capacity to judge yet, and no reason to refuse for it.
    return { unmet: [], notes: [`judged once the scale-up of ${region} has run (a dry run raises nothing)`] };
  }
  if (!targets) return { unmet: [`the scale-up of ${region} recorded no targets`], notes: [] };
  const other = ctx.topology.regions[region] ? otherRegion(ctx.topology, region) : 'the other Region';
  const unsized = recordedUnknown(ctx).map((u) => `the peak of ${other} is unknown for ${u}`);
  const services = Object.keys(targets);
  if (services.length === 0) {
    return { unmet: unsized.length > 0 ? unsized : [`the scale-up of ${region} sized no service`], notes: [] };
  }
  try {
    const counts = await ctx.ports.capacity.describe(region, cluster, services);
    const unmet = [
      ...services
        .filter((s) => (counts[s]?.running ?? 0) < targets[s]!)
        .map((s) => `${s} runs ${counts[s]?.running ?? 'no'} tasks of its target ${targets[s]}`),
      ...unsized,
    ];
    return {
      unmet,
      notes:
        unmet.length === 0 ? [`${services.map((s) => `${s} ${counts[s]!.running}/${targets[s]}`).join(', ')}`] : [],
    };
  } catch (error) {
    return { unmet: [`the services of ${region} cannot be read (${messageOf(error)})`, ...unsized], notes: [] };
  }
}

/** Skips a failback readiness step once every writer is in the target Region, keeping what it recorded. */
async function moveHappened(ctx: StepContext<FailbackInput>, step: string) {
  if (!(await everyWriterIn(ctx))) {
    return { state: 'pending' as const, detail: 'a writer is still outside the target Region' };
  }
  const earlier = ctx.records[step]?.outputs;
  return {
    state: 'done' as const,
    detail: `every writer is already in ${ctx.input.targetRegion}`,
    ...(earlier ? { outputs: earlier } : {}),
  };
}

/**
 * Refuses, naming every unmet condition the input does not override; returns the notes, the overridden lines
 * (`OVERRIDDEN …`) and output `overridden` (the waived conditions, for the summary).
 */
function judge(
  ctx: StepContext<FailbackInput>,
  results: Partial<Record<FailbackCondition, ConditionResult>>,
): { detail: string; outputs: { overridden: string } } {
  const refused: string[] = [];
  const waived: string[] = [];
  const notes: string[] = [];
  for (const condition of FAILBACK_CONDITIONS) {
    const result = results[condition];
    if (!result) continue;
    if (result.unmet.length === 0) {
      notes.push(`${condition}: ${result.notes.join(', ') || 'ok'}`);
      continue;
    }
    const lines = result.unmet.map((u) => `${condition}: ${u}`);
    if (ctx.input.overrides.includes(condition)) {
      waived.push(condition);
      notes.push(...lines.map((l) => `OVERRIDDEN ${l}`));
    } else refused.push(...lines);
  }
  if (refused.length > 0) {
    const unmet = FAILBACK_CONDITIONS.filter((c) => refused.some((r) => r.startsWith(`${c}:`)));
    const overridable = unmet.filter((c) => OVERRIDABLE_CONDITIONS.includes(c));
    throw new CheckFailedError(
      refused,
      `${ctx.input.targetRegion} is not ready for a failback; unmet: ${unmet.join(', ')}${overridable.length > 0 ? ` (to go on anyway once judged safe: overrides=${[...ctx.input.overrides, ...overridable].join(',')})` : ''}`,
    );
  }
  return { detail: notes.join('; '), outputs: { overridden: waived.join(',') } };
}

/**
 * Failback readiness, judged before anything changes: the returning Region healthy for `failbackHealthyMinutes` (its
 * canary alarms and readiness alarm `OK` since then), its databases' members caught up, its canaries green. Refuses,
 * naming each unmet condition, unless the `overrides` input lists it; output `overridden` names the unmet conditions
 * that were waived (the summary records it). Its check skips it once every writer is in the target Region.
 */
export function checkFailbackReadiness(): Step<FailbackInput> {
  const name = 'check-failback-readiness';
  return {
    name,
    kind: 'check',
    title: 'The returning Region has been healthy long enough, is caught up and its canaries are green',
    uses: ['facts.alarms', 'globalDatabase.describe', 'health.replicationLagSeconds'],
    describe: (ctx) =>
      `judge healthy-long-enough (${ctx.topology.readiness.failbackHealthyMinutes} min), replication-caught-up, canaries-green for ${ctx.input.targetRegion}${ctx.input.overrides.length > 0 ? ` (overrides: ${ctx.input.overrides.join(', ')})` : ''}`,
    check: (ctx) => moveHappened(ctx, name),
    run: async (ctx) => {
      const settings = ctx.topology.regions[ctx.input.targetRegion];
      const canaries = settings?.canaryAlarmNames ?? [];
      const healthAlarms = [
        ...new Set([...canaries, ...(settings?.readinessAlarmName ? [settings.readinessAlarmName] : [])]),
      ];
      const alarms = await readAlarms(ctx, healthAlarms);
      return judge(ctx, {
        'healthy-long-enough': healthyLongEnough(ctx, healthAlarms, alarms),
        'replication-caught-up': await replicationCaughtUp(ctx),
        'canaries-green': canariesGreen(ctx, canaries, alarms),
      });
    },
  };
}

/**
 * Failback capacity, judged after the scale-up and before anything moves: every service the scale-up raised runs its
 * target (`capacity-in-place`). Refuses unless the `overrides` input lists it.
 */
export function checkFailbackCapacity(): Step<FailbackInput> {
  const name = 'check-failback-capacity';
  return {
    name,
    kind: 'check',
    title: "The returning Region's raised services run their targets",
    uses: ['globalDatabase.describe', 'capacity.describe'],
    describe: (ctx) =>
      `judge capacity-in-place for ${ctx.input.targetRegion}${ctx.input.overrides.includes('capacity-in-place') ? ' (overridden)' : ''}`,
    check: (ctx) => moveHappened(ctx, name),
    run: async (ctx) => judge(ctx, { 'capacity-in-place': await capacityInPlace(ctx) }),
  };
}
