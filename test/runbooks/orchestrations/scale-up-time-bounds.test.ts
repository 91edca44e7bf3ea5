import { failover } from '../../../runbooks/orchestrations';
import type { RunbookPorts } from '../../../runbooks/ports';
import { READINESS_LATEST_KEY } from '../../../runbooks/readiness/readiness-record';
import { recordWithPeak } from '../support/readiness-record-fixture';
import { PRIMARY, routing, STANDBY, simulation } from '../support/simulation';

// Issue 17: the failover raises the target "before traffic shifts (unplanned: without waiting longer than the
// configured budget)". The failed Region of an unplanned failover often does not refuse its calls: they hang. These
// tests measure REAL time (the bounds of the peak read and of the scale-up are timers, not the clock port): the whole
// scale-up, the read of the failed Region's peak included, ends within readiness.scaleUpBudgetSeconds.

/** The ports where `method` of `port` never answers for `region` (a frozen Region: no refusal, no timeout). */
function hangs(port: 'facts' | 'capacity', method: string, region: string) {
  return (ports: RunbookPorts): RunbookPorts => ({
    ...ports,
    [port]: new Proxy(ports[port] as object, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (property !== method || typeof value !== 'function') return value;
        return (r: string, ...rest: unknown[]) =>
          r === region ? new Promise(() => {}) : value.call(target, r, ...rest);
      },
    }),
  });
}

const withBudget = (seconds: number) =>
  simulation({ topology: (t) => ({ ...t, readiness: { ...t.readiness, scaleUpBudgetSeconds: seconds } }) });

/** Real milliseconds `work` takes. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

describe('failover: the scale-up never holds the traffic longer than scaleUpBudgetSeconds, in real time', () => {
  test("GIVEN the failed Region's CloudWatch hangs and a budget of 2 s WHEN failover THEN the traffic moves within 2 s, the peak read included", async () => {
    const sim = withBudget(2);
    const { value: result, ms } = await timed(() =>
      sim.run(
        failover,
        { targetRegion: STANDBY, failedRegion: PRIMARY },
        { ports: hangs('facts', 'peakRunningTasks', PRIMARY) },
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
    expect(ms).toBeLessThan(2000 + 700);
    // half of the budget for the live read, so the readiness record can still be read within the rest
    expect(result.steps.find((s) => s.step === 'scale-to-peak')?.detail).toContain(
      `ui (CloudWatch of ${PRIMARY}: no answer within 1 s; readiness record: there is no ${READINESS_LATEST_KEY})`,
    );
  }, 20_000);

  test("GIVEN the failed Region's CloudWatch hangs, a readiness record with its peak, the target's RegisterScalableTarget hanging and a budget of 3 s WHEN failover THEN the traffic moves within 3 s (the peak read and the raise share the budget)", async () => {
    const sim = withBudget(3);
    await sim.local.reports.putJson(
      READINESS_LATEST_KEY,
      recordWithPeak({
        region: STANDBY,
        otherRegion: PRIMARY,
        measuredAt: '2026-01-27T09:30:00.000Z',
        tasks: { ui: 5, catalog: 5, carts: 5, orders: 5, checkout: 5 },
      }),
    );
    const { value: result, ms } = await timed(() =>
      sim.run(
        failover,
        { targetRegion: STANDBY, failedRegion: PRIMARY },
        {
          ports: (ports) =>
            hangs('capacity', 'setScalingMinimum', STANDBY)(hangs('facts', 'peakRunningTasks', PRIMARY)(ports)),
        },
      ),
    );
    expect(result.status).toBe('succeeded');
    expect(routing(sim)).toEqual({ [PRIMARY]: 'Off', [STANDBY]: 'On' });
    expect(ms).toBeLessThan(3000 + 700);
    expect(result.steps.find((s) => s.step === 'scale-to-peak')?.detail).toBe(
      `best effort, continuing: the scale-up of ${STANDBY} did not finish within 3 s`,
    );
  }, 30_000);
});
