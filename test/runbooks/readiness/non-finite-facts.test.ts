import type { RunbookPorts } from '../../../runbooks/ports';
import { backupRetentionCheck } from '../../../runbooks/readiness/checks/backup-retention';
import { capacityCheck } from '../../../runbooks/readiness/checks/capacity';
import { capacityHeadroomCheck } from '../../../runbooks/readiness/checks/capacity-headroom';
import { replicationCheck } from '../../../runbooks/readiness/checks/replication';
import { tableReplicationCheck } from '../../../runbooks/readiness/checks/table-replication';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';
import { evaluate } from './readiness-simulation';

// A number that is not finite (NaN, Infinity) compares false with everything: `NaN > max` and `NaN < min` are both
// false, so a check that only looks for "over the target" or "under the minimum" found nothing wrong and said GREEN
// about a value it could not judge. Each check below must say it could not decide (INCONCLUSIVE), never GREEN.

/** `ports` with one method of one port answering what the real one answers, changed by `change`. */
function changed<P extends keyof RunbookPorts>(
  port: P,
  method: keyof RunbookPorts[P] & string,
  change: (answer: never, ...args: never[]) => unknown,
) {
  return (ports: RunbookPorts): RunbookPorts => ({
    ...ports,
    [port]: new Proxy(ports[port] as object, {
      get: (target, name, receiver) => {
        const real = Reflect.get(target, name, receiver);
        if (name !== method) return real;
        return async (...args: never[]) =>
          change((await (real as (...a: never[]) => Promise<never>).apply(target, args)) as never, ...args);
      },
    }),
  });
}

describe.each([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
])('a fact read as %s', (_, value) => {
  test('GIVEN a DynamoDB ReplicationLatency WHEN table-replication is checked THEN INCONCLUSIVE, never GREEN', async () => {
    const result = await evaluate(simulation(), tableReplicationCheck, {
      ports: changed('facts', 'tableReplicationLatencySeconds', () => value),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns[0]).toMatch(/^table shop-dev-carts: ReplicationLatency from .* is not a number of seconds/);
  });

  test("GIVEN the other Region's peak task count of a service WHEN capacity-headroom is checked THEN INCONCLUSIVE", async () => {
    const result = await evaluate(simulation(), capacityHeadroomCheck, {
      ports: changed('facts', 'peakRunningTasks', (peaks: Record<string, number>) => ({ ...peaks, orders: value })),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `service orders: its RunningTaskCount peak in ${PRIMARY} over the last 24 h is ${value}, not a task count, so the tasks it needs could not be computed`,
    ]);
  });

  test('GIVEN the Fargate vCPU quota WHEN capacity-headroom is checked THEN INCONCLUSIVE', async () => {
    const result = await evaluate(simulation(), capacityHeadroomCheck, {
      ports: changed('facts', 'fargateVcpuQuota', (quota: object) => ({ ...quota, limit: value })),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `Fargate On-Demand vCPU quota of ${STANDBY}: the quota was read as ${value}, not a number of vCPU, so the headroom for 5 more vCPU is unknown`,
    ]);
  });

  test("GIVEN a service's task vCPU WHEN capacity-headroom is checked THEN INCONCLUSIVE", async () => {
    const result = await evaluate(simulation(), capacityHeadroomCheck, {
      ports: changed('facts', 'services', (facts: Record<string, object>) => ({
        ...facts,
        ...(facts.orders ? { orders: { ...facts.orders, vcpu: value } } : {}),
      })),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([
      `service orders: its task size or running count in ${STANDBY} is not a number (vCPU ${value}, running 2), so the vCPU it would add is unknown`,
    ]);
  });

  test("GIVEN a cluster's backup retention WHEN backup-retention is checked THEN INCONCLUSIVE", async () => {
    const result = await evaluate(simulation(), backupRetentionCheck, {
      ports: changed('facts', 'clusters', (facts: Record<string, object>) =>
        Object.fromEntries(Object.entries(facts).map(([id, f]) => [id, { ...f, backupRetentionDays: value }])),
      ),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns[0]).toMatch(/: its backup retention was read as (NaN|Infinity) days, not a number of days$/);
  });

  test('GIVEN the running task count of a service WHEN capacity is checked THEN INCONCLUSIVE', async () => {
    const result = await evaluate(simulation(), capacityCheck, {
      ports: changed('health', 'runningTasks', (running: Record<string, number>) => ({ ...running, orders: value })),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns).toEqual([`service orders: RunningTaskCount in ${STANDBY} read as ${value}, not a count`]);
  });

  test('GIVEN the AuroraGlobalDBRPOLag WHEN replication is checked THEN INCONCLUSIVE', async () => {
    const result = await evaluate(simulation(), replicationCheck, {
      ports: changed('health', 'replicationLagSeconds', () => value),
    });
    expect(result.verdict).toBe('INCONCLUSIVE');
    expect(result.unknowns[0]).toMatch(/: AuroraGlobalDBRPOLag of .* read as (NaN|Infinity), not a number of seconds$/);
  });
});
