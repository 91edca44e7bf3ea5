import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { UNVERSIONED_COMMIT } from '../.github/actions/rollback/deployed-commit-output';
import { defaultAvailabilityZones, type ShopConfig } from '../config';
import { GlobalStage } from './global-stage';
import type { RegionRole } from './region-role';
import { RegionalStage } from './regional-stage';

/** The stages of one environment, in deployment order: primary, standby, global. */
export interface ShopStages {
  /** The primary Region: creates the global databases and tables. */
  readonly primary: RegionalStage;
  /** The standby Region: joins them. */
  readonly standby: RegionalStage;
  /** Global routing (ARC and Route 53). */
  readonly global: GlobalStage;
}

/** What is being deployed, as opposed to how (the configuration). */
export interface ShopRelease {
  /**
   * The commit the stacks are synthesized from; each stack a rollback redeploys (services, observability, runbooks,
   * routing) carries it as its `DeployedCommit` output.
   *
   * @default UNVERSIONED_COMMIT (a synth outside a workflow)
   */
  readonly commit?: string;
}

/** Stage construct ids, which the pipeline's jobs are named after. */
export const STAGE_IDS = { primary: 'Primary', standby: 'Standby', global: 'Global' } as const;

/** IPv4 ranges of the two VPCs: distinct, so the Regions can be peered later without renumbering. */
const VPC_CIDRS: Readonly<Record<RegionRole, string>> = { primary: '10.10.0.0/16', standby: '10.20.0.0/16' };

/**
 * Builds every stage of the shop from the validated configuration. This is the one place config turns into
 * props: the CDK app (`pipeline/main.ts`) and the GitHub pipeline both call it.
 *
 * Keep `scope` the app and the stage ids ({@link STAGE_IDS}) unchanged once deployed: the logical ids of the
 * generated database secrets include the construct path, so a new path would replace them.
 */
export function buildStages(scope: Construct, config: ShopConfig, release: ShopRelease = {}): ShopStages {
  // The global name serves HTTPS only if both Regions have a certificate; otherwise the canary would test a
  // listener that does not exist.
  const regions = [config.primaryRegion, config.standbyRegion];
  const scheme = regions.every((region) => config.certificateArns[region]) ? 'https' : 'http';
  const globalUrl = `${scheme}://${config.hostName}.${config.domainName}`;

  const regional = (role: RegionRole, region: string, peerRegion: string) =>
    new RegionalStage(scope, role === 'primary' ? STAGE_IDS.primary : STAGE_IDS.standby, {
      appName: config.appName,
      envName: config.envName,
      account: config.account,
      region,
      role,
      peerRegion,
      availabilityZones: config.availabilityZones[region] ?? defaultAvailabilityZones(region),
      vpcCidr: VPC_CIDRS[role],
      certificateArn: config.certificateArns[region],
      internetFacing: config.loadBalancerScheme === 'internet-facing',
      globalUrl,
      canaryRate: Duration.minutes(config.canaryRateMinutes),
      backupRetention: Duration.days(config.backupRetentionDays),
      readiness: {
        schedule: Duration.minutes(config.readiness.scheduleMinutes),
        peakSharePercent: config.readiness.peakSharePercent,
        scaleUpBudgetSeconds: config.readiness.scaleUpBudgetSeconds,
        failbackHealthyMinutes: config.readiness.failbackHealthyMinutes,
        releaseGraceMinutes: config.readiness.releaseGraceMinutes,
      },
      deployedCommit: release.commit ?? UNVERSIONED_COMMIT,
      routingMode: config.routingMode,
      gameDays: config.gameDays.enabled
        ? {
            shopperRatePerMinute: config.gameDays.shopperRatePerMinute,
            evidenceRetention: Duration.days(config.gameDays.evidenceRetentionDays),
            rtoTargetMinutes: config.rtoTargetMinutes,
            rpoTargetSeconds: config.rpoTargetSeconds,
          }
        : undefined,
    });

  const primary = regional('primary', config.primaryRegion, config.standbyRegion);
  const standby = regional('standby', config.standbyRegion, config.primaryRegion);
  const global = new GlobalStage(scope, STAGE_IDS.global, {
    appName: config.appName,
    envName: config.envName,
    account: config.account,
    primaryRegion: config.primaryRegion,
    standbyRegion: config.standbyRegion,
    domainName: config.domainName,
    hostName: config.hostName,
    routingMode: config.routingMode,
    peakSharePercent: config.readiness.peakSharePercent,
    deployedCommit: release.commit ?? UNVERSIONED_COMMIT,
  });
  return { primary, standby, global };
}
