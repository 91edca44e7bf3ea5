/**
 * The runbook Lambda bundle's entry: `index.handler` runs one step of an SSM Automation document,
 * `index.preserveSnapshotsHandler` the scheduled copy of unplanned-failover snapshots,
 * `index.removeSyntheticOrdersHandler` the removal of a game day's synthetic orders, `index.readinessHandler` the
 * scheduled readiness (every check, its record and its metrics), `index.regionSwitchRecoverHandler` the start of
 * `recover` the ARC Region switch plan invokes (routing mode `region-switch`).
 */

export { preserveSnapshotsHandler } from './preserve-snapshots-handler';
export { readinessHandler } from './readiness-handler';
export { regionSwitchRecoverHandler } from './region-switch-recover-handler';
export { handler } from './step-handler';
export { removeSyntheticOrdersHandler } from './synthetic-orders-handler';
