/**
 * Failover figures against the stateful AWS model (test/runbooks/aws-model): the real failover orchestration with the
 * real AWS adapters, in simulated time.
 *
 *   npm run bench:aws-model
 *
 * For each scenario it prints the calls made and the simulated seconds from the start of the run to traffic moved
 * (shift-traffic done), to the writers verified (verify-writers done) and to the end, and the calls made to the ARC
 * control plane (must be 0) and to the failed Region. Two request-time profiles:
 * - `instant`: requests take no simulated time; the seconds are Aurora's (the model's failover duration) and the
 *   runbook's polling (15 s).
 * - `latency`: every answered request takes 0.1 s, and a request to an unreachable endpoint takes the client's
 *   connection timeout (runbooks/adapters/aws/request-limits.ts: ARC data plane and the regional APIs 3 s, the failed
 *   Region's ECS and Application Auto Scaling 2 s). Model choices.
 * Aurora's failover itself takes the model's `failoverSeconds` (60 s by default), not a measured figure.
 */
import type { RunResult } from '../runbooks/core/engine';
import { failover, switchover } from '../runbooks/orchestrations';
import type { RequestCostInput } from '../test/runbooks/aws-model/aws-model';
import { awsWorld, EAST, WEST, type WorldRun } from '../test/runbooks/aws-scenarios/aws-world';

interface Profile {
  readonly name: string;
  readonly requestSeconds?: (request: RequestCostInput) => number;
}

const PROFILES: readonly Profile[] = [
  { name: 'instant' },
  {
    name: 'latency',
    requestSeconds: (r) =>
      r.reachable
        ? 0.1
        : r.service === 'route53-recovery-cluster'
          ? 3
          : r.service === 'ecs' || r.service === 'application-autoscaling'
            ? 2
            : 3,
  },
];

interface Scenario {
  readonly name: string;
  readonly target: string;
  readonly failed: string;
  /** Brings the fresh world (writers in us-east-1) to the starting state. */
  readonly setup: (world: ReturnType<typeof awsWorld>) => Promise<void>;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'us-east-1 → us-west-2, us-east-1 and the ARC control plane down',
    target: WEST,
    failed: EAST,
    setup: async (w) => {
      w.model.regionDown(EAST);
      w.model.controlPlaneDown();
    },
  },
  {
    name: 'us-west-2 → us-east-1, us-west-2 down (the control-plane Region)',
    target: EAST,
    failed: WEST,
    setup: async (w) => {
      const moved = await w.run(switchover, WEST, { targetRegion: WEST });
      if (moved.result.status !== 'succeeded') throw new Error(`setup switchover: ${moved.result.error?.message}`);
      w.advance(300);
      w.model.regionDown(WEST);
    },
  },
];

interface Figure {
  readonly scenario: string;
  readonly profile: string;
  readonly status: RunResult['status'];
  readonly traffic: { seconds: number; calls: number } | undefined;
  readonly writers: { seconds: number; calls: number } | undefined;
  readonly totalSeconds: number;
  readonly calls: number;
  readonly controlPlaneCalls: number;
  readonly failedRegionCalls: number;
}

async function measure(scenario: Scenario, profile: Profile): Promise<Figure> {
  const world = awsWorld(profile.requestSeconds ? { requestSeconds: profile.requestSeconds } : {});
  try {
    await scenario.setup(world);
    const run: WorldRun = await world.run(failover, scenario.target, {
      targetRegion: scenario.target,
      failedRegion: scenario.failed,
    });
    return {
      scenario: scenario.name,
      profile: profile.name,
      status: run.result.status,
      traffic: run.steps['shift-traffic'],
      writers: run.steps['verify-writers'],
      totalSeconds: run.elapsedMs / 1000,
      calls: run.calls.length,
      controlPlaneCalls: world.model.calls.controlPlaneCalls(run.calls).length,
      failedRegionCalls: run.calls.filter((c) => c.region === scenario.failed).length,
    };
  } finally {
    world.dispose();
  }
}

const show = (f: { seconds: number; calls: number } | undefined) =>
  f ? `${f.seconds.toFixed(1)} s / ${f.calls} calls` : 'not reached';

async function main(): Promise<void> {
  const figures: Figure[] = [];
  for (const scenario of SCENARIOS) for (const profile of PROFILES) figures.push(await measure(scenario, profile));
  console.log('Failover against the AWS model (real orchestration and adapters, simulated time)\n');
  console.log(
    '| failover | request time | traffic moved | writers verified | end | calls | control-plane calls | calls to the failed Region | result |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const f of figures) {
    console.log(
      `| ${f.scenario} | ${f.profile} | ${show(f.traffic)} | ${show(f.writers)} | ${f.totalSeconds.toFixed(1)} s | ${f.calls} | ${f.controlPlaneCalls} | ${f.failedRegionCalls} | ${f.status} |`,
    );
  }
  const bad = figures.filter((f) => f.status !== 'succeeded' || f.controlPlaneCalls > 0);
  if (bad.length > 0) {
    console.error(`\n${bad.length} run(s) failed or called the ARC control plane`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
