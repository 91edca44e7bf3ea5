import { backupRetentionCheck } from './checks/backup-retention';
import { canariesGreenCheck } from './checks/canaries-green';
import { capacityCheck } from './checks/capacity';
import { capacityHeadroomCheck } from './checks/capacity-headroom';
import { engineVersionParityCheck } from './checks/engine-version-parity';
import { imageParityCheck } from './checks/image-parity';
import { regionSwitchPlanCheck } from './checks/region-switch-plan';
import { replicationCheck } from './checks/replication';
import { routingConfigurationCheck } from './checks/routing-configuration';
import { routingControlsCheck } from './checks/routing-controls';
import { routingStatesCheck } from './checks/routing-states';
import { secretsPresentCheck } from './checks/secrets-present';
import { secretsReplicatedCheck } from './checks/secrets-replicated';
import { servicesHealthyCheck } from './checks/services-healthy';
import { snapshotCopyCurrentCheck } from './checks/snapshot-copy-current';
import { tableReplicationCheck } from './checks/table-replication';
import { taskSettingsParityCheck } from './checks/task-settings-parity';
import { appliesInMode, type ReadinessCheck, type RoutingMode } from './readiness-check';

/**
 * Every readiness check, in the order they run: the takeover checks (the Region that would take over: services,
 * replication, routing, secrets), then the standing ones (both Regions alike and ready). Their names are the metric's
 * `Check` dimension, the step names of the `readiness` runbook and the README's table. The routing checks apply in
 * one routing mode each (`routing-controls`, `routing-configuration`, `routing-states` with the ARC cluster,
 * `region-switch-plan` with a Region switch plan): in the other mode they read nothing and are GREEN with a note (see
 * {@link readinessChecksFor} for the checks of one mode).
 */
export const READINESS_CHECKS: readonly ReadinessCheck[] = [
  servicesHealthyCheck,
  capacityCheck,
  replicationCheck,
  routingControlsCheck,
  regionSwitchPlanCheck,
  secretsPresentCheck,
  imageParityCheck,
  taskSettingsParityCheck,
  engineVersionParityCheck,
  backupRetentionCheck,
  snapshotCopyCurrentCheck,
  routingConfigurationCheck,
  routingStatesCheck,
  tableReplicationCheck,
  secretsReplicatedCheck,
  canariesGreenCheck,
  capacityHeadroomCheck,
];

/** The checks of scope `takeover`: the bake, the failover workflow's dry run and the gate of planned moves run these. */
export const TAKEOVER_CHECKS: readonly ReadinessCheck[] = READINESS_CHECKS.filter((c) => c.scope === 'takeover');

/**
 * The checks that apply in routing mode `mode`, in {@link READINESS_CHECKS} order: what the metrics, the dashboard and
 * the alarm of a deployment in that mode name (a check that does not apply there is GREEN about nothing).
 */
export function readinessChecksFor(
  mode: RoutingMode,
  checks: readonly ReadinessCheck[] = READINESS_CHECKS,
): readonly ReadinessCheck[] {
  return checks.filter((c) => appliesInMode(c, mode));
}

/** The check named `name`, or undefined. */
export function readinessCheckNamed(name: string): ReadinessCheck | undefined {
  return READINESS_CHECKS.find((c) => c.name === name);
}
