/**
 * The runbook Lambda bundle's entry: `index.handler` runs one step of an SSM Automation document,
 * `index.preserveSnapshotsHandler` the scheduled copy of unplanned-failover snapshots.
 */

export { preserveSnapshotsHandler } from './preserve-snapshots-handler';
export { handler } from './step-handler';
