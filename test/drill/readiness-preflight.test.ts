import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DrillPorts } from '../../drill/adapters/drill-ports';
import { DRILL_NAMES, DRILL_SERVICES } from '../../drill/drill-topology';
import { preflightFailure, preflightReadiness } from '../../drill/preflight-readiness';
import type { TwoRegionShop } from '../../drill/two-region-shop';
import { READINESS_CHECKS } from '../../runbooks/readiness/readiness-checks';
import { parseReadinessRecord, READINESS_LATEST_KEY } from '../../runbooks/readiness/readiness-record';
import { type RunningShop, startRunningShop } from './running-shop';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

// Issue 17: "The local drill runs the same checks against its two simulated Regions (and fails its preflight when
// one is red)". The preflight on a running two-Region shop: every check of READINESS_CHECKS for both Regions.
describe('the drill preflight on a running two-Region shop', () => {
  let work: string;
  let shop: TwoRegionShop;
  let drill: DrillPorts;
  let running: RunningShop | undefined;

  beforeAll(async () => {
    running = await startRunningShop('drp-');
    ({ work, shop, drill } = running);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  test('GIVEN a canary run passed WHEN the preflight runs THEN both Regions are GREEN on every check and the standby Region’s record is stored with the primary’s peak', async () => {
    shop.canaryAlarms.recordRun(true);
    const result = await preflightReadiness(shop.topology, drill.ports);

    expect({ verdict: result.verdict, failures: result.failures }).toEqual({ verdict: 'GREEN', failures: [] });
    expect(preflightFailure(result)).toBeUndefined();
    expect(Object.keys(result.regions)).toEqual([EAST, WEST]);
    for (const evaluation of Object.values(result.regions)) {
      expect(evaluation.checks.map((c) => c.name)).toEqual(READINESS_CHECKS.map((c) => c.name));
    }
    const record = parseReadinessRecord(
      JSON.parse(await readFile(path.join(work, 'runbook', 'reports', READINESS_LATEST_KEY), 'utf8')),
      'latest',
    );
    expect(record).toEqual(
      expect.objectContaining({
        region: WEST,
        targetRegion: WEST,
        otherRegion: EAST,
        verdict: 'GREEN',
        otherRegionPeak: {
          region: EAST,
          hours: 24,
          measuredAt: expect.any(String),
          tasks: Object.fromEntries(DRILL_SERVICES.map((s) => [s, 2])),
        },
      }),
    );
    expect(record.checks.map((c) => c.name)).toEqual(result.regions[WEST]!.checks.map((c) => c.name));
  });

  test('GIVEN the standby Region’s services are stopped WHEN the preflight runs THEN it is RED and names each check with what it found', async () => {
    shop.canaryAlarms.recordRun(true);
    await shop.stopServices(WEST);
    try {
      const result = await preflightReadiness(shop.topology, drill.ports);
      expect(result.verdict).toBe('RED');
      // AND the other Region cannot be judged equal to a Region that runs nothing: INCONCLUSIVE, never GREEN
      expect(result.regions[EAST]!.verdict).toBe('INCONCLUSIVE');
      expect(result.failures).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^us-west-2 services-healthy RED: http:\/\/127\.0\.0\.1:\d+\/health\/ready is unhealthy/,
          ),
          `us-west-2 capacity RED: ${DRILL_SERVICES.map((s) => `service ${s}: 0 running tasks in us-west-2; needs at least 1`).join('; ')}`,
          `us-east-1 image-parity INCONCLUSIVE: ${DRILL_SERVICES.map((s) => `service ${s}: no running task in us-west-2, so its image digests could not be compared`).join('; ')}`,
        ]),
      );
      expect(preflightFailure(result)).toMatch(
        /^the readiness preflight is RED: us-east-1 image-parity INCONCLUSIVE: .* \| us-west-2 services-healthy RED: /,
      );
    } finally {
      await shop.restartServices(WEST);
    }
  });

  test('GIVEN the canary has not reported since a Region came back WHEN the preflight runs THEN it is INCONCLUSIVE and the drill stops on it', async () => {
    shop.canaryAlarms.recordRun(true);
    shop.canaryAlarms.regionBack(WEST);
    try {
      const result = await preflightReadiness(shop.topology, drill.ports);
      expect(result.verdict).toBe('INCONCLUSIVE');
      const line = expect.stringMatching(
        new RegExp(
          `^us-(east-1|west-2) canaries-green INCONCLUSIVE: canary alarm ${DRILL_NAMES.canaryAlarm(WEST)} in ${WEST} is INSUFFICIENT_DATA since .*: the canary is not reporting$`,
        ),
      );
      expect(result.failures).toEqual([line, line]);
      expect(preflightFailure(result)).toMatch(/^the readiness preflight is INCONCLUSIVE: /);
    } finally {
      shop.canaryAlarms.recordRun(true);
    }
  });
});
