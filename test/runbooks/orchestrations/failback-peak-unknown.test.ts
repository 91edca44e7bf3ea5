import type { MemoryReportSink } from '../../../runbooks/adapters/local/report-sinks';
import { failback, failover } from '../../../runbooks/orchestrations';
import { READINESS_LATEST_KEY } from '../../../runbooks/readiness/readiness-record';
import { mutations } from '../support/instrumented-ports';
import { PRIMARY, routing, type Simulation, STANDBY, simulation, writerRegions } from '../support/simulation';

// Issue 17: before a failback the returning Region must have "its capacity in place; the failback refuses (with each
// unmet condition named) otherwise, unless explicitly overridden". A scale-up that cannot be sized (the peak of the
// Region being left is unknown) leaves the capacity unknown: that is the capacity-in-place condition, named as such
// and waivable like a shortfall, not a refusal no override can lift.

const SERVICES = ['ui', 'catalog', 'carts', 'orders', 'checkout'] as const;

/** A failover to the standby while the primary was down, the primary back a minute later; the standby's CloudWatch then holds no RunningTaskCount peak, and there is no readiness record. */
async function failedOverAndBackWithoutPeak(sim: Simulation): Promise<void> {
  sim.local.world.regionDown(PRIMARY);
  expect((await sim.run(failover, { targetRegion: STANDBY })).status).toBe('succeeded');
  sim.local.world.regionUp(PRIMARY);
  sim.clock.advance(60_000);
  sim.local.world.transact((w) => {
    w.facts.regions[STANDBY]!.peakTasks = {};
  });
  sim.calls.length = 0;
}

const why = `CloudWatch of ${STANDBY}: no RunningTaskCount data point; readiness record: there is no ${READINESS_LATEST_KEY}`;

describe('failback: the peak of the Region left is unknown', () => {
  test('GIVEN no peak WHEN failback THEN it refuses naming capacity-in-place and the override that lifts it, before any writer or traffic moved', async () => {
    const sim = simulation();
    await failedOverAndBackWithoutPeak(sim);
    const result = await sim.run(failback, {});
    expect(result.status).toBe('failed');
    expect(result.error?.step).toBe('check-failback-capacity');
    expect(result.error?.message).toContain(`capacity-in-place: the peak of ${STANDBY} is unknown for ui (${why})`);
    expect(result.error?.message).toContain(
      'unmet: capacity-in-place (to go on anyway once judged safe: overrides=capacity-in-place)',
    );
    expect(mutations(sim.calls).filter((m) => !m.startsWith('capacity.'))).toEqual([]);
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
  });

  test('GIVEN no peak WHEN failback with overrides capacity-in-place THEN it goes back, nothing raised, and the summary records the override', async () => {
    const sim = simulation();
    await failedOverAndBackWithoutPeak(sim);
    const result = await sim.run(failback, { overrides: 'capacity-in-place' });
    expect(result.status).toBe('succeeded');
    expect(result.steps.find((s) => s.step === 'check-failback-capacity')?.detail).toBe(
      SERVICES.map((s) => `OVERRIDDEN capacity-in-place: the peak of ${STANDBY} is unknown for ${s} (${why})`).join(
        '; ',
      ),
    );
    expect(routing(sim)).toEqual({ [PRIMARY]: 'On', [STANDBY]: 'Off' });
    expect(mutations(sim.calls).filter((m) => m.startsWith('capacity.setDesiredCount ["us-east-1"'))).toEqual([]);
    const sink = sim.local.reports as MemoryReportSink;
    const summary = JSON.parse(sink.objects.get(`runs/failback/${result.executionId}/summary.json`)!);
    expect(summary).toMatchObject({
      overrides: 'capacity-in-place',
      overridden: 'capacity-in-place',
    });
  });
});
