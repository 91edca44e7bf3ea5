import { FileJournal } from '../../runbooks/adapters/local/journals';
import { PortsRegionSwitch } from '../../runbooks/adapters/local/ports-region-switch';
import { LocalReportSink } from '../../runbooks/adapters/local/report-sinks';
import { SystemClock } from '../../runbooks/adapters/system-clock';
import type { RunbookPorts } from '../../runbooks/ports';
import { DRILL_SERVICES } from '../drill-topology';
import type { PostgresServer } from '../stand-ins/postgres-server';
import type { TwoRegionShop } from '../two-region-shop';
import { DRILL_READINESS_SETTINGS, type DrillReadinessSettings } from './drill-readiness-settings';
import { DrillReconciler } from './drill-reconciler';
import { LocalGlobalDatabase } from './local-global-database';
import { LocalHealth } from './local-health';
import { LocalReadinessFacts } from './local-readiness-facts';
import { LocalServiceCapacity } from './local-service-capacity';
import { LocalSnapshots } from './local-snapshots';
import { TrustCredentials } from './trust-credentials';

/** Options of {@link createDrillPorts}. */
export interface DrillPortsOptions {
  /** Folder of the runbook journals (one JSON file per execution). */
  readonly journalDir: string;
  /** Folder the report sink stores summaries and reconcile reports in (the local stand-in for the S3 bucket). */
  readonly reportsDir: string;
  /** Scratch folder of the reconciler's report folders before they are stored. */
  readonly workDir: string;
  /** Registers a restored snapshot server, so that an interrupted drill stops it. */
  readonly track: (name: string, server: PostgresServer) => void;
  /** What the readiness facts answer for what the drill has no counterpart of. @default DRILL_READINESS_SETTINGS */
  readonly readiness?: DrillReadinessSettings;
}

/** The runbook ports of the drill, and the local adapters the drill itself talks to. */
export interface DrillPorts {
  readonly ports: RunbookPorts;
  readonly snapshots: LocalSnapshots;
  readonly reconciler: DrillReconciler;
  /** The capacity stand-in (its changes go into drill.json). */
  readonly capacity: LocalServiceCapacity;
  /** The readiness facts (tests change their drill-configured values). */
  readonly facts: LocalReadinessFacts;
}

/**
 * Every port the orchestrations need, over the two simulated Regions: routing controls with the safety rule,
 * global databases over the Postgres pairs, snapshots of the crashed primaries, real HTTP health checks, task
 * counts and readiness facts over the running shop, trust credentials, the real reconciler, a local report folder,
 * file journals and the system clock.
 */
export function createDrillPorts(shop: TwoRegionShop, options: DrillPortsOptions): DrillPorts {
  const clusters = Object.values(shop.clusters);
  const snapshots = new LocalSnapshots(clusters, shop.outages, options.track);
  const reconciler = new DrillReconciler(options.workDir);
  const readiness = options.readiness ?? DRILL_READINESS_SETTINGS;
  const capacity = new LocalServiceCapacity({
    services: DRILL_SERVICES,
    runningServices: (region) => shop.runningServices(region),
    outages: shop.outages,
    baseline: (region) => {
      const settings = shop.topology.regions[region];
      return settings?.baselineMinimumTasks ?? settings?.minimumRunningTasks ?? 1;
    },
    maximum: readiness.scalingMaximum,
  });
  const facts = new LocalReadinessFacts(
    {
      primaryRegion: shop.primaryRegion,
      standbyRegion: shop.standbyRegion,
      outages: shop.outages,
      clusters,
      alarms: shop.canaryAlarms,
      serviceBuilds: (region) => shop.serviceBuilds(region),
    },
    capacity,
    readiness,
  );
  const globalDatabase = new LocalGlobalDatabase(clusters, shop.outages);
  const clock = new SystemClock();
  return {
    snapshots,
    reconciler,
    capacity,
    facts,
    ports: {
      routing: shop.routing,
      regionSwitch: new PortsRegionSwitch(shop.topology, () => ({ globalDatabase, routing: shop.routing, clock })),
      globalDatabase,
      snapshots,
      health: new LocalHealth(clusters, (region, services) => capacity.runningTasks(region, services)),
      capacity,
      facts,
      credentials: new TrustCredentials(),
      reconciler,
      reports: new LocalReportSink(options.reportsDir),
      journal: new FileJournal(options.journalDir),
      clock,
    },
  };
}
