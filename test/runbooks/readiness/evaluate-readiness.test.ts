import { MUTATING_METHODS, RECORDING_METHODS } from '../../../runbooks/ports';
import { evaluateReadiness } from '../../../runbooks/readiness/evaluate-readiness';
import { overallVerdict, type ReadinessCheck } from '../../../runbooks/readiness/readiness-check';
import { READINESS_CHECKS } from '../../../runbooks/readiness/readiness-checks';
import { instrument, type PortCall } from '../support/instrumented-ports';
import { PRIMARY, STANDBY, simulation } from '../support/simulation';
import { readinessContext } from './readiness-simulation';

const check = (name: string, assess: ReadinessCheck['assess']): ReadinessCheck => ({
  name,
  title: name,
  scope: 'standing',
  whenRed: `${name} is red`,
  uses: [],
  assess,
});

describe('evaluateReadiness', () => {
  test('GIVEN a healthy simulated world WHEN every check is evaluated for either Region THEN all GREEN', async () => {
    const sim = simulation();
    for (const target of [STANDBY, PRIMARY]) {
      const evaluation = await evaluateReadiness(readinessContext(sim, { target }), READINESS_CHECKS);
      expect(evaluation.checks.map((c) => [c.name, c.verdict, c.failures, c.unknowns])).toEqual(
        READINESS_CHECKS.map((c) => [c.name, 'GREEN', [], []]),
      );
      expect(evaluation.verdict).toBe('GREEN');
    }
  });

  test('GIVEN a check that throws between a red and a green one WHEN evaluated THEN it is INCONCLUSIVE, every check still runs, and the whole is RED', async () => {
    const ran: string[] = [];
    const checks = [
      check('red', async () => {
        ran.push('red');
        return { failures: ['broken'], notes: [] };
      }),
      check('throws', async () => {
        ran.push('throws');
        throw new Error('AccessDenied');
      }),
      check('green', async () => {
        ran.push('green');
        return { failures: [], notes: ['fine'], evidence: { read: 1 } };
      }),
    ];
    const evaluation = await evaluateReadiness(readinessContext(simulation()), checks);
    expect(ran).toEqual(['red', 'throws', 'green']);
    expect(evaluation.checks.map((c) => [c.name, c.verdict, c.unknowns])).toEqual([
      ['red', 'RED', []],
      ['throws', 'INCONCLUSIVE', ['throws could not run: AccessDenied']],
      ['green', 'GREEN', []],
    ]);
    expect(evaluation.checks[2]).toMatchObject({ whenRed: 'green is red', notes: ['fine'], evidence: { read: 1 } });
    expect(evaluation.verdict).toBe('RED');
  });

  test('GIVEN the other Region down WHEN every check is evaluated THEN nothing is GREEN that needed it, and the whole is INCONCLUSIVE at best', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const evaluation = await evaluateReadiness(readinessContext(sim), READINESS_CHECKS);
    const verdicts = Object.fromEntries(evaluation.checks.map((c) => [c.name, c.verdict]));
    for (const name of ['image-parity', 'task-settings-parity', 'engine-version-parity', 'capacity-headroom']) {
      expect(verdicts[name]).toBe('INCONCLUSIVE');
    }
    expect(evaluation.verdict).not.toBe('GREEN');
  });

  test('GIVEN every check WHEN evaluated (with a snapshot to survey and both routing controls On) THEN each calls only port methods it declares, none that changes or writes anything', async () => {
    // The scheduled function's IAM policy is derived from the checks' `uses`: a method called but not declared
    // would be AccessDenied in AWS, i.e. a check INCONCLUSIVE forever.
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.snapshots.push({
        region: PRIMARY,
        identifier: `rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-09-00`,
        arn: `arn:aws:rds:${PRIMARY}:000000000000:cluster-snapshot:rds:unplanned-global-failover-shop-dev-orders-${PRIMARY}-2026-01-27-09-00`,
        clusterIdentifier: `shop-dev-orders-${PRIMARY}`,
        status: 'available',
        createdAt: '2026-01-27T09:00:00.000Z',
        readyAt: '2026-01-27T09:00:00.000Z',
        engine: 'aurora-postgresql',
        engineVersion: '16.6',
      });
      for (const control of Object.keys(w.routing)) w.routing[control] = 'On';
    });
    const undeclared: string[] = [];
    const written: string[] = [];
    for (const check of READINESS_CHECKS) {
      const calls: PortCall[] = [];
      await evaluateReadiness(readinessContext(sim, { ports: (p) => instrument(p, calls) }), [check]);
      for (const call of calls) {
        if (!check.uses.includes(call.method)) undeclared.push(`${check.name} calls ${call.method}`);
        if ([...MUTATING_METHODS, ...RECORDING_METHODS].includes(call.method))
          written.push(`${check.name}: ${call.method}`);
      }
    }
    expect(undeclared).toEqual([]);
    expect(written).toEqual([]);
  });

  test('GIVEN verdicts WHEN combined THEN RED wins, then INCONCLUSIVE; none at all is INCONCLUSIVE', () => {
    expect(overallVerdict(['GREEN', 'INCONCLUSIVE', 'RED'])).toBe('RED');
    expect(overallVerdict(['GREEN', 'INCONCLUSIVE'])).toBe('INCONCLUSIVE');
    expect(overallVerdict(['GREEN'])).toBe('GREEN');
    expect(overallVerdict([])).toBe('INCONCLUSIVE');
  });
});
