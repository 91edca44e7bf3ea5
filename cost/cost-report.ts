import { ROUTING_MODES, type RoutingMode, type ShopConfig } from '../config';
import {
  AURORA_INSTANCE_HOURLY,
  HOURS_PER_MONTH,
  PRICES,
  PRICES_AS_OF,
  type Price,
  USAGE_ASSUMPTIONS,
} from './price-table';
import type { RoutingModeTemplates } from './routing-mode-templates';
import { type CostLine, costOfTemplates, type TemplateCost } from './template-cost';

/** The cost view of one configuration: both routing modes side by side. */
export interface CostReport {
  readonly pricesAsOf: string;
  readonly hoursPerMonth: number;
  /** The configured routing mode (the other is shown beside it). */
  readonly configuredRoutingMode: RoutingMode;
  readonly regions: readonly string[];
  readonly modes: Readonly<Record<RoutingMode, TemplateCost & { readonly how: string }>>;
  /** region-switch total minus arc-cluster total, in USD (both totals as counted: see `complete`). */
  readonly differenceUsd: number;
  readonly assumptions: typeof USAGE_ASSUMPTIONS;
  /** Every price the table holds, by id (Aurora instance hours as `aurora:<engine>:<class>`). */
  readonly prices: Readonly<Record<string, Price>>;
}

/** Prices every mode's templates. */
export function costReport(config: ShopConfig, templates: RoutingModeTemplates): CostReport {
  const modes = Object.fromEntries(
    ROUTING_MODES.map((mode) => [mode, { ...costOfTemplates(templates.stacks[mode]), how: templates.how[mode] }]),
  ) as Record<RoutingMode, TemplateCost & { how: string }>;
  return {
    pricesAsOf: PRICES_AS_OF,
    hoursPerMonth: HOURS_PER_MONTH,
    configuredRoutingMode: config.routingMode,
    regions: [config.primaryRegion, config.standbyRegion],
    modes,
    differenceUsd: modes['region-switch'].totalUsd - modes['arc-cluster'].totalUsd,
    assumptions: USAGE_ASSUMPTIONS,
    prices: {
      ...PRICES,
      ...Object.fromEntries(Object.entries(AURORA_INSTANCE_HOURLY).map(([key, price]) => [`aurora:${key}`, price])),
    },
  };
}

/** `$1,234.56`. */
export function usd(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  return `${sign}$${Math.abs(amount).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Display order: the routing mode first, then the big standing charges, then the rest (by component, Region). */
const ORDER = [
  'ARC',
  'Route 53 health',
  'Aurora instance',
  'DB instance',
  'Fargate',
  'NAT gateway',
  'Application Load',
  'ALB',
  'Public IPv4',
  'VPC',
  'Synthetics',
];
const rank = (key: string) => {
  const index = ORDER.findIndex((prefix) => key.startsWith(prefix));
  return index === -1 ? ORDER.length : index;
};

const lineKey = (line: CostLine) => [line.component, line.region, line.basis, line.notPriced ?? ''].join('|');

function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const right = new Set([2, 4, 5, 6]);
  return rows.map((row) =>
    row
      .map((cell, column) => (right.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The cost view as text: one table with both modes, totals, the difference, then assumptions and prices. */
export function renderCostReport(report: CostReport): string {
  const [a, b] = ROUTING_MODES;
  const left = report.modes[a];
  const right = report.modes[b];
  const keys: string[] = [];
  const byMode = new Map<string, Partial<Record<RoutingMode, CostLine>>>();
  for (const mode of ROUTING_MODES) {
    for (const line of report.modes[mode].lines) {
      const key = lineKey(line);
      if (!byMode.has(key)) {
        keys.push(key);
        byMode.set(key, {});
      }
      byMode.get(key)![mode] = line;
    }
  }
  keys.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  const cell = (line: CostLine | undefined) =>
    line === undefined ? '-' : line.monthlyUsd === undefined ? 'NOT PRICED' : usd(line.monthlyUsd);
  const rows: string[][] = [['Component', 'Region', `Qty ${a} / ${b}`, 'Price (table)', 'Each a month', a, b]];
  for (const key of keys) {
    const pair = byMode.get(key)!;
    const line = (pair[a] ?? pair[b])!;
    const qa = pair[a]?.quantity ?? 0;
    const qb = pair[b]?.quantity ?? 0;
    rows.push([
      line.component,
      line.region,
      qa === qb ? String(qa) : `${qa} / ${qb}`,
      line.notPriced === undefined ? line.prices : `not priced: ${line.notPriced}`,
      line.unitMonthlyUsd === undefined ? '-' : usd(line.unitMonthlyUsd),
      cell(pair[a]),
      cell(pair[b]),
    ]);
  }
  const total = (cost: TemplateCost) => `${usd(cost.totalUsd)}${cost.complete ? '' : ' + NOT PRICED (incomplete)'}`;
  rows.push(['Total a month', '', '', '', '', total(left), total(right)]);
  const out = [
    `Monthly cost of ${report.regions.join(' + ')} by routing mode (configured: ${report.configuredRoutingMode}), counted from the synthesized templates; prices as of ${report.pricesAsOf}, ${report.hoursPerMonth} hours a month, on demand, USD`,
    '',
    ...table(rows),
    '',
    `Difference (${b} minus ${a}): ${usd(report.differenceUsd)} a month${
      left.complete && right.complete ? '' : ' (over the priced lines only: a total is incomplete)'
    }`,
    '',
    'How each column was counted:',
    ...ROUTING_MODES.map((mode) => `  ${mode}: ${report.modes[mode].how}`),
    '',
    `Each a month: the table's price x ${report.hoursPerMonth} h for an hourly price, x the assumed use below for a usage price (--json gives each line's basis and resources).`,
    '',
    'Assumed use (where the bill depends on traffic or data):',
    `  ALB: ${report.assumptions.albLcuPerHour} LCU every hour; NAT gateway: ${report.assumptions.natGbPerMonth} GB processed each a month; Aurora: ${report.assumptions.auroraStorageGbPerCluster} GB stored per cluster (each Region's copy), I/O not counted`,
    `  DynamoDB (on demand): per replica ${report.assumptions.dynamoDbGbPerReplica} GB, ${report.assumptions.dynamoDbWriteMillionsPerReplica}M writes and ${report.assumptions.dynamoDbReadMillionsPerReplica}M reads a month; S3: ${report.assumptions.s3GbPerBucket} GB Standard per bucket, requests not counted`,
    "  Fargate tasks at the count the service keeps when idle (DesiredCount, else the scalable target's MinCapacity); a failover scales the standby up (readiness.peakSharePercent), which is not counted",
    '  Not counted at all: data transfer (cross-Region replication, internet egress), free tiers, Savings Plans and other discounts, tax',
    '',
    'Billed by use only, not estimated (resource type: count in the configured mode, billed by):',
    ...report.modes[report.configuredRoutingMode].usageOnly.map((u) => `  ${u.type}: ${u.count}, ${u.billedBy}`),
    '',
    `Price table (cost/price-table.ts, as of ${report.pricesAsOf}):`,
    ...Object.entries(report.prices).map(
      ([id, price]) =>
        `  ${id}: $${price.usd}/${price.unit} (${price.regions === 'global' ? 'global' : price.regions.join(', ')}); ${price.source}; ${price.checked}`,
    ),
  ];
  return out.join('\n');
}
