import { cpus, loadavg } from 'node:os';
import type { StepReport } from '../../runbooks/core/engine';
import type { ReadinessVerdict } from '../../runbooks/readiness/readiness-check';
import type { ClassCounts, CutSource } from '../../runbooks/reconcile';
import type { RunScore } from '../../runbooks/scoring/score-run';
import type { CanaryStep } from '../canary/run-canary';
import type { DrillOptions } from '../drill-options';
import type { LostOrderReport } from './lost-orders';

/** The format tag of drill.json. */
export const DRILL_REPORT_FORMAT = 'multi-region-shop/drill-report@1';

/** Targets of the benchmark (not failures of the drill: a loaded machine may miss them). */
export const DRILL_TARGETS = { rtoMs: 15_000, totalMs: 120_000 } as const;

/** How RTO is measured, as written into drill.json. */
export const RTO_DEFINITION =
  'from the first shopper request that failed at or after the fault to the first checkout the standby Region ' +
  'acknowledged after the writers moved, of an order on the new primary (the time shoppers could not buy)';

/** How RPO is measured, as written into drill.json. */
export const RPO_DEFINITION =
  'from the last replicated moment (the replication_heartbeat the orders standby held when it was promoted: the ' +
  'cut reconcile uses) to the acknowledgment of the last acknowledged order that the new primary does not have; ' +
  '0 when no acknowledged order was lost';

/** One run of the journey canary. */
export interface CanaryRunReport {
  readonly when: 'before-fault' | 'after-failover' | 'before-failback';
  readonly status: 'passed' | 'failed';
  readonly error: string | null;
  readonly duration_ms: number;
  readonly steps: readonly CanaryStep[];
}

/** One readiness check of the preflight in one Region. */
export interface PreflightCheckReport {
  readonly name: string;
  readonly verdict: ReadinessVerdict;
  /** What it found red. */
  readonly failures: readonly string[];
  /** What it could not read or decide. */
  readonly unknowns: readonly string[];
}

/** One change of a service's task count the drill's capacity stand-in accepted (ECS desired count, autoscaling minimum). */
export interface CapacityChangeReport {
  /** Since the drill started. */
  readonly at_ms: number;
  readonly region: string;
  readonly service: string;
  readonly kind: 'desired' | 'minimum';
  readonly from: number;
  readonly to: number;
}

/** What a traffic move (failover, failback) did to the task counts, read from its steps and the capacity changes. */
export interface CapacityMoveReport {
  readonly orchestration: string;
  /** When its traffic step (`shift-traffic`, or the Region switch plan's run) started (since the drill started); null when it did not get there. */
  readonly traffic_moved_ms: number | null;
  /** The counts it raised, each service's `desired` and `minimum` from → to, by Region. */
  readonly raised: readonly CapacityChangeReport[];
  /** Whether every raise came before the traffic moved (false when nothing was raised or the traffic did not move). */
  readonly raised_before_traffic: boolean;
  /** The counts it lowered back to their baseline after the traffic moved. */
  readonly restored: readonly CapacityChangeReport[];
}

/** One orchestration the drill ran through the runbook engine. */
export interface RunbookRunReport {
  readonly orchestration: string;
  readonly execution_id: string;
  readonly status: 'succeeded' | 'failed' | 'planned';
  readonly elapsed_ms: number;
  readonly error: string | null;
  readonly steps: readonly StepReport[];
}

/** The reconcile report of one database, as the drill read it. */
export interface ReconcileDatabaseReport {
  /** The reconcile report's status: `incomplete` when a table or verify was not compared (its `gaps`). */
  readonly status: 'complete' | 'incomplete' | 'failed';
  readonly summary: string;
  readonly cut: string | null;
  readonly cut_source: CutSource | null;
  readonly window_start: string | null;
  readonly totals: ClassCounts;
  readonly tables: Readonly<Record<string, ClassCounts>>;
  /** The report folder copied into <out>/reconcile/<database>. */
  readonly report_dir: string;
  readonly report_html: string;
  /** Ids of the lost inserts of the `orders` table (orders database only). */
  readonly lost_order_ids: readonly string[];
  readonly lost_write_report_ms: number | null;
  readonly total_ms: number | null;
  readonly error: string | null;
}

/** One second of traffic (seconds since the drill started). */
export interface TrafficSecond {
  readonly t: number;
  readonly ok: number;
  readonly failed: number;
  /** Orders acknowledged in that second. */
  readonly orders: number;
  /** Of those, orders the failover lost. */
  readonly lost: number;
}

/** drill.json. Field names are snake_case; times are ISO 8601 (absolute) or `_ms` (durations, offsets). */
export interface DrillReport {
  readonly format: typeof DRILL_REPORT_FORMAT;
  status: 'passed' | 'failed' | 'interrupted';
  readonly failures: string[];
  readonly started_at: string;
  finished_at: string;
  duration_ms: number;
  readonly options: {
    readonly ci: boolean;
    readonly seed: number;
    readonly order_rate: number;
    readonly lost_writes: number;
    readonly apply: boolean;
    readonly failback: boolean;
    /** `arc-cluster` or `region-switch` (--routing-mode). */
    readonly routing_mode: string;
  };
  readonly regions: { readonly primary: string; readonly standby: string };
  readonly machine: { readonly cpus: number; readonly node: string; readonly load_average_1m: number };
  front_door: string | null;
  /** First failed shopper request after the fault → first checkout after it; null when no checkout came. */
  rto_ms: number | null;
  rto: {
    readonly definition: string;
    readonly target_ms: number;
    fault_at: string | null;
    first_failed_request_at: string | null;
    first_checkout_after_fault_at: string | null;
    detected_at: string | null;
    failover_started_at: string | null;
    failover_finished_at: string | null;
  };
  rpo_ms: number;
  rpo: {
    readonly definition: string;
    replication_cut_at: string | null;
    last_replicated_heartbeat: string | null;
    first_lost_ack_at: string | null;
    last_lost_ack_at: string | null;
    /** From the first to the last acknowledged-but-lost order. */
    lost_acks_span_ms: number;
  };
  /** Orders acknowledged to shoppers and absent from the new primary after the failover (by id). */
  acknowledged_lost: number;
  acknowledged_lost_ids: string[];
  /**
   * The lost orders with customer, amount, time and items: reconcile's lost and possibly lost orders (their old
   * values) and every acknowledged lost order, sorted by when they were placed.
   */
  lost_orders: LostOrderReport[];
  /** --lost-writes: how many acknowledged writes the drill stranded in the failing Region. */
  readonly stranded_requested: number;
  orders: {
    acknowledged: number;
    acknowledged_before_cut: number;
    /** Acknowledged between the replication cut and the fault: the stranded ones. */
    acknowledged_stranded: number;
    acknowledged_after_fault: number;
    /** Orders acknowledged after the fault, by the Region that acknowledged them. */
    regions_after_fault: Record<string, number>;
    /** "Place order" sent without an acknowledgment back (such an order may exist). */
    unacknowledged_submits: number;
    /**
     * Of those, the ones sent before the fault: an order placed then and never acknowledged would be lost without
     * the traffic generator counting it (reconcile would find more lost orders than acknowledged_lost).
     */
    unacknowledged_submits_before_fault: number;
  };
  requests: { total: number; failed: number; failed_after_fault: number };
  /** Checkouts acknowledged through the front door after the failover orchestration finished. */
  checkouts_after_failover: number;
  reconcile: {
    status: 'complete' | 'failed' | 'not-run';
    /** <out>/reconcile/orders/report.html */
    report: string | null;
    /**
     * Lost orders the orders table's report found: its lost inserts plus its possibly lost rows (written in the
     * moment replication stopped; the drill's new primary deletes no orders, so they are lost too).
     */
    lost_inserts: number | null;
    /** Of {@link lost_inserts}, the possibly lost ones. */
    possibly_lost?: number | null;
    unexplained: number;
    /** Counts per class, every database and table together. */
    counts: ClassCounts | null;
    databases: Record<string, ReconcileDatabaseReport>;
  };
  /**
   * The shoppers' writes other than placing orders (issue 16), each acknowledged and in the scoring's ledger:
   * cancels and address changes stranded in the failed Region (lost updates), an address changed in both Regions
   * (a conflict), a stranded order its shopper placed again after the failover (a possible duplicate).
   */
  order_changes: null | {
    readonly cancelled: readonly string[];
    readonly address_changed: readonly string[];
    readonly changed_on_both_sides: readonly string[];
    readonly replaced: readonly { readonly original: string; readonly replacement: string }[];
  };
  apply: null | {
    status: 'applied' | 'failed';
    /** Acknowledged lost orders on the primary after apply (an order its shopper placed again is left alone). */
    recovered_orders: number;
    inserted: number;
    updated: number;
    events_written: number;
    /** Rows apply left for a person with their order (a conflict, a possible duplicate): not an error. */
    held_back?: number;
    error: string | null;
  };
  failback: null | {
    status: 'succeeded' | 'failed';
    description: string;
    rejoin: Record<string, string>;
    checkout_after_failback_region: string | null;
    acknowledged_missing_after_failback: number;
    /**
     * The failback readiness conditions the drill waived (the orchestration's `overrides` input) and why: without
     * Chromium the canary is skipped, so the returning Region has no canary alarm and how long it has been healthy
     * cannot be told. Null: none waived (a canary that ran and failed is judged, and refuses the failback).
     */
    readiness_overrides: null | { readonly conditions: readonly string[]; readonly reason: string };
  };
  /**
   * Issue 17: the readiness preflight (every readiness check for both Regions, before the fault; the drill stops
   * when a Region is not GREEN), every task count the runbooks changed, and what each traffic move did to them.
   */
  readiness: {
    preflight: null | {
      readonly verdict: ReadinessVerdict;
      /** Where the standby Region's readiness-record@1 was stored (the failover's fallback for the peak). */
      readonly record: string;
      /** Each check that is not GREEN, with its Region: what it found or could not read. */
      readonly failures: readonly string[];
      readonly regions: Readonly<
        Record<string, { readonly verdict: ReadinessVerdict; readonly checks: readonly PreflightCheckReport[] }>
      >;
    };
    capacity_changes: CapacityChangeReport[];
    moves: CapacityMoveReport[];
  };
  canary: {
    status: 'passed' | 'failed' | 'skipped';
    reason: string | null;
    runs: CanaryRunReport[];
  };
  /**
   * The score of the run by runbooks/scoring, the same scoring a game day on AWS uses: recall and precision of the
   * missing-transaction report per class, RTO phases, RPO from the data, PASSED / FAILED / INCONCLUSIVE. Null
   * until scored.
   */
  score: RunScore | null;
  /** The evidence pack written next to drill.html (runbooks/evidence); null until written. */
  evidence: null | { readonly json: string; readonly html: string; readonly sha256: string };
  readonly runbooks: RunbookRunReport[];
  readonly phases: { name: string; started_ms: number; finished_ms: number; status: string; detail: string }[];
  readonly markers: { kind: string; label: string; at_ms: number }[];
  readonly runbook_steps: { label: string; started_ms: number; finished_ms: number; status: string; detail: string }[];
  readonly traffic_per_second: TrafficSecond[];
  readonly leftovers: string[];
  readonly paths: {
    readonly json: string;
    readonly html: string;
    readonly reconcile: string;
    readonly runbook: string;
  };
}

/** A report with nothing measured yet: the drill fills it in as it goes. */
export function newDrillReport(
  options: DrillOptions,
  startedAt: number,
  primary: string,
  standby: string,
  paths: DrillReport['paths'],
): DrillReport {
  return {
    format: DRILL_REPORT_FORMAT,
    status: 'failed',
    failures: [],
    started_at: new Date(startedAt).toISOString(),
    finished_at: '',
    duration_ms: 0,
    options: {
      ci: options.ci,
      seed: options.seed,
      order_rate: options.orderRate,
      lost_writes: options.lostWrites,
      apply: options.apply,
      failback: options.failback,
      routing_mode: options.routingMode,
    },
    regions: { primary, standby },
    machine: { cpus: cpus().length, node: process.version, load_average_1m: Math.round(loadavg()[0]! * 10) / 10 },
    front_door: null,
    rto_ms: null,
    rto: {
      definition: RTO_DEFINITION,
      target_ms: DRILL_TARGETS.rtoMs,
      fault_at: null,
      first_failed_request_at: null,
      first_checkout_after_fault_at: null,
      detected_at: null,
      failover_started_at: null,
      failover_finished_at: null,
    },
    rpo_ms: 0,
    rpo: {
      definition: RPO_DEFINITION,
      replication_cut_at: null,
      last_replicated_heartbeat: null,
      first_lost_ack_at: null,
      last_lost_ack_at: null,
      lost_acks_span_ms: 0,
    },
    acknowledged_lost: 0,
    acknowledged_lost_ids: [],
    lost_orders: [],
    stranded_requested: options.lostWrites,
    orders: {
      acknowledged: 0,
      acknowledged_before_cut: 0,
      acknowledged_stranded: 0,
      acknowledged_after_fault: 0,
      regions_after_fault: {},
      unacknowledged_submits: 0,
      unacknowledged_submits_before_fault: 0,
    },
    requests: { total: 0, failed: 0, failed_after_fault: 0 },
    checkouts_after_failover: 0,
    reconcile: {
      status: 'not-run',
      report: null,
      lost_inserts: null,
      possibly_lost: null,
      unexplained: 0,
      counts: null,
      databases: {},
    },
    order_changes: null,
    apply: null,
    failback: null,
    readiness: { preflight: null, capacity_changes: [], moves: [] },
    canary: { status: 'skipped', reason: null, runs: [] },
    score: null,
    evidence: null,
    runbooks: [],
    phases: [],
    markers: [],
    runbook_steps: [],
    traffic_per_second: [],
    leftovers: [],
    paths,
  };
}
