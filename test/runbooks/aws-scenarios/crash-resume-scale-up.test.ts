import { SUCCEEDING_SCENARIOS } from './aws-scenarios';
import { awsWorld, effectiveMutations } from './aws-world';
import { crashResumeSuite } from './crash-resume-suite';
import { fakeTimers } from './jest-timers';

// Issue 17: the scale-up before a planned move (RegisterScalableTarget MinCapacity, then UpdateService desiredCount,
// every service), crashed at every AWS call and resumed: each change once. The other scenarios' peaks equal the
// running counts (the model's RunningTaskCount follows the services), so they raise nothing.
const NAME =
  'switchover us-east-1 → us-west-2 after a peak of 4 tasks per service in us-east-1 (us-west-2 scaled up first)';

test('the scenario is meaningful: its uninterrupted run raises every service of us-west-2 to 4', async () => {
  const scenario = SUCCEEDING_SCENARIOS.find((s) => s.name === NAME)!;
  const world = awsWorld({ timers: fakeTimers() });
  try {
    await scenario.setup(world);
    const run = await world.run(scenario.orchestration, scenario.runIn, scenario.input);
    expect(run.result.status).toBe('succeeded');
    const raised = effectiveMutations(run.calls).filter((m) => m.startsWith('RegisterScalableTarget us-west-2'));
    expect(raised).toHaveLength(5);
    for (const m of raised) expect(m).toContain('"MinCapacity":4');
  } finally {
    world.dispose();
    jest.useRealTimers();
  }
});

crashResumeSuite([NAME]);
