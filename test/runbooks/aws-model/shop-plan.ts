import { PLAN_BLOCKS } from '../../../runbooks/orchestrations/region-switch-steps';
import type { Topology } from '../../../runbooks/topology';
import type { AwsModel } from './aws-model';
import type { ModelPlanExecution, ModelRegionSwitchStep } from './region-switch-model';
import type { ShopFixture } from './shop-seed';

/** The ARN of the shop's Region switch plan in the model. */
export const SHOP_PLAN_ARN = 'arn:aws:arc-region-switch::111111111111:plan/shop-dev-region-switch:abc123';

/** The shop's Region switch plan in the model, and where its DNS block sent the traffic. */
export interface ShopPlan {
  readonly arn: string;
  /** The Region the plan's `move-dns` block last activated (the primary before any execution). */
  dnsActive(): string;
}

/**
 * Adds the shop's Region switch plan to the model, with the workflow stacks/routing/region-switch-plan.ts synthesizes
 * for each Region (`activate`, steps in the same order and with the same names): `scale-services` (the runbook has
 * raised the target's services before it starts the plan, so the block has nothing to do here), one
 * `switch-<database>` Aurora block per global database (graceful: SwitchoverGlobalCluster, sent to the writer's
 * Region; ungraceful: FailoverGlobalCluster with AllowDataLoss, sent to the target's Region — the same requests, and
 * the same RDS model, as the runbook's own steps; the block completes once the writer is in the target Region),
 * `move-dns` (the plan's Route 53 health checks: recorded as the Region DNS answers with), and `start-recover` (skipped
 * when ungraceful, as AWS requires of a Lambda block; graceful, the recover-start function is not modelled here).
 */
export function addShopPlan(model: AwsModel, shop: ShopFixture, topology: Topology): ShopPlan {
  const regions = [topology.primaryRegion, topology.standbyRegion];
  let active = topology.primaryRegion;
  const aurora = (globalClusterId: string): ModelRegionSwitchStep => ({
    name: PLAN_BLOCKS.database(
      topology.databases.find((d) => d.globalClusterIdentifier === globalClusterId)!.databaseName,
    ),
    seconds: 5,
    effect: (execution: ModelPlanExecution) => {
      const g = model.rds.globalClusters.get(globalClusterId)!;
      const target = g.members.find((m) => m.clusterArn.split(':')[3] === execution.targetRegion);
      const writer = g.members.find((m) => m.isWriter);
      const settled = () => !g.move && target?.isWriter === true;
      if (!target) return { error: `global cluster ${globalClusterId} has no member in ${execution.targetRegion}` };
      if (settled()) return { done: settled };
      const reachable = (region: string) => model.isReachable(region);
      try {
        if (execution.mode === 'ungraceful') {
          model.rds.failoverGlobalCluster(
            {
              GlobalClusterIdentifier: globalClusterId,
              TargetDbClusterIdentifier: target.clusterArn,
              AllowDataLoss: true,
            },
            { region: execution.targetRegion, reachable },
          );
        } else {
          const writerRegion = writer?.clusterArn.split(':')[3] ?? execution.targetRegion;
          if (!reachable(writerRegion)) return { error: `SwitchoverGlobalCluster: ${writerRegion} does not answer` };
          model.rds.switchoverGlobalCluster(
            { GlobalClusterIdentifier: globalClusterId, TargetDbClusterIdentifier: target.clusterArn },
            { region: writerRegion, reachable },
          );
        }
      } catch (error) {
        return { error: (error as Error).message };
      }
      return { done: settled };
    },
  });
  const workflow = (region: string) => ({
    action: 'activate' as const,
    targetRegion: region,
    steps: [
      { name: PLAN_BLOCKS.scale, seconds: 10 },
      ...Object.values(shop.globalClusters).map(aurora),
      {
        name: PLAN_BLOCKS.dns,
        seconds: 5,
        effect: (execution: ModelPlanExecution) => {
          active = execution.targetRegion;
          return {};
        },
      },
      { name: PLAN_BLOCKS.recover, seconds: 5, ungraceful: 'skip' as const },
    ],
  });
  model.regionSwitch.addPlan({ arn: SHOP_PLAN_ARN, regions, workflows: regions.map(workflow) });
  return { arn: SHOP_PLAN_ARN, dnsActive: () => active };
}

/** `topology` in routing mode `region-switch`, with the plan's ARN. */
export function inRegionSwitchMode(topology: Topology, planArn = SHOP_PLAN_ARN): Topology {
  return {
    ...topology,
    routing: { ...topology.routing, mode: 'region-switch', regionSwitch: { planArn, timeoutMinutes: 60 } },
  };
}
