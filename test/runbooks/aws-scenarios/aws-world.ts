import { createAwsPorts } from '../../../runbooks/adapters/aws/aws-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { type RunResult, runOrchestration } from '../../../runbooks/core/engine';
import type { ProgressEvent } from '../../../runbooks/core/progress-event';
import type { AnyOrchestration } from '../../../runbooks/core/step';
import type { ReconcileRequest, ReconcilerPort } from '../../../runbooks/ports';
import type { Topology } from '../../../runbooks/topology';
import { AwsModel, type AwsModelOptions, MUTATING_OPERATIONS } from '../aws-model/aws-model';
import type { ModelCall } from '../aws-model/call-log';
import { type ShopFixture, type ShopSeedOptions, seedShop } from '../aws-model/shop-seed';

export const EAST = 'us-east-1';
export const WEST = 'us-west-2';

/**
 * A reconciler that records what it was asked and reports a complete comparison. Reconciliation itself runs on real
 * Postgres in test/runbooks/reconcile; here only the orchestration around it is under test.
 */
export class RecordingReconciler implements ReconcilerPort {
  readonly requests: Omit<ReconcileRequest, 'onProgress'>[] = [];

  async reconcile(request: ReconcileRequest) {
    const { onProgress: _progress, ...rest } = request;
    this.requests.push(rest);
    return { status: 'complete' as const, summary: '0 missing transactions (stub reconciler)' };
  }
}

/**
 * Fake timers to drive while a run waits only on timers (see {@link AwsWorldOptions.timers}); jest's fit:
 * `{ pending: () => jest.getTimerCount(), next: () => jest.advanceTimersToNextTimer() }`.
 */
export interface TimerDriver {
  /** Timers scheduled and not yet run. */
  pending(): number;
  /** Runs the next timer (moving fake time to it). */
  next(): void;
}

/** Options of {@link awsWorld}. */
export interface AwsWorldOptions extends Omit<AwsModelOptions, 'clock'> {
  readonly seed?: ShopSeedOptions;
  /**
   * The adapters back off in real time (cockatiel timers) between retries of a throttled or unreachable call, outside
   * the clock port. With fake timers and this driver, whenever a run has nothing to do but wait for a timer (every
   * promise settled), the next timer fires at once: the same retries, in milliseconds. setImmediate must stay real.
   * @default - real timers
   */
  readonly timers?: TimerDriver;
  /**
   * Changes the topology the runbook of each Region is given (e.g. `baselineMinimumTasks`, which the regional stage
   * sets to the services' deployed minimum and the seed leaves out).
   * @default - the seed's topology
   */
  readonly topology?: (seeded: Topology, region: string) => Topology;
}

/** One run of an orchestration against the model, with what it did. */
export interface WorldRun {
  readonly result: RunResult;
  /** The model calls of this run. */
  readonly calls: readonly ModelCall[];
  readonly events: readonly ProgressEvent[];
  /** Simulated ms from the run's start. */
  readonly elapsedMs: number;
  /** For each step that finished (done or failed): simulated seconds from the run's start, and calls made by then. */
  readonly steps: Readonly<Record<string, { readonly seconds: number; readonly calls: number }>>;
}

/** Options of {@link AwsWorld.run}. */
export interface WorldRunOptions {
  /** @default 1 (a failed step fails the run at once, so scenarios see every failure) */
  readonly stepAttempts?: number;
}

/** The shop on the AWS model, and the real orchestrations with the real AWS adapters against it. */
export interface AwsWorld {
  readonly clock: ManualClock;
  readonly model: AwsModel;
  readonly shop: ShopFixture;
  readonly reconciler: RecordingReconciler;
  /** Runs `orchestration` as the runbook of `region` would (its topology, its bucket, createAwsPorts). */
  run(
    orchestration: AnyOrchestration,
    region: string,
    raw: Record<string, unknown>,
    options?: WorldRunOptions,
  ): Promise<WorldRun>;
  /** Advances simulated time and applies what became due. */
  advance(seconds: number): void;
  /** What the scenarios compare: writers, routing, writer-service desired counts, temporary resources. */
  state(): WorldState;
  /**
   * Saves the world as it is now (model state, clock, random sequence) and returns a function that puts it back, to
   * start many runs from one prepared state (see {@link AwsModel.checkpoint}).
   */
  checkpoint(): () => void;
  /** Restores the SDK clients and `Math.random`. */
  dispose(): void;
}

/** The part of the model's state that says where the shop is. */
export interface WorldState {
  readonly writers: Record<string, string | undefined>;
  readonly routing: Record<string, string>;
  /** `<region>/<service>` → desired count, for catalog and orders. */
  readonly writerServices: Record<string, number>;
  /** Clusters and instances that are not the shop's own (temporary restores). */
  readonly temporary: string[];
  /** Manual snapshots (copies). */
  readonly copies: string[];
}

/** A deterministic stand-in for `Math.random` (the routing adapter picks its first ARC endpoint with it). */
class SeededRandom {
  constructor(public state: number) {}

  next(): number {
    this.state = (this.state * 1664525 + 1013904223) >>> 0;
    return this.state / 2 ** 32;
  }
}

/**
 * Builds the shop on a fresh model (writer and traffic in us-east-1) and installs the model. `Math.random` is
 * replaced by a seeded generator until {@link AwsWorld.dispose}, so that the ARC endpoint each run starts at is the
 * same on every test run. Call `dispose()` after (the scenarios do it in `afterEach`).
 */
export function awsWorld(options: AwsWorldOptions = {}): AwsWorld {
  const clock = new ManualClock('2026-01-27T10:00:00.000Z');
  const model = new AwsModel({ ...options, clock });
  const shop = seedShop(model, options.seed);
  model.install();
  const random = Math.random;
  const seeded = new SeededRandom(42);
  Math.random = () => seeded.next();
  const reconciler = new RecordingReconciler();
  return {
    clock,
    model,
    shop,
    reconciler,
    checkpoint: () => {
      const saved = model.checkpoint();
      const state = seeded.state;
      return () => {
        model.rollback(saved);
        clock.advance(saved.at - clock.now().getTime());
        seeded.state = state;
      };
    },
    dispose: () => {
      model.restore();
      Math.random = random;
    },
    advance: (seconds) => {
      clock.advance(seconds * 1000);
      model.settle();
    },
    run: async (orchestration, region, raw, runOptions = {}) => {
      const topology = options.topology ? options.topology(shop.topology(region), region) : shop.topology(region);
      const ports = createAwsPorts({
        topology,
        clock,
        region,
        bucket: shop.buckets[region]!,
        reconciler,
        regionSwitchApi: (r) => model.regionSwitchApi(r),
      });
      const marker = model.calls.mark();
      const started = clock.now().getTime();
      const events: ProgressEvent[] = [];
      const steps: Record<string, { seconds: number; calls: number }> = {};
      const running = runOrchestration({
        orchestration,
        input: orchestration.parseInput(raw, topology),
        topology,
        ports,
        reason: 'scenario on the AWS model',
        stepAttempts: runOptions.stepAttempts ?? 1,
        retryDelayMs: 1,
        onProgress: (event) => {
          events.push(event);
          if (event.type === 'step-done' || event.type === 'step-failed') {
            steps[event.step] = { seconds: event.elapsedMs / 1000, calls: model.calls.mark() - marker };
          }
        },
      });
      const timers = options.timers;
      if (timers) {
        let settled = false;
        void running.then(
          () => {
            settled = true;
          },
          () => {
            settled = true;
          },
        );
        while (!settled) {
          // Every promise chain runs before setImmediate's callback: what is left pending then waits on a timer.
          await new Promise((resolve) => setImmediate(resolve));
          if (!settled && timers.pending() > 0) timers.next();
        }
      }
      const result = await running;
      return { result, calls: model.calls.since(marker), events, elapsedMs: clock.now().getTime() - started, steps };
    },
    state: () => {
      model.settle();
      const ownClusters = new Set(Object.values(shop.clusters));
      return {
        writers: shop.writers(),
        routing: shop.routing(),
        writerServices: Object.fromEntries(
          [...model.ecs.services.values()]
            .filter((s) => s.name === 'catalog' || s.name === 'orders')
            .map((s) => [`${s.region}/${s.name}`, s.desiredCount]),
        ),
        temporary: [
          ...[...model.rds.clusters.values()]
            .filter((c) => !ownClusters.has(c.identifier))
            .map((c) => `${c.region}/${c.identifier}`),
          ...[...model.rds.instances.values()]
            .filter((i) => !ownClusters.has(i.clusterIdentifier))
            .map((i) => `${i.region}/${i.identifier}`),
        ].sort(),
        copies: [...model.rds.snapshots.values()]
          .filter((s) => s.type === 'manual')
          .map((s) => `${s.region}/${s.identifier} ${s.status}`)
          .sort(),
      };
    },
  };
}

/** `rds:FailoverGlobalCluster us-west-2` for each call; ARC data-plane calls as `…@arc` (the endpoint is random). */
export function callLines(calls: readonly ModelCall[]): string[] {
  return calls.map(
    (c) =>
      `${c.service}:${c.operation} ${c.service === 'route53-recovery-cluster' ? 'arc' : c.region}${c.outcome === 'ok' ? '' : ` !${c.outcome}`}`,
  );
}

/** Consecutive equal lines folded into `line ×n`. */
export function folded(lines: readonly string[]): string[] {
  const out: string[] = [];
  let last: string | undefined;
  let count = 0;
  for (const line of [...lines, '\u0000']) {
    if (line === last) count++;
    else {
      if (last !== undefined) out.push(count > 1 ? `${last} ×${count}` : last);
      last = line;
      count = 1;
    }
  }
  return out;
}

/**
 * The state changes AWS performed (mutating requests that took effect), as `Operation Region {input}`; ARC changes
 * without their endpoint (any endpoint may take them), tags left out (they carry execution ids).
 */
export function effectiveMutations(calls: readonly ModelCall[]): string[] {
  return calls
    .filter(
      (c) =>
        MUTATING_OPERATIONS.has(c.operation) &&
        (c.outcome === 'ok' || c.outcome.startsWith('ok,') || c.outcome.endsWith('(after effect)')),
    )
    .map((c) => {
      // Tags, a comment and a client token carry the runbook's execution id: the same change from a resumed run.
      const { Tags: _tags, comment: _comment, clientToken: _token, ...input } = c.input as Record<string, unknown>;
      return `${c.operation} ${c.service === 'route53-recovery-cluster' ? 'arc' : c.region} ${JSON.stringify(input)}`;
    });
}

/** Simulated seconds and calls from a run's start to the first successful call matching `operation`. */
export function figureAt(run: WorldRun, operation: string): { seconds: number; calls: number } | undefined {
  const index = run.calls.findIndex((c) => c.operation === operation && c.outcome === 'ok');
  if (index < 0) return undefined;
  const start = run.calls[0]!.at.getTime();
  return { seconds: (run.calls[index]!.at.getTime() - start) / 1000, calls: index + 1 };
}
