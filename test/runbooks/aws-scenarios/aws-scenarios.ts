import type { AnyOrchestration } from '../../../runbooks/core/step';
import { failback, failover, readiness, recover, switchover } from '../../../runbooks/orchestrations';
import { addShopPlan, inRegionSwitchMode } from '../aws-model/shop-plan';
import { type AwsWorld, type AwsWorldOptions, EAST, WEST } from './aws-world';

/** One end-to-end situation: a world brought to a starting state, then one orchestration run in one Region. */
export interface AwsScenario {
  readonly name: string;
  readonly orchestration: AnyOrchestration;
  /** The Region whose runbook runs it. */
  readonly runIn: string;
  readonly input: Record<string, unknown>;
  readonly world?: AwsWorldOptions;
  /** Brings a fresh world to the state the orchestration starts from. */
  setup(world: AwsWorld): Promise<void>;
}

/** Unplanned failover of us-east-1 (down) to us-west-2, as the on-call would start it. */
async function failedOverToWest(world: AwsWorld): Promise<void> {
  world.model.regionDown(EAST);
  const run = await world.run(failover, WEST, { targetRegion: WEST, failedRegion: EAST });
  if (run.result.status !== 'succeeded') throw new Error(`setup failover: ${run.result.error?.message}`);
}

/** After {@link failedOverToWest}: us-east-1 is back and Aurora has rebuilt it as a connected secondary. */
async function rejoinedEast(world: AwsWorld): Promise<void> {
  await failedOverToWest(world);
  world.advance(1800);
  world.model.regionUp(EAST);
  world.advance(world.model.timings.failoverSnapshotSeconds + world.model.timings.resyncSeconds);
}

/** A planned switchover moved everything to us-west-2. */
async function switchedToWest(world: AwsWorld): Promise<void> {
  const run = await world.run(switchover, WEST, { targetRegion: WEST });
  if (run.result.status !== 'succeeded') throw new Error(`setup switchover: ${run.result.error?.message}`);
  world.advance(60);
}

/** The scenarios that must succeed, each also run with a crash at every call (crash-resume.test.ts). */
export const SUCCEEDING_SCENARIOS: readonly AwsScenario[] = [
  {
    name: 'failover us-east-1 → us-west-2 with us-east-1 down',
    orchestration: failover,
    runIn: WEST,
    input: { targetRegion: WEST, failedRegion: EAST },
    setup: async (w) => w.model.regionDown(EAST),
  },
  {
    name: 'failover us-east-1 → us-west-2 with us-east-1 down and the ARC control plane down',
    orchestration: failover,
    runIn: WEST,
    input: { targetRegion: WEST, failedRegion: EAST },
    setup: async (w) => {
      w.model.regionDown(EAST);
      w.model.controlPlaneDown();
    },
  },
  {
    name: 'failover us-east-1 → us-west-2 with us-east-1 half alive (its APIs answer: the fence scales its writers to 0)',
    orchestration: failover,
    runIn: WEST,
    input: { targetRegion: WEST, failedRegion: EAST },
    setup: async () => {},
  },
  {
    name: 'failover back us-west-2 → us-east-1 with us-west-2 down (and the ARC control plane with it)',
    orchestration: failover,
    runIn: EAST,
    input: { targetRegion: EAST, failedRegion: WEST },
    setup: async (w) => {
      await switchedToWest(w);
      w.model.regionDown(WEST);
    },
  },
  {
    name: 'switchover us-east-1 → us-west-2 with the ARC control plane down',
    orchestration: switchover,
    runIn: WEST,
    input: { targetRegion: WEST },
    setup: async (w) => w.model.controlPlaneDown(),
  },
  {
    name: 'failback to us-east-1 after an unplanned failover, the ARC control plane down',
    orchestration: failback,
    runIn: EAST,
    input: { targetRegion: EAST },
    setup: async (w) => {
      await rejoinedEast(w);
      w.model.controlPlaneDown();
    },
  },
  {
    name: 'recover in us-west-2 after an unplanned failover, us-east-1 back, the ARC control plane down',
    orchestration: recover,
    runIn: WEST,
    input: { targetRegion: WEST, failedRegion: EAST },
    setup: async (w) => {
      await rejoinedEast(w);
      w.model.controlPlaneDown();
    },
  },
  {
    name: 'readiness of us-west-2 with the ARC control plane down',
    orchestration: readiness,
    runIn: WEST,
    input: { targetRegion: WEST },
    setup: async (w) => w.model.controlPlaneDown(),
  },
  {
    // Issue 17: the scale-up's RegisterScalableTarget and UpdateService calls before the writers and traffic move.
    name: 'switchover us-east-1 → us-west-2 after a peak of 4 tasks per service in us-east-1 (us-west-2 scaled up first)',
    orchestration: switchover,
    runIn: WEST,
    input: { targetRegion: WEST },
    setup: async (w) => {
      const at = new Date(w.clock.now().getTime() - 3 * 3_600_000);
      for (const service of ['ui', 'catalog', 'carts', 'orders', 'checkout']) {
        w.model.cloudWatch.record(
          EAST,
          'ECS/ContainerInsights',
          'RunningTaskCount',
          { ClusterName: w.shop.ecsCluster, ServiceName: service },
          at,
          4,
        );
      }
    },
  },
];

export { failedOverToWest, rejoinedEast, switchedToWest };

/** `world` in routing mode region-switch: every Region's topology runs the plan, which {@link withShopPlan} adds. */
const REGION_SWITCH_WORLD: AwsWorldOptions = { topology: (seeded) => inRegionSwitchMode(seeded) };
const withShopPlan = (w: AwsWorld) => addShopPlan(w.model, w.shop, w.shop.topology(EAST));

/** The scenarios of routing mode region-switch that must succeed (issue 18), also run with a crash at every call. */
export const REGION_SWITCH_SCENARIOS: readonly AwsScenario[] = [
  {
    name: 'region-switch: failover us-east-1 → us-west-2 with us-east-1 down (the plan runs ungraceful)',
    orchestration: failover,
    runIn: WEST,
    input: { targetRegion: WEST, failedRegion: EAST },
    world: REGION_SWITCH_WORLD,
    setup: async (w) => {
      withShopPlan(w);
      w.model.regionDown(EAST);
    },
  },
  {
    name: 'region-switch: switchover us-east-1 → us-west-2 (the plan runs graceful)',
    orchestration: switchover,
    runIn: WEST,
    input: { targetRegion: WEST },
    world: REGION_SWITCH_WORLD,
    setup: async (w) => {
      withShopPlan(w);
    },
  },
];
