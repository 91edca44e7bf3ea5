import { NonRetriableError } from '../core/errors';
import type { ResourceTags, RunbookPorts } from '../ports';
import { type RecoverySettings, type Topology, type TopologyDatabase, temporaryIdentifier } from '../topology';
import { memberIn } from './global-database-state';

/*
 * The manual copy of an unplanned-failover snapshot, shared by `recover` (which copies when a person runs it) and
 * `preserve-snapshots` (which copies on a schedule as soon as the snapshot appears). Both name the copy from the
 * snapshot alone, so whichever runs first makes the copy and the other finds it.
 *
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html:
 * "The snapshot of the old storage volume is a system snapshot that's subject to the backup retention period
 * configured on the old primary cluster. To preserve this snapshot outside of the retention period, you can copy it
 * to save it as a manual snapshot."
 */

/** Prefix of the snapshot Aurora takes of the old primary when its Region returns after an unplanned failover. */
export const UNPLANNED_FAILOVER_SNAPSHOT_PREFIX = 'rds:unplanned-global-failover-';

/**
 * `202601271015` from the time a snapshot was taken: the part of the copy's identifier (and of the temporary
 * cluster's) that ties it to one snapshot. It comes from the snapshot, never from when the failover happened, so a
 * scheduled run that knows nothing of the failover names the copy as `recover` does.
 */
export function snapshotStamp(createdAt: Date): string {
  return createdAt.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** Identifier of the manual copy of the unplanned-failover snapshot of `database` taken at `stamp`. */
export function snapshotCopyIdentifier(topology: Topology, database: TopologyDatabase, stamp: string): string {
  return temporaryIdentifier(topology.appName, topology.envName, database.name, stamp);
}

/** Tags on everything a recovery creates (copies, temporary clusters), so a leftover is easy to find. */
export function recoveryTags(topology: Topology, database: TopologyDatabase, executionId: string): ResourceTags {
  return {
    'shop:purpose': 'failover-recovery',
    'shop:database': database.name,
    'shop:execution': executionId,
    'shop:app': `${topology.appName}-${topology.envName}`,
  };
}

/** The recovery settings (KMS key of copies, where temporary clusters go) of `region`; throws when it has none. */
export function recoverySettings(topology: Topology, region: string): RecoverySettings {
  const settings = topology.regions[region]?.recovery;
  if (!settings) {
    throw new NonRetriableError(
      `regions.${region}.recovery: missing from the topology; accepted: subnetGroupName, securityGroupIds and kmsKeyId of ${region}`,
    );
  }
  return settings;
}

/**
 * The identifier of `database`'s cluster in `oldRegion` (whose snapshots Aurora names after it): from the topology,
 * else the global cluster's member there, asked of `askRegion` (a Region that answers: the old one may be down).
 */
export async function oldClusterIdentifier(
  ports: Pick<RunbookPorts, 'globalDatabase'>,
  database: TopologyDatabase,
  oldRegion: string,
  askRegion: string,
): Promise<string> {
  let oldCluster: string | undefined = database.clusterIdentifiers[oldRegion];
  if (!oldCluster) {
    const state = await ports.globalDatabase.describe(database.globalClusterIdentifier, askRegion);
    oldCluster = memberIn(state, oldRegion)?.clusterIdentifier;
  }
  if (!oldCluster) {
    throw new NonRetriableError(
      `databases.${database.name}.clusterIdentifiers.${oldRegion}: unknown, and ${database.globalClusterIdentifier} has no member in ${oldRegion}; accepted: the identifier of the old ${database.name} cluster in ${oldRegion}, in the topology`,
    );
  }
  return oldCluster;
}

/** What `preserve-snapshots` records about a copy once it is available (in the report store of the copy's Region). */
export interface PreservedCopy {
  /** ARN of the unplanned-failover snapshot. */
  readonly source: string;
  readonly sourceIdentifier: string;
  /** When Aurora took it (ISO 8601): the copy's identifier is named after it. */
  readonly snapshotTime: string;
  /** Identifier of the copy. */
  readonly copy: string;
  /** Region of the copy. */
  readonly region: string;
  readonly preservedAt: string;
  /** The execution that recorded it. */
  readonly execution: string;
}

/** Where the record of one preserved copy is kept. */
export function preservedCopyKey(copyIdentifier: string): string {
  return `runs/preserve-snapshots/preserved/${copyIdentifier}.json`;
}

/**
 * Where the newest preserved copy of `database`'s unplanned-failover snapshots is recorded: `recover` restores that
 * copy once the system snapshot itself has expired (or its Region does not answer), since it cannot name the copy
 * without the snapshot's time.
 */
export function latestPreservedCopyKey(database: string): string {
  return `runs/preserve-snapshots/latest/${database}.json`;
}
