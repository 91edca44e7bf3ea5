import { S3Client } from '@aws-sdk/client-s3';
import type { ClockPort, ReconcilerPort, RunbookPorts } from '../../ports';
import type { Topology } from '../../topology';
import { noRegionSwitch } from '../no-region-switch';
import { ModuleReconciler, type TlsMode } from '../reconcile-module';
import { AwsRoutingControl } from './arc-routing-control';
import type { RetrySettings } from './aws-call';
import { AwsRegionSwitch } from './aws-region-switch';
import { EcsServiceCapacity } from './ecs-service-capacity';
import { AwsHealth } from './health';
import { AwsGlobalDatabase } from './rds-global-database';
import { AwsSnapshots } from './rds-snapshots';
import { AwsReadinessFacts } from './readiness-facts';
import type { RegionSwitchApi } from './region-switch-executions';
import type { sdkRegionSwitchApi } from './region-switch-sdk';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';
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
  /**
   * How every adapter retries transient errors. Backoff runs on real timers, not the clock port.
   *
   * @default DEFAULT_RETRY (the ECS capacity adapter: no retry, its Region may be the failed one)
   */
  readonly retry?: Partial<RetrySettings>;
  /** The Region switch data plane of a Region. @default - the SDK client ({@link sdkRegionSwitchApi}) */
  readonly regionSwitchApi?: (region: string) => RegionSwitchApi;
}

/** Builds every port over AWS (SDK v3). No request is sent until a port method is called. */
export function createAwsPorts(options: AwsPortsOptions): RunbookPorts {
  const s3 = new S3Client({
    region: options.region,
    maxAttempts: 1,
    requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS),
  });
  const routing = options.topology.routing;
  const retry = options.retry ? { retry: options.retry } : {};
  return {
    routing: new AwsRoutingControl({
      ...(routing.endpoints?.length ? { endpoints: routing.endpoints } : {}),
      ...(routing.parameterName ? { parameterName: routing.parameterName, parameterRegion: options.region } : {}),
      ...(routing.controlPanelName ? { controlPanelName: routing.controlPanelName } : {}),
      ...retry,
    }),
    regionSwitch:
      routing.mode === 'region-switch' && routing.regionSwitch
        ? new AwsRegionSwitch({
            ...(routing.regionSwitch.planArn ? { planArn: routing.regionSwitch.planArn } : {}),
            ...(routing.regionSwitch.planParameterName
              ? { planParameterName: routing.regionSwitch.planParameterName }
              : {}),
            parameterRegion: options.region,
            planRegions: [options.topology.primaryRegion, options.topology.standbyRegion],
            clock: options.clock,
            ...(options.regionSwitchApi ? { apiFor: options.regionSwitchApi } : {}),
            ...retry,
          })
        : noRegionSwitch(routing.mode),
    globalDatabase: new AwsGlobalDatabase({ ...retry }),
    snapshots: new AwsSnapshots({ ...retry }),
    health: new AwsHealth({ clock: options.clock, ...retry }),
    capacity: new EcsServiceCapacity({ ...retry }),
    facts: new AwsReadinessFacts({ clock: options.clock, ...retry }),
    credentials: new AwsCredentials({ ...retry }),
    reconciler: options.reconciler ?? new ModuleReconciler({ tls: options.tls ?? { mode: 'no-verify' } }),
    reports: new S3ReportSink({ client: s3, bucket: options.bucket, ...retry }),
    journal: new S3Journal({ client: s3, bucket: options.bucket, ...retry }),
    clock: options.clock,
  };
}
