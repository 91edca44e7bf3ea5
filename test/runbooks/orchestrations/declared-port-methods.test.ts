import { demoTopology } from '../../../runbooks/adapters/local/demo-topology';
import { createLocalPorts, type LocalPorts } from '../../../runbooks/adapters/local/local-ports';
import { ManualClock } from '../../../runbooks/adapters/local/manual-clock';
import { runOrchestration } from '../../../runbooks/core/engine';
import type { ProgressEvent } from '../../../runbooks/core/progress-event';
import type { AnyOrchestration, Step } from '../../../runbooks/core/step';
import {
  failback,
  failover,
  preserveSnapshots,
  readiness,
  recover,
  switchover,
} from '../../../runbooks/orchestrations';
import { instrument, type PortCall } from '../support/instrumented-ports';

const topology = demoTopology('us-east-1', 'us-west-2');

/** Runs an orchestration and attributes every port call (except the engine's journal and the clock) to its step. */
async function callsPerStep(
  local: LocalPorts,
  orchestration: AnyOrchestration,
  raw: Record<string, unknown>,
  dryRun = false,
): Promise<Map<string, Set<string>>> {
  const calls: PortCall[] = [];
  const boundaries: { step: string; at: number }[] = [];
  const record = (event: ProgressEvent) => {
    if (event.type === 'step-done' || event.type === 'step-plan' || event.type === 'step-failed') {
      boundaries.push({ step: event.step, at: calls.length });
    }
  };
  const result = await runOrchestration({
    orchestration,
    input: orchestration.parseInput(raw, topology),
    topology,
    ports: instrument(local.ports, calls),
    reason: 'test',
    dryRun,
    settings: { pollIntervalSeconds: 1 },
    onProgress: record,
  });
  expect(result.status).toBe(dryRun ? 'planned' : 'succeeded');
  const perStep = new Map<string, Set<string>>();
  let from = 0;
  for (const { step, at } of boundaries) {
    const methods = perStep.get(step) ?? new Set<string>();
    for (const call of calls.slice(from, at)) if (!call.method.startsWith('journal.')) methods.add(call.method);
    perStep.set(step, methods);
    from = at;
  }
  return perStep;
}

function undeclared(orchestration: AnyOrchestration, perStep: Map<string, Set<string>>): string[] {
  const steps = orchestration.steps(topology) as readonly Step<unknown>[];
  return [...perStep].flatMap(([name, methods]) => {
    const declared = new Set<string>(steps.find((s) => s.name === name)!.uses);
    return [...methods].filter((m) => !declared.has(m)).map((m) => `${orchestration.name}/${name} calls ${m}`);
  });
}

describe('every port method a step calls is one it declares (so the IAM policy derived from the declarations covers it)', () => {
  test.each([false, true])('all orchestrations, dry run %s', async (dryRun) => {
    const clock = new ManualClock();
    const local = createLocalPorts({ topology, clock });
    const problems: string[] = [];
    const check = async (orchestration: AnyOrchestration, raw: Record<string, unknown>) => {
      problems.push(...undeclared(orchestration, await callsPerStep(local, orchestration, raw, dryRun)));
      if (dryRun) await callsPerStep(local, orchestration, raw, false);
    };
    await check(readiness, { targetRegion: 'us-west-2' });
    await check(switchover, { targetRegion: 'us-west-2' });
    await check(switchover, { targetRegion: 'us-east-1' });
    local.world.regionDown('us-east-1');
    await check(failover, { targetRegion: 'us-west-2' });
    clock.advance(60_000);
    local.world.regionUp('us-east-1');
    clock.advance(60_000);
    await check(preserveSnapshots, { targetRegion: 'us-west-2' });
    clock.advance(60_000);
    await check(preserveSnapshots, { targetRegion: 'us-west-2' });
    await check(recover, { targetRegion: 'us-west-2' });
    await check(failback, {});
    expect(problems).toEqual([]);
  });
});
