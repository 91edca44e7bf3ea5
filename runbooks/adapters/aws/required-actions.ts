import type { PortMethod } from '../../ports';
import { AwsRoutingControl } from './arc-routing-control';
import { AwsHealth } from './health';
import { AwsGlobalDatabase } from './rds-global-database';
import { AwsSnapshots } from './rds-snapshots';
import { S3Journal } from './s3-journal';
import { S3ReportSink } from './s3-report-sink';
import { AwsCredentials } from './secrets-credentials';

type Prefixed<P extends string, T> = { readonly [K in keyof T & string as `${P}.${K}`]: readonly string[] };

function prefixed<P extends string, T extends Readonly<Record<string, readonly string[]>>>(
  port: P,
  table: T,
): Prefixed<P, T> {
  return Object.fromEntries(
    Object.entries(table).map(([method, actions]) => [`${port}.${method}`, actions]),
  ) as Prefixed<P, T>;
}

/**
 * The IAM actions each port method's AWS adapter calls. Typed over every port method, so a new method cannot be
 * added without saying what it needs; the runbook stack derives its policy from this table and the steps' `uses`.
 */
export const REQUIRED_ACTIONS: Readonly<Record<PortMethod, readonly string[]>> = {
  ...prefixed('routing', AwsRoutingControl.requiredActions),
  ...prefixed('globalDatabase', AwsGlobalDatabase.requiredActions),
  ...prefixed('snapshots', AwsSnapshots.requiredActions),
  ...prefixed('health', AwsHealth.requiredActions),
  ...prefixed('credentials', AwsCredentials.requiredActions),
  ...prefixed('reports', S3ReportSink.requiredActions),
  ...prefixed('journal', S3Journal.requiredActions),
  'reconciler.reconcile': [],
  'clock.now': [],
  'clock.sleep': [],
};

/** The sorted, distinct actions the given port methods need. */
export function actionsFor(methods: Iterable<PortMethod>): string[] {
  const actions = new Set<string>();
  for (const method of methods) for (const action of REQUIRED_ACTIONS[method]) actions.add(action);
  return [...actions].sort();
}
