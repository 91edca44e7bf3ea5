import type { AnyOrchestration } from '../core/step';
import { failback } from './failback';
import { failover } from './failover';
import { initializeRouting } from './initialize-routing';
import { preserveSnapshots } from './preserve-snapshots';
import { readiness } from './readiness';
import { recover } from './recover';
import { switchover } from './switchover';

export { type FailbackInput, failback } from './failback';
export { type FailoverInput, failover } from './failover';
export { initializeRouting } from './initialize-routing';
export { type PreserveSnapshotsInput, preserveSnapshots } from './preserve-snapshots';
export { readiness } from './readiness';
export { type RecoverInput, recover } from './recover';
export { type SwitchoverInput, switchover } from './switchover';

/** Every orchestration, by name. */
export const ORCHESTRATIONS: Readonly<Record<string, AnyOrchestration>> = {
  readiness,
  failover,
  switchover,
  failback,
  recover,
  'preserve-snapshots': preserveSnapshots,
  'initialize-routing': initializeRouting,
};

/** The names of {@link ORCHESTRATIONS}. */
export const ORCHESTRATION_NAMES = Object.keys(ORCHESTRATIONS) as readonly string[];
