import { NonRetriableError, WaitTimeoutError } from '../../core/errors';
import {
  describeState,
  memberIn,
  refuseCancelledMove,
  regionOfArn,
  writerOf,
  writerSettledIn,
} from '../../orchestrations/global-database-state';
import { PLAN_BLOCKS } from '../../orchestrations/region-switch-steps';
import type {
  ClockPort,
  GlobalDatabasePort,
  RegionSwitchActivateRequest,
  RegionSwitchExecutionSummary,
  RegionSwitchPlanStatus,
  RegionSwitchPort,
  RegionSwitchStepSummary,
  RoutingControlPort,
} from '../../ports';
import { otherRegion, type Topology } from '../../topology';

/** The ports the local plan acts through. */
export interface PlanStandInPorts {
  readonly globalDatabase: GlobalDatabasePort;
  readonly routing: RoutingControlPort;
  readonly clock: ClockPort;
}

/** The ARN of the local stand-in plan (the shape of a Region switch plan ARN). */
export const LOCAL_PLAN_ARN = 'arn:aws:arc-region-switch::000000000000:plan/local-stand-in:local1';

/**
 * A local stand-in for the ARC Region switch plan, for the simulated world and the drill: it runs the plan's blocks
 * through the other local ports in the plan's order. `scale-services` is reported `skipped` (the runbook's own
 * scale-to-peak step has raised the target before the plan runs, as it does in AWS, where the plan's scaling block
 * then finds nothing to do); each Aurora block switches over (graceful) or fails over with data loss (ungraceful) and
 * waits until the writer is in the target Region; `move-dns` sets the local routing controls (the drill's front door:
 * target On, other Off, in one request). A block that cannot finish fails the execution naming it, as Region switch
 * reports a failed step. It is a stand-in, not a model of AWS: the plan's AWS behaviour is tested against the model in
 * test/runbooks/aws-model/region-switch-model.ts.
 */
export class PortsRegionSwitch implements RegionSwitchPort {
  private readonly executions: RegionSwitchExecutionSummary[] = [];
  private readonly pollMs: number;

  constructor(
    private readonly topology: Topology,
    private readonly ports: () => PlanStandInPorts,
    options: { readonly pollIntervalSeconds?: number } = {},
  ) {
    this.pollMs = (options.pollIntervalSeconds ?? 5) * 1000;
  }

  async activate(request: RegionSwitchActivateRequest): Promise<RegionSwitchExecutionSummary> {
    const target = request.targetRegion;
    if (target !== this.topology.primaryRegion && target !== this.topology.standbyRegion) {
      throw new NonRetriableError(
        `targetRegion: ${target} is not a Region of the plan; accepted: ${this.topology.primaryRegion}, ${this.topology.standbyRegion}`,
      );
    }
    const { clock } = this.ports();
    const mode = request.kind === 'planned' ? 'graceful' : 'ungraceful';
    const startedAt = clock.now();
    const steps: RegionSwitchStepSummary[] = [{ name: PLAN_BLOCKS.scale, status: 'skipped', mode }];
    const summary = (state: string): RegionSwitchExecutionSummary => ({
      planArn: LOCAL_PLAN_ARN,
      executionId: request.clientToken ?? `local-${startedAt.getTime()}`,
      action: 'activate',
      targetRegion: target,
      mode,
      state,
      apiRegion: target,
      adopted: false,
      startedAt,
      ...(state === 'inProgress' ? {} : { endedAt: clock.now() }),
      steps: [...steps],
    });
    const deadline = Math.min(
      startedAt.getTime() + request.timeoutSeconds * 1000,
      request.deadline?.getTime() ?? Number.POSITIVE_INFINITY,
    );
    for (const db of this.topology.databases) {
      const begun = clock.now();
      try {
        await this.moveWriter(db.globalClusterIdentifier, target, mode, deadline, request.progress);
        steps.push({
          name: PLAN_BLOCKS.database(db.databaseName),
          status: 'completed',
          mode,
          startedAt: begun,
          endedAt: clock.now(),
        });
      } catch (error) {
        if (error instanceof WaitTimeoutError) throw error;
        steps.push({
          name: PLAN_BLOCKS.database(db.databaseName),
          status: 'failed',
          mode,
          startedAt: begun,
          endedAt: clock.now(),
          error: (error as Error).message,
        });
        const failed = summary('failed');
        this.executions.unshift(failed);
        throw new NonRetriableError(
          `Region switch execution ${failed.executionId} (activate ${target}, ${mode}) failed at step switch-${db.databaseName}: ${(error as Error).message}`,
        );
      }
    }
    const controls = this.topology.routing.controls;
    const other = otherRegion(this.topology, target);
    if (controls[target] && controls[other]) {
      const begun = clock.now();
      await this.ports().routing.setStates([
        { control: controls[target]!, state: 'On' },
        { control: controls[other]!, state: 'Off' },
      ]);
      steps.push({ name: PLAN_BLOCKS.dns, status: 'completed', mode, startedAt: begun, endedAt: clock.now() });
    } else {
      steps.push({ name: PLAN_BLOCKS.dns, status: 'skipped', mode });
    }
    // The plan's recover block: AWS allows only `skip` when ungraceful; the local stand-in starts nothing either way.
    steps.push({ name: PLAN_BLOCKS.recover, status: 'skipped', mode });
    // A block that did not run makes the execution end with exceptions, as AWS reports a skipped step.
    const done = summary(
      steps.some((s) => s.name === PLAN_BLOCKS.dns && s.status !== 'completed')
        ? 'completedWithExceptions'
        : 'completed',
    );
    this.executions.unshift(done);
    return done;
  }

  async describePlan(region: string): Promise<RegionSwitchPlanStatus> {
    const warnings: string[] = [];
    for (const db of this.topology.databases) {
      try {
        const state = await this.ports().globalDatabase.describe(db.globalClusterIdentifier, region);
        for (const r of [this.topology.primaryRegion, this.topology.standbyRegion]) {
          if (!memberIn(state, r)) {
            warnings.push(
              `${PLAN_BLOCKS.database(db.databaseName)}: global cluster ${db.globalClusterIdentifier} has no member in ${r}`,
            );
          }
        }
      } catch (error) {
        return {
          planArn: LOCAL_PLAN_ARN,
          apiRegion: region,
          running: [],
          error: `DescribeGlobalClusters ${db.globalClusterIdentifier} in ${region}: ${(error as Error).message}`,
        };
      }
    }
    return {
      planArn: LOCAL_PLAN_ARN,
      apiRegion: region,
      evaluation: {
        state: warnings.length ? 'actionRequired' : 'passed',
        lastEvaluatedAt: this.ports().clock.now(),
        warnings,
      },
      running: [],
      ...(this.executions[0] ? { lastEnded: this.executions[0] } : {}),
    };
  }

  /** One Aurora block: the move the mode asks for, unless the writer is there or moving there, then its end. */
  private async moveWriter(
    id: string,
    target: string,
    mode: 'graceful' | 'ungraceful',
    deadline: number,
    progress?: (line: string) => void,
  ): Promise<void> {
    const { globalDatabase, clock } = this.ports();
    let state = await globalDatabase.describe(id, target);
    refuseCancelledMove(state);
    const moving = state.failover && regionOfArn(state.failover.toClusterArn) === target;
    if (!writerSettledIn(state, target) && !moving) {
      const member = memberIn(state, target);
      if (!member) throw new NonRetriableError(`global cluster "${id}" has no member in ${target}`);
      if (mode === 'ungraceful') {
        await globalDatabase.failover(id, member.clusterArn, target);
      } else {
        const writer = writerOf(state);
        if (!writer) throw new NonRetriableError(`global cluster "${id}" has no writer; a switchover needs one`);
        if (member.synchronization === 'pending-resync') {
          throw new NonRetriableError(`global cluster "${id}": the member in ${target} is pending-resync`);
        }
        await globalDatabase.switchover(id, member.clusterArn, writer.region);
      }
    }
    for (;;) {
      state = await globalDatabase.describe(id, target);
      refuseCancelledMove(state);
      if (writerSettledIn(state, target)) return;
      progress?.(`Region switch (local): ${describeState(state)}`);
      const now = clock.now().getTime();
      if (now >= deadline) {
        throw new WaitTimeoutError(
          `the local Region switch plan's move of ${id} to ${target} did not end in time; last seen: ${describeState(state)}`,
        );
      }
      await clock.sleep(Math.min(this.pollMs, deadline - now));
    }
  }
}
