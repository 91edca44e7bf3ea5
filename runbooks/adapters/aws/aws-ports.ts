import { S3Client } from '@aws-sdk/client-s3';
import type { ClockPort, ReconcilerPort, RunbookPorts } from '../../ports';
import type { Topology } from '../../topology';
import { ModuleReconciler, type TlsMode } from '../reconcile-module';
import { AwsRoutingControl } from './arc-routing-control';
import { EcsServiceCapacity } from './ecs-service-capacity';
import { AwsHealth } from './health';
import { AwsGlobalDatabase } from './rds-global-database';
import { AwsSnapshots } from './rds-snapshots';
import { S3Journal } from './s3-journal';
import { S3ReportSink } from './s3-report-sink';
import { AwsCredentials } from './secrets-credentials';

/** Options of {@link createAwsPorts}. */
export interface AwsPortsOptions {
  readonly topology: Topology;
  readonly clock: ClockPort;
  /** The Region whose report bucket (and journal) is used: where the runbook runs. */
  readonly region: string;
  /** The runbook's S3 bucket for reports and journals. */
  readonly bucket: string;
  /** @default - no TLS verification (see the README: ship the RDS CA bundle for verify-full) */
  readonly tls?: TlsMode;
  /** @default - {@link ModuleReconciler} */
  readonly reconciler?: ReconcilerPort;
}

/** Builds every port over AWS (SDK v3). No request is sent until a port method is called. */
export function createAwsPorts(options: AwsPortsOptions): RunbookPorts {
  const s3 = new S3Client({ region: options.region, maxAttempts: 1 });
  const routing = options.topology.routing;
  return {
    routing: new AwsRoutingControl({
      ...(routing.endpoints?.length ? { endpoints: routing.endpoints } : {}),
      ...(routing.parameterName ? { parameterName: routing.parameterName, parameterRegion: options.region } : {}),
      ...(routing.controlPanelName ? { controlPanelName: routing.controlPanelName } : {}),
    }),
    globalDatabase: new AwsGlobalDatabase(),
    snapshots: new AwsSnapshots(),
    health: new AwsHealth({ clock: options.clock }),
    capacity: new EcsServiceCapacity(),
    credentials: new AwsCredentials(),
    reconciler: options.reconciler ?? new ModuleReconciler({ tls: options.tls ?? { mode: 'no-verify' } }),
    reports: new S3ReportSink({ client: s3, bucket: options.bucket }),
    journal: new S3Journal({ client: s3, bucket: options.bucket }),
    clock: options.clock,
  };
}
