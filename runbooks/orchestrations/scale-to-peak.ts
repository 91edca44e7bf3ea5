import { messageOf, NonRetriableError, RetriableError, WaitTimeoutError } from '../core/errors';
import type { Step, StepContext } from '../core/step';
import { waitUntil } from '../core/wait-until';
import type { ScalingLimits, ServiceCount } from '../ports';
import { parseReadinessRecord, READINESS_LATEST_KEY } from '../readiness/readiness-record';
import { otherRegion } from '../topology';
import { within } from './capacity-steps';
import type { TargetInput } from './database-steps';

/** Longest the read of the other Region's peak may take before the stored readiness record is used instead. */
export const PEAK_READ_BUDGET_MS = 5000;

/** Longest the read of this Region's stored readiness record may take. */
const RECORD_READ_BUDGET_MS = 5000;

/**
 * `unplanned` (failover): bounded by `readiness.scaleUpBudgetSeconds`, never fails, traffic moves anyway and the
 * step says what was short. `planned` (switchover): bounded by `readiness.scaleUpTimeoutSeconds`, fails closed
 * before anything moved. `judged` (failback): planned, but a shortfall at the timeout, and a service whose peak is
 * unknown, are left to the failback readiness (its `capacity-in-place` condition, which the `overrides` input may
 * waive).
 */
export type ScaleUpMode = 'unplanned' | 'planned' | 'judged';

/** The step that raises the target Region's services (its outputs hold the targets). */
export const SCALE_TO_PEAK_STEP = 'scale-to-peak';

/** Where a service's peak came from. */
type PeakSource = 'live' | 'record';

/** What one service of the target Region is raised to, and why. */
export interface ServiceTarget {
  readonly service: string;
  /** The other Region's peak running tasks over `peakWindowHours`. */
  readonly peak: number;
  readonly source: PeakSource;
  /** ceil(peakSharePercent% × peak), capped at the scaling maximum. */
  readonly target: number;
  /** The uncapped share, when the maximum capped it. */
  readonly cappedFrom?: number;
  /** The service's scaling range; undefined when it has no scalable target (only the desired count is raised). */
  readonly limits?: ScalingLimits;
  readonly count?: ServiceCount;
}

/** What a scale-up found: the targets, the services whose peak is unknown, and how the peak was read. */
export interface ScalePlan {
  readonly region: string;
  readonly cluster: string;
  readonly otherRegion: string;
  readonly targets: readonly ServiceTarget[];
  /** Services with no peak from either source, with why. */
  readonly unknown: readonly string[];
  /** How the peak was read (live, or the record and its age), one sentence each. */
  readonly notes: readonly string[];
}

/** The ECS cluster and services of the target Region, or undefined when the topology names none. */
function targetServices(ctx: StepContext<TargetInput>): { cluster: string; services: string[] } | undefined {
  const settings = ctx.topology.regions[ctx.input.targetRegion];
  if (!settings?.ecsClusterName || settings.services.length === 0) return undefined;
  return { cluster: settings.ecsClusterName, services: [...settings.services] };
}

/** `4 min`, `3 h 20 min`, `2 d 5 h`. */
function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** Milliseconds of real time left until `deadline` (a `performance.now()` value), at most `cap`, never below 0. */
function leftOf(deadline: number | undefined, cap: number, share = 1): number {
  if (deadline === undefined) return cap;
  return Math.min(cap, Math.max(0, Math.floor((deadline - performance.now()) * share)));
}

/** `5 s`, `1.5 s`. */
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * The other Region's peak running tasks per service: from its CloudWatch (Container Insights `RunningTaskCount`)
 * within {@link PEAK_READ_BUDGET_MS}; for a service it did not give, from this Region's latest readiness record
 * (`otherRegionPeak`, the scheduled readiness read it while that Region answered). With a `deadline` (an unplanned
 * scale-up's budget, in real time) the live read takes at most half of what is left, so the record can still be read.
 */
async function readPeaks(
  ctx: StepContext<TargetInput>,
  cluster: string,
  services: readonly string[],
  deadline?: number,
): Promise<{ peaks: Map<string, { tasks: number; source: PeakSource }>; unknown: string[]; notes: string[] }> {
  const other = otherRegion(ctx.topology, ctx.input.targetRegion);
  const hours = ctx.topology.readiness.peakWindowHours;
  const otherCluster = ctx.topology.regions[other]?.ecsClusterName ?? cluster;
  const peaks = new Map<string, { tasks: number; source: PeakSource }>();
  const notes: string[] = [];
  let liveProblem = '';
  const liveMs = leftOf(deadline, PEAK_READ_BUDGET_MS, 0.5);
  const live = await within(
    liveMs,
    ctx.ports.facts.peakRunningTasks(other, otherCluster, services, hours).then(
      (value) => ({ value }),
      (error: unknown) => ({ error: messageOf(error) }),
    ),
  );
  if (!live.done) liveProblem = `no answer within ${seconds(liveMs)}`;
  else if ('error' in live.value) liveProblem = live.value.error;
  else {
    const invalid: string[] = [];
    for (const service of services) {
      const tasks = live.value.value[service];
      // Only a whole, finite, non-negative count is a peak: NaN compares false with every bound, Infinity caps to
      // the maximum, a negative count is no peak (review R1).
      if (typeof tasks === 'number' && Number.isFinite(tasks) && tasks >= 0) {
        peaks.set(service, { tasks: Math.ceil(tasks), source: 'live' });
      } else if (tasks !== undefined) invalid.push(`${service} ${tasks}`);
    }
    const read = services.filter((s) => peaks.has(s));
    if (read.length > 0) notes.push(`peak of ${other} over ${hours} h read from its CloudWatch for ${read.join(', ')}`);
    if (read.length < services.length) {
      liveProblem =
        invalid.length > 0
          ? `no RunningTaskCount data point, or one that is not a number of tasks (${invalid.join(', ')})`
          : 'no RunningTaskCount data point';
    }
  }
  const missing = services.filter((s) => !peaks.has(s));
  if (missing.length === 0) return { peaks, unknown: [], notes };

  let recordProblem = '';
  const recordMs = leftOf(deadline, RECORD_READ_BUDGET_MS);
  const stored = await within(
    recordMs,
    ctx.ports.reports.getJson(READINESS_LATEST_KEY).then(
      (value) => ({ value }),
      (error: unknown) => ({ error: messageOf(error) }),
    ),
  );
  if (!stored.done) recordProblem = `no answer within ${seconds(recordMs)}`;
  else if ('error' in stored.value) recordProblem = stored.value.error;
  else if (stored.value.value === undefined) recordProblem = `there is no ${READINESS_LATEST_KEY}`;
  else {
    try {
      const record = parseReadinessRecord(stored.value.value, READINESS_LATEST_KEY);
      const peak = record.otherRegionPeak;
      if (!peak) recordProblem = `${READINESS_LATEST_KEY} has no otherRegionPeak`;
      else if (peak.region !== other) {
        recordProblem = `${READINESS_LATEST_KEY} holds the peak of ${peak.region}, not of ${other}`;
      } else {
        const from = missing.filter((s) => peak.tasks[s] !== undefined);
        for (const service of from) peaks.set(service, { tasks: peak.tasks[service]!, source: 'record' });
        const howOld = age(ctx.ports.clock.now().getTime() - Date.parse(peak.measuredAt));
        if (from.length > 0) {
          notes.push(
            `peak of ${other} over ${peak.hours} h taken from the readiness record (measured ${peak.measuredAt}, ${howOld} old) for ${from.join(', ')}`,
          );
        }
        if (from.length < missing.length) recordProblem = `${READINESS_LATEST_KEY} has no peak for them`;
      }
    } catch (error) {
      recordProblem = messageOf(error).split('\n').join(' ');
    }
  }
  const unknown = services
    .filter((s) => !peaks.has(s))
    .map((s) => `${s} (CloudWatch of ${other}: ${liveProblem}; readiness record: ${recordProblem})`);
  return { peaks, unknown, notes };
}

/**
 * The scale-up of the target Region: per service ceil(peakSharePercent% × the other Region's peak), capped at its
 * scaling maximum, with its current counts and range. Reads only. `deadline`: see {@link readPeaks}.
 */
export async function planScaleUp(ctx: StepContext<TargetInput>, deadline?: number): Promise<ScalePlan | undefined> {
  const found = targetServices(ctx);
  if (!found) return undefined;
  const region = ctx.input.targetRegion;
  const { cluster, services } = found;
  const share = ctx.topology.readiness.peakSharePercent;
  const [{ peaks, unknown, notes }, limits, counts] = await Promise.all([
    readPeaks(ctx, cluster, services, deadline),
    ctx.ports.facts.scalingLimits(region, cluster, services),
    ctx.ports.capacity.describe(region, cluster, services),
  ]);
  const targets: ServiceTarget[] = [];
  for (const service of services) {
    const peak = peaks.get(service);
    if (!peak) continue;
    // Integer arithmetic: (share × peak) / 100 is exact before the ceiling (0.3 × 10 in floating point is 3.0000…4).
    const wanted = Math.ceil((share * peak.tasks) / 100);
    // A scaling range that is not a pair of finite numbers is no range: it caps nothing (NaN would make the target NaN).
    const read = limits[service];
    const range = read && Number.isFinite(read.min) && Number.isFinite(read.max) ? read : undefined;
    const target = range ? Math.min(wanted, range.max) : wanted;
    targets.push({
      service,
      peak: peak.tasks,
      source: peak.source,
      target,
      ...(target < wanted ? { cappedFrom: wanted } : {}),
      ...(range ? { limits: range } : {}),
      ...(counts[service] ? { count: counts[service] } : {}),
    });
  }
  return { region, cluster, otherRegion: otherRegion(ctx.topology, region), targets, unknown, notes };
}

/** What a target still needs: a higher scaling minimum, a higher desired count (never lowered). */
function pendingOf(t: ServiceTarget): { minimum: boolean; desired: boolean } {
  return {
    minimum: t.limits !== undefined && t.limits.min < t.target,
    desired: (t.count?.desired ?? 0) < t.target,
  };
}

const describeTarget = (t: ServiceTarget) =>
  `${t.service} ${t.target}${t.cappedFrom !== undefined ? ` (capped at its maximum; ${t.cappedFrom} wanted)` : ''}`;

/** `{"ui":4,"orders":6}`: the targets as a step output (the wait and the failback readiness read it). */
function targetsOutput(plan: ScalePlan): string {
  return JSON.stringify(Object.fromEntries(plan.targets.map((t) => [t.service, t.target])));
}

/**
 * The services {@link scaleToPeak} could not size in `judged` mode (the peak unknown), with why, as it recorded them
 * (output `unknown`, a JSON list); empty when none.
 */
export function recordedUnknown(ctx: StepContext<unknown>): readonly string[] {
  const value = ctx.optionalOutput(SCALE_TO_PEAK_STEP, 'unknown');
  return typeof value === 'string' && value !== '' ? (JSON.parse(value) as string[]) : [];
}

/** The targets {@link scaleToPeak} recorded, or undefined when it recorded none. */
export function recordedTargets(ctx: StepContext<unknown>): Readonly<Record<string, number>> | undefined {
  const value = ctx.optionalOutput(SCALE_TO_PEAK_STEP, 'targets');
  if (typeof value !== 'string') return undefined;
  return JSON.parse(value) as Record<string, number>;
}

function missingPeakError(plan: ScalePlan): NonRetriableError {
  return new NonRetriableError(
    `the scale-up of ${plan.region} cannot be sized, nothing was moved: the peak of ${plan.otherRegion} is unknown for ${plan.unknown.join('; ')}. ` +
      'Run again once its CloudWatch answers or the scheduled readiness has written a record with otherRegionPeak',
  );
}

/**
 * The plan a {@link scaleToPeak} check made, for the run that follows it with the same context (the engine hands
 * one context to a step's check and its run; a retry checks again and replaces it).
 */
const checkedPlans = new WeakMap<object, ScalePlan>();

/** A plan being made, settled: its value or the error's message. */
type Planning = Promise<{ value: ScalePlan | undefined } | { error: string }>;

/**
 * An unplanned scale-up's budget, shared by its check and its run: when it ends (`performance.now()`, real time:
 * the bounds are timers, see {@link within}) and the plan its check started, which the run awaits for what is left
 * instead of reading the failed Region's peak again.
 */
const unplannedBudgets = new WeakMap<object, { deadline: number; planning: Planning }>();

function settledPlan(ctx: StepContext<TargetInput>, deadline: number): Planning {
  return planScaleUp(ctx, deadline).then(
    (value) => ({ value }),
    (error: unknown) => ({ error: messageOf(error) }),
  );
}

/** Whether every global database's writer is in the target Region, with no move in progress. */
export async function everyWriterIn(ctx: StepContext<TargetInput>): Promise<boolean> {
  for (const db of ctx.topology.databases) {
    const state = await ctx.ports.globalDatabase.describe(db.globalClusterIdentifier, ctx.input.targetRegion);
    if (state.failover || !state.members.some((m) => m.isWriter && m.region === ctx.input.targetRegion)) return false;
  }
  return true;
}

/**
 * Raises the target Region's services (all of them, not only the database writers) BEFORE traffic moves, so it can
 * take the other Region's load: each to ceil(`peakSharePercent`% × the other Region's `peakWindowHours` peak),
 * capped at its scaling maximum, by raising its autoscaling minimum (`RegisterScalableTarget` MinCapacity) and its
 * desired count, all services in parallel. A count is never lowered. AWS: "Application Auto Scaling scaling policies
 * will not scale capacity to values that are outside of the minimum and maximum range" (API_RegisterScalableTarget):
 * the raised minimum keeps a scale-in policy from undoing the scale-up before the traffic arrives, and a count above
 * the maximum would not hold.
 *
 * The peak: the other Region's CloudWatch within {@link PEAK_READ_BUDGET_MS}, else this Region's latest readiness
 * record (`otherRegionPeak`, its age said). When neither has it: `unplanned` notes it and goes on (the failover must
 * not wait for a Region that is gone), `planned` fails before anything moved, naming what is missing, `judged`
 * records it (output `unknown`) for the failback's `capacity-in-place`.
 * `unplanned` never fails: an error is noted and the failover goes on.
 */
export function scaleToPeak<I extends TargetInput>(mode: ScaleUpMode): Step<I> {
  return {
    name: SCALE_TO_PEAK_STEP,
    kind: 'action',
    title:
      "Raise the target Region's services to their share of the other Region's peak (scaling minimum and desired count)",
    uses: [
      'globalDatabase.describe',
      'facts.peakRunningTasks',
      'reports.getJson',
      'facts.scalingLimits',
      'capacity.describe',
      'capacity.setScalingMinimum',
      'capacity.setDesiredCount',
    ],
    describe: (ctx) => {
      const r = ctx.topology.readiness;
      return `raise every service of ${ctx.input.targetRegion} to ${r.peakSharePercent} % of the ${r.peakWindowHours} h peak of ${otherRegion(ctx.topology, ctx.input.targetRegion)} (capped at its scaling maximum; RegisterScalableTarget MinCapacity, then UpdateService desiredCount; ${
        mode === 'unplanned'
          ? `at most ${r.scaleUpBudgetSeconds} s with the wait, never blocking the failover`
          : mode === 'planned'
            ? `fails before anything moves if it cannot be sized or reached within ${r.scaleUpTimeoutSeconds} s`
            : `what cannot be sized, or is not reached within ${r.scaleUpTimeoutSeconds} s, is judged as capacity-in-place before anything moves`
      })`;
    },
    check: async (ctx) => {
      // A planned move whose writers are all in the target already is past its scale-up: a failback has since
      // restored the baseline, and raising again (a re-run, a lost journal) would undo that.
      if (mode !== 'unplanned' && (await everyWriterIn(ctx))) {
        return {
          state: 'done',
          detail: `every writer is already in ${ctx.input.targetRegion}: the move is past its scale-up`,
        };
      }
      let plan: ScalePlan | undefined;
      if (mode === 'unplanned') {
        // The budget starts here: the read of the failed Region's peak (which may hang) is part of it.
        const budgetMs = ctx.topology.readiness.scaleUpBudgetSeconds * 1000;
        const deadline = performance.now() + budgetMs;
        const planning = settledPlan(ctx, deadline);
        unplannedBudgets.set(ctx, { deadline, planning });
        const seen = await within(leftOf(deadline, budgetMs), planning);
        if (!seen.done) {
          return { state: 'pending', detail: `the scale-up could not be sized within ${budgetMs / 1000} s` };
        }
        if ('error' in seen.value) {
          return { state: 'pending', detail: `could not size the scale-up: ${seen.value.error}` };
        }
        plan = seen.value.value;
      } else plan = await planScaleUp(ctx);
      if (plan) checkedPlans.set(ctx, plan);
      if (!plan) return { state: 'done', detail: `no ECS services in ${ctx.input.targetRegion}: nothing to scale` };
      const pending = plan.targets.filter((t) => {
        const p = pendingOf(t);
        return p.minimum || p.desired;
      });
      if (pending.length > 0 || plan.unknown.length > 0) {
        const lines = pending.map(
          (t) =>
            `${t.service} desired ${t.count?.desired ?? 'unknown'}, minimum ${t.limits?.min ?? 'none'} < ${t.target}`,
        );
        if (plan.unknown.length > 0) lines.push(`peak unknown for ${plan.unknown.join('; ')}`);
        return { state: 'pending', detail: lines.join('; ') };
      }
      return {
        state: 'done',
        detail: `already at or above the target in ${plan.region}: ${plan.targets.map(describeTarget).join(', ')}`,
        outputs: { targets: targetsOutput(plan) },
      };
    },
    run: async (ctx) => {
      const region = ctx.input.targetRegion;
      const budgetMs = ctx.topology.readiness.scaleUpBudgetSeconds * 1000;
      const work = async (plan: ScalePlan | undefined) => {
        if (!plan) return { detail: `no ECS services in ${region}: nothing to scale` };
        // Judged (failback): a service that cannot be sized is a capacity-in-place condition the failback readiness
        // names and the overrides input may waive, not a refusal nothing can lift.
        if (plan.unknown.length > 0 && mode === 'planned') throw missingPeakError(plan);
        const outcomes = await Promise.all(
          plan.targets.map(async (t) => {
            const p = pendingOf(t);
            const done: string[] = [];
            try {
              if (p.minimum) {
                await ctx.ports.capacity.setScalingMinimum(region, plan.cluster, t.service, t.target);
                done.push(`minimum ${t.limits!.min} → ${t.target}`);
              }
              if (p.desired) {
                await ctx.ports.capacity.setDesiredCount(region, plan.cluster, t.service, t.target);
                done.push(`desired ${t.count?.desired ?? 'unknown'} → ${t.target}`);
              }
            } catch (error) {
              if (mode !== 'unplanned') throw error;
              return `${t.service} not raised (${messageOf(error)})`;
            }
            const extra = t.limits ? '' : ' (no scalable target: desired count only)';
            return done.length > 0
              ? `${describeTarget(t)}: ${done.join(', ')}${extra}`
              : `${describeTarget(t)}: already there`;
          }),
        );
        const unknown = plan.unknown.length > 0 ? [`not raised, peak unknown: ${plan.unknown.join('; ')}`] : [];
        return {
          detail: [...plan.notes, ...outcomes, ...unknown].join('; '),
          outputs: {
            targets: targetsOutput(plan),
            ...(mode === 'judged' && plan.unknown.length > 0 ? { unknown: JSON.stringify(plan.unknown) } : {}),
          },
        };
      };
      // The plan its check made a moment ago: the other Region's peak is read once (it may be the failed Region,
      // each read costing up to PEAK_READ_BUDGET_MS), not once by the check and again here.
      const checked = checkedPlans.get(ctx);
      checkedPlans.delete(ctx);
      if (mode !== 'unplanned') return work(checked ?? (await planScaleUp(ctx)));
      // Unplanned: nothing here may hold the failover beyond its budget (counted from the check, the peak read
      // included), and nothing here may fail it.
      const budget = unplannedBudgets.get(ctx);
      unplannedBudgets.delete(ctx);
      const deadline = budget?.deadline ?? performance.now() + budgetMs;
      const planning: Planning = checked
        ? Promise.resolve({ value: checked })
        : (budget?.planning ?? settledPlan(ctx, deadline));
      const bounded = await within(
        leftOf(deadline, budgetMs),
        planning.then((planned) =>
          'error' in planned
            ? planned
            : work(planned.value).then(
                (value) => ({ value }),
                (error: unknown) => ({ error: messageOf(error) }),
              ),
        ),
      );
      if (!bounded.done) {
        return {
          detail: `best effort, continuing: the scale-up of ${region} did not finish within ${budgetMs / 1000} s`,
        };
      }
      if ('error' in bounded.value) {
        return { detail: `best effort, continuing: could not scale up ${region} (${bounded.value.error})` };
      }
      return bounded.value.value;
    },
  };
}

/** Services whose running count is below their target, as `ui 2/4`. */
function shortOf(targets: Readonly<Record<string, number>>, counts: Readonly<Record<string, ServiceCount>>): string[] {
  return Object.entries(targets)
    .filter(([service, target]) => (counts[service]?.running ?? 0) < target)
    .map(([service, target]) => `${service} ${counts[service]?.running ?? 'not found'}/${target}`);
}

/**
 * Waits until the services {@link scaleToPeak} raised run their targets. `unplanned`: at most what is left of
 * `scaleUpBudgetSeconds` since the scale-up started, then the failover moves traffic anyway; the step never fails and
 * says what was short (output `short`). `planned`: at most `scaleUpTimeoutSeconds`, then it fails (nothing moved).
 * `judged`: at most `scaleUpTimeoutSeconds`, then it records what was short for the failback readiness to judge.
 */
export function waitForPeakCapacity<I extends TargetInput>(mode: ScaleUpMode): Step<I> {
  // Planned: from this step's start (a re-run waits again). Unplanned and judged: from the scale-up's start, so a
  // resumed run (or the next invocation of an SSM step) does not start the budget over.
  const limitSeconds = (ctx: StepContext<I>) => {
    const r = ctx.topology.readiness;
    if (mode === 'planned') return r.scaleUpTimeoutSeconds;
    const started = ctx.records[SCALE_TO_PEAK_STEP]?.startedAt;
    const spent = started ? (ctx.ports.clock.now().getTime() - Date.parse(started)) / 1000 : 0;
    return Math.max(0, (mode === 'unplanned' ? r.scaleUpBudgetSeconds : r.scaleUpTimeoutSeconds) - spent);
  };
  return {
    name: 'wait-for-peak-capacity',
    kind: 'wait',
    title: "Wait until the target Region's raised services run their target task counts",
    uses: ['capacity.describe'],
    describe: (ctx) =>
      mode === 'unplanned'
        ? `poll DescribeServices in ${ctx.input.targetRegion} until each raised service runs its target, at most the rest of ${ctx.topology.readiness.scaleUpBudgetSeconds} s; then move traffic anyway`
        : `poll DescribeServices in ${ctx.input.targetRegion} until each raised service runs its target, at most ${ctx.topology.readiness.scaleUpTimeoutSeconds} s`,
    run: async (ctx) => {
      const region = ctx.input.targetRegion;
      const targets = recordedTargets(ctx);
      const cluster = ctx.topology.regions[region]?.ecsClusterName;
      if (!targets || !cluster || Object.keys(targets).length === 0) {
        return { detail: `no raised services to wait for in ${region}`, outputs: { short: '' } };
      }
      const services = Object.keys(targets);
      const timeoutSeconds = limitSeconds(ctx);
      try {
        const seen = await waitUntil(ctx, {
          what: `the scale-up of ${region}`,
          timeoutSeconds,
          probe: async () => {
            const counts = await ctx.ports.capacity.describe(region, cluster, services);
            const short = shortOf(targets, counts);
            const lines = services.map((s) => `${s} ${counts[s]?.running ?? 'not found'}/${targets[s]}`);
            if (services.some((s) => !counts[s])) {
              throw new RetriableError(
                `services not found in ${region}: ${services.filter((s) => !counts[s]).join(', ')}`,
              );
            }
            return { done: short.length === 0, detail: `running/target: ${lines.join(', ')}`, value: short };
          },
        });
        return { detail: seen.detail, outputs: { short: '' } };
      } catch (error) {
        if (mode === 'planned') throw error;
        if (mode === 'judged' && !(error instanceof WaitTimeoutError)) throw error;
        // The end of a Lambda invocation came first: the next invocation goes on waiting.
        const invocationEnded = ctx.deadline !== undefined && ctx.ports.clock.now() >= ctx.deadline;
        if (error instanceof WaitTimeoutError && invocationEnded && limitSeconds(ctx) > 0) throw error;
        const short = await ctx.ports.capacity
          .describe(region, cluster, services)
          .then((counts) => shortOf(targets, counts).join(', '))
          .catch((e: unknown) => `unknown (${messageOf(e)})`);
        const why =
          error instanceof WaitTimeoutError ? `not reached within ${Math.round(timeoutSeconds)} s` : messageOf(error);
        return {
          detail:
            mode === 'unplanned'
              ? `best effort, moving traffic anyway: the scale-up of ${region} ${why}; short: ${short}`
              : `the scale-up of ${region} ${why}; short: ${short} (judged by the failback readiness)`,
          outputs: { short },
        };
      }
    },
  };
}
