import type { ReportedClass } from '../../../runbooks/reconcile/report';
import { ACK_FORMAT, type AcknowledgedWrite } from '../../../runbooks/scoring/acknowledged-write';
import type {
  OrderOnNewPrimary,
  ScoredReport,
  ScoredReportRow,
  ScoreInput,
} from '../../../runbooks/scoring/score-input';

/** The primary that fails and the Region that survives. */
export const FAILED = 'us-east-1';
export const SURVIVING = 'us-west-2';

/** 00:00:00 of the run; the timeline's moments are seconds after it. */
const T0 = Date.parse('2026-12-07T05:00:00.000Z');
/** An ISO time `s` seconds into the run. */
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** The run's moments: the cut at 30 s, the fault at 32 s, a checkout again at 50 s. */
export const CUT_S = 30;
export const TIMELINE = {
  faultInjectedAt: at(32),
  firstFailureAt: at(33),
  detectedAt: at(36),
  decidedAt: at(37),
  trafficMovedAt: at(40),
  writersMovedAt: at(45),
  firstCheckoutAt: at(50),
} as const;

/** A uuid as Postgres prints it, numbered. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** An acknowledged write of order `n` at second `s`. */
export function ack(
  kind: AcknowledgedWrite['kind'],
  n: number,
  s: number,
  extra: Partial<AcknowledgedWrite> = {},
): AcknowledgedWrite {
  return {
    format: ACK_FORMAT,
    kind,
    order_id: uuid(n),
    region: s < 32 ? FAILED : SURVIVING,
    via: 'global',
    acknowledged_at: at(s),
    request_id: `req-${n}-${s}`,
    shopper: `shopper-${n}`,
    ...extra,
  };
}

/** The rows reconcile lists for one order in a class: its `orders` row and an `order_items` row. */
export function orderRows(n: number, cls: ReportedClass, extra: Partial<ScoredReportRow> = {}) {
  const old = { id: uuid(n), customer_id: `shopper-${n}`, synthetic: false };
  return {
    orders: [{ class: cls, id: uuid(n), old, new: null, duplicateOf: null, ...extra }],
    order_items: [
      { class: cls, id: uuid(10_000 + n), old: { order_id: uuid(n) }, new: null, duplicateOf: null, ...extra },
    ],
  };
}

/** A complete orders report made of the given per-order rows. */
export function report(
  parts: readonly {
    orders?: ScoredReportRow[];
    order_items?: ScoredReportRow[];
    shipping_addresses?: ScoredReportRow[];
  }[],
  overrides: Partial<ScoredReport> = {},
): ScoredReport {
  const table = (name: 'orders' | 'order_items' | 'shipping_addresses') => ({
    rows: parts.flatMap((p) => p[name] ?? []),
  });
  return {
    format: 'multi-region-shop/reconcile-report@2',
    status: 'complete',
    cut: at(CUT_S),
    gaps: [],
    error: null,
    tables: {
      orders: table('orders'),
      order_items: table('order_items'),
      shipping_addresses: table('shipping_addresses'),
    },
    ...overrides,
  };
}

export const present = (extra: Partial<{ cancelled: boolean | null; address: Record<string, string> | null }> = {}) =>
  ({ present: true, cancelled: false, address: null, ...extra }) as OrderOnNewPrimary;
export const absent: OrderOnNewPrimary = { present: false };

/** A score input with the fixture's timeline and targets (RTO 15 min, RPO 60 s). */
export function input(
  acks: readonly AcknowledgedWrite[],
  newPrimary: Record<string, OrderOnNewPrimary>,
  reportOrReports: ScoredReport | ScoreInput['reports'],
  overrides: Partial<ScoreInput> = {},
): ScoreInput {
  return {
    acks,
    newPrimary,
    reports: Array.isArray(reportOrReports)
      ? reportOrReports
      : [{ database: 'orders', report: reportOrReports as ScoredReport }],
    timeline: TIMELINE,
    rpoLagBeforeFaultMs: 5_000,
    targets: { rtoSeconds: 900, rpoSeconds: 60 },
    onlySyntheticTraffic: true,
    unacknowledgedWrites: 0,
    ...overrides,
  };
}
