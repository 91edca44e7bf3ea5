import type { AcknowledgedWrite } from '../runbooks/scoring/acknowledged-write';
import type { OrderOnNewPrimary } from '../runbooks/scoring/score-input';
import type { DrillPorts } from './adapters/drill-ports';
import type { CanaryRun } from './canary/run-canary';
import type { DrillConsole } from './drill-console';
import type { DrillOptions } from './drill-options';
import type { DrillRunbooks } from './drill-runbooks';
import type { CanaryRunReport, DrillReport } from './report/drill-report';
import type { Timeline } from './report/timeline';
import type { OrderChanges } from './traffic/order-changes';
import type { TrafficGenerator } from './traffic/traffic-generator';
import type { TwoRegionShop } from './two-region-shop';

/** How long the drill waits for things that normally take a second or two. */
export const DRILL_WAITS = {
  warmUpMs: 60_000,
  strandMs: 60_000,
  detectMs: 30_000,
  checkoutMs: 45_000,
  failbackCheckoutMs: 45_000,
} as const;

/** When the fault's parts happened (ms since the epoch), kept as they happen: a stage may stop half way. */
export interface DrillMoments {
  cutAt?: number;
  faultAt?: number;
  failoverEndAt?: number;
  strandedIds: string[];
}

/** What the scoring reads, filled by the stages as they learn it. */
export interface DrillScoring {
  /** The ledger up to the moment the new primary was read. */
  ledger: AcknowledgedWrite[];
  /** What the new primary held then. */
  newPrimary: Record<string, OrderOnNewPrimary>;
  /** What it held after `--apply`, when it ran. */
  afterRecovery: Record<string, OrderOnNewPrimary> | null;
}

/** What every stage of a running drill works with. */
export interface DrillContext {
  readonly options: DrillOptions;
  readonly report: DrillReport;
  readonly timeline: Timeline;
  readonly console: DrillConsole;
  readonly shop: TwoRegionShop;
  readonly ports: DrillPorts;
  readonly runbooks: DrillRunbooks;
  readonly generator: TrafficGenerator;
  readonly changes: OrderChanges;
  readonly moments: DrillMoments;
  readonly scoring: DrillScoring;
  /** Runs the journey canary (resolves undefined when Chromium is missing). */
  readonly canary: (when: CanaryRunReport['when']) => Promise<CanaryRun | undefined>;
  /** Whether the canary runs at all (for the phases' titles). */
  readonly canaryRuns: boolean;
  /** Why the canary does not run (Chromium missing); undefined when it runs. */
  readonly canarySkipped?: string;
  /** Where the reconcile reports are copied (<out>/reconcile). */
  readonly reconcileDir: string;
}

/** ISO 8601 of a time in ms, or null. */
export const iso = (ms: number | undefined | null) =>
  ms === undefined || ms === null ? null : new Date(ms).toISOString();

/** An error's message. */
export const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
