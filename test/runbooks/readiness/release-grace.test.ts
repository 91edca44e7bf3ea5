import { SIMULATED_COMMIT, simulatedDigest } from '../../../runbooks/adapters/local/simulated-world';
import { imageParityCheck } from '../../../runbooks/readiness/checks/image-parity';
import { taskSettingsParityCheck } from '../../../runbooks/readiness/checks/task-settings-parity';
import { PRIMARY, type Simulation, STANDBY, simulation } from '../support/simulation';
import { evaluate, failing } from './readiness-simulation';

// Release awareness: a release deploys the primary, bakes it, then deploys the standby; in between the Regions run
// different images and settings. The parity checks tolerate that while the Regions report different deployed commits
// (each services stack's `/<stack>/deployed-commit` SSM parameter) and the newer deploy is younger than
// readiness.releaseGraceMinutes (default 100); drift without a release, a release stuck past the grace, or a commit
// that cannot be read stays RED.

const NEW_COMMIT = 'fedcba9876543210fedcba9876543210fedcba98';
const NOW = Date.parse('2026-01-27T10:00:00.000Z');
const parameterOf = (sim: Simulation, region: string) => sim.topology.regions[region]!.deployedCommitParameterName!;
const minutesAgo = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

/** The primary deployed NEW_COMMIT `minutes` ago, with a new orders image and a new orders LOG_LEVEL. */
function primaryReleased(sim: Simulation, minutes: number, commit = NEW_COMMIT): void {
  sim.local.world.transact((w) => {
    const orders = w.facts.regions[PRIMARY]!.services.orders!;
    orders.digests.orders = simulatedDigest('shop/orders:2');
    const env = (orders.settings.containerDefinitions as { environment: { name: string; value: string }[] }[])[0]!
      .environment;
    env.find((e) => e.name === 'LOG_LEVEL')!.value = 'debug';
    w.facts.regions[PRIMARY]!.deployedCommits![parameterOf(sim, PRIMARY)] = { commit, since: minutesAgo(minutes) };
  });
}

const IMAGE_FAILURE = `service orders, container orders: ${STANDBY} runs ${simulatedDigest('shop/orders:1')}, ${PRIMARY} runs ${simulatedDigest('shop/orders:2')}; expected: the same image digests in both Regions`;

describe('image-parity during a release', () => {
  test('GIVEN the primary deployed a new commit 30 minutes ago and the standby not yet WHEN checked THEN GREEN with a note naming both commits, since when and until when', async () => {
    const sim = simulation();
    primaryReleased(sim, 30);
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.failures).toEqual([]);
    expect(result.notes).toContain(
      `release in progress: ${PRIMARY} deployed commit ${NEW_COMMIT} at ${minutesAgo(30)}, ${STANDBY} still runs commit ${SIMULATED_COMMIT} (deployed at ${minutesAgo(1440)}); the difference is tolerated until ${minutesAgo(30 - 100)} (readiness.releaseGraceMinutes: 100 after the newer deploy)`,
    );
    expect(result.notes).toContain(`tolerated during the release: ${IMAGE_FAILURE}`);
    expect(result.evidence.release).toEqual({
      graceMinutes: 100,
      [STANDBY]: { commit: SIMULATED_COMMIT, since: minutesAgo(1440) },
      [PRIMARY]: { commit: NEW_COMMIT, since: minutesAgo(30) },
      tolerated: true,
      toleratedUntil: minutesAgo(-70),
    });
  });

  test('GIVEN the newer deploy is 101 minutes old (grace 100) WHEN checked THEN RED as without a release, and the note says the grace ended', async () => {
    const sim = simulation();
    primaryReleased(sim, 101);
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([IMAGE_FAILURE]);
    expect(result.notes).toContain(
      `not a release in progress: ${PRIMARY} deployed commit ${NEW_COMMIT} at ${minutesAgo(101)}, ${STANDBY} runs commit ${SIMULATED_COMMIT}; a difference is tolerated only until ${minutesAgo(1)} (readiness.releaseGraceMinutes: 100 after the newer deploy)`,
    );
    expect(result.evidence.release).toMatchObject({ tolerated: false, toleratedUntil: minutesAgo(1) });
  });

  test('GIVEN a configured grace of 20 minutes and a deploy 30 minutes ago WHEN checked THEN RED', async () => {
    const sim = simulation();
    primaryReleased(sim, 30);
    const result = await evaluate(sim, imageParityCheck, { readiness: { releaseGraceMinutes: 20 } });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([IMAGE_FAILURE]);
  });

  test('GIVEN both Regions report the same commit but the images differ WHEN checked THEN RED: drift, not a release', async () => {
    const sim = simulation();
    primaryReleased(sim, 5, SIMULATED_COMMIT);
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([IMAGE_FAILURE]);
    expect(result.notes).toContain(
      `not a release in progress: both Regions report deployed commit ${SIMULATED_COMMIT} (${STANDBY} since ${minutesAgo(1440)}, ${PRIMARY} since ${minutesAgo(5)}): the difference is drift`,
    );
    expect(result.evidence.release).toMatchObject({ tolerated: false });
  });

  test('GIVEN the deployed commit cannot be read and the images differ WHEN checked THEN RED, the unread commit named as unknown', async () => {
    const sim = simulation();
    primaryReleased(sim, 30);
    const result = await evaluate(sim, imageParityCheck, { ports: failing('facts', 'deployedCommit') });
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([IMAGE_FAILURE]);
    expect(result.unknowns).toEqual([
      `deployed commit of ${STANDBY} (${parameterOf(sim, STANDBY)}) could not be read: facts.deployedCommit: connect ETIMEDOUT (simulated); the difference is not excused as a release`,
      `deployed commit of ${PRIMARY} (${parameterOf(sim, PRIMARY)}) could not be read: facts.deployedCommit: connect ETIMEDOUT (simulated); the difference is not excused as a release`,
    ]);
  });

  test('GIVEN the deployed commit cannot be read and the images are equal WHEN checked THEN GREEN: the commit is not needed', async () => {
    const result = await evaluate(simulation(), imageParityCheck, { ports: failing('facts', 'deployedCommit') });
    expect(result.verdict).toBe('GREEN');
    expect(result.unknowns).toEqual([]);
  });

  test('GIVEN the standby has no deployed-commit parameter WHEN the images differ THEN RED naming the missing parameter', async () => {
    const sim = simulation();
    primaryReleased(sim, 30);
    sim.local.world.transact((w) => {
      w.facts.regions[STANDBY]!.deployedCommits = {};
    });
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.unknowns).toEqual([
      `deployed commit of ${STANDBY} (${parameterOf(sim, STANDBY)}) could not be read: parameter not found; the difference is not excused as a release`,
    ]);
  });

  test('GIVEN a topology without deployed-commit parameters WHEN the images differ THEN RED, saying release awareness is not configured', async () => {
    const sim = simulation({
      topology: (t) => ({
        ...t,
        regions: Object.fromEntries(
          Object.entries(t.regions).map(([r, s]) => [r, { ...s, deployedCommitParameterName: undefined }]),
        ),
      }),
    });
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.services.orders!.digests.orders = simulatedDigest('shop/orders:2');
    });
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.unknowns).toEqual([
      `deployed commit of ${STANDBY} could not be read: no deployedCommitParameterName in the topology; the difference is not excused as a release`,
      `deployed commit of ${PRIMARY} could not be read: no deployedCommitParameterName in the topology; the difference is not excused as a release`,
    ]);
  });
});

describe('task-settings-parity during a release', () => {
  const SETTINGS_FAILURE = `service orders: task definition settings differ in 1 key: containerDefinitions[orders].environment[LOG_LEVEL].value (${STANDBY}: "info", ${PRIMARY}: "debug"); expected: the same settings in both Regions (Region names and account ids aside)`;

  test('GIVEN the primary deployed a new commit 99 minutes ago WHEN checked THEN GREEN with the release note and evidence', async () => {
    const sim = simulation();
    primaryReleased(sim, 99);
    const result = await evaluate(sim, taskSettingsParityCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes).toContain(`tolerated during the release: ${SETTINGS_FAILURE}`);
    expect(
      result.notes.some((n) => n.startsWith(`release in progress: ${PRIMARY} deployed commit ${NEW_COMMIT}`)),
    ).toBe(true);
    expect(result.evidence.release).toMatchObject({ tolerated: true, toleratedUntil: minutesAgo(-1) });
  });

  test('GIVEN the release is stuck past the grace WHEN checked THEN RED as without a release', async () => {
    const sim = simulation();
    primaryReleased(sim, 240);
    const result = await evaluate(sim, taskSettingsParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([SETTINGS_FAILURE]);
  });

  test('GIVEN equal commits WHEN a setting differs THEN RED', async () => {
    const sim = simulation();
    primaryReleased(sim, 10, SIMULATED_COMMIT);
    const result = await evaluate(sim, taskSettingsParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toEqual([SETTINGS_FAILURE]);
  });
});

describe('image-parity while the second Region rolls out the release', () => {
  // Both Regions' parameters show the new commit once the second Region's stack is updated, but for a few minutes its
  // ECS rolling deployment runs tasks of the old image beside the new ones: the digests of the rolling Region are
  // then a superset of the other's. Tolerated within the grace after the newer deploy; after it, or when neither
  // side's digests contain the other's, it is drift (RED).
  function rolling(sim: Simulation, minutes: number, standbyDigests: string[]): void {
    sim.local.world.transact((w) => {
      w.facts.regions[PRIMARY]!.services.orders!.digests.orders = simulatedDigest('shop/orders:2');
      w.facts.regions[PRIMARY]!.deployedCommits![parameterOf(sim, PRIMARY)] = {
        commit: NEW_COMMIT,
        since: minutesAgo(60),
      };
      w.facts.regions[STANDBY]!.services.orders!.digests.orders = standbyDigests;
      w.facts.regions[STANDBY]!.deployedCommits![parameterOf(sim, STANDBY)] = {
        commit: NEW_COMMIT,
        since: minutesAgo(minutes),
      };
    });
  }
  const OLD = simulatedDigest('shop/orders:1');
  const NEW = simulatedDigest('shop/orders:2');

  test('GIVEN both Regions report the new commit and the standby, deployed 3 minutes ago, still runs the old image beside the new WHEN checked THEN GREEN with a note that the rollout is in progress', async () => {
    const sim = simulation();
    rolling(sim, 3, [OLD, NEW]);
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('GREEN');
    expect(result.notes[0]).toBe(
      `rollout in progress: both Regions report deployed commit ${NEW_COMMIT} and ${STANDBY} (deployed at ${minutesAgo(3)}) still runs earlier images beside them; tolerated until ${minutesAgo(3 - 100)} (readiness.releaseGraceMinutes: 100 after the newer deploy)`,
    );
    expect(result.evidence.release).toMatchObject({ tolerated: true, rollout: true });
  });

  test('GIVEN the same mixed tasks 101 minutes after the deploy WHEN checked THEN RED: a rollout stuck past the grace', async () => {
    const sim = simulation();
    rolling(sim, 101, [OLD, NEW]);
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('RED');
    expect(result.failures).toHaveLength(1);
  });

  test('GIVEN both Regions report the new commit but the standby runs only the old image WHEN checked THEN RED: drift, not a rollout', async () => {
    const sim = simulation();
    rolling(sim, 3, [OLD]);
    const result = await evaluate(sim, imageParityCheck);
    expect(result.verdict).toBe('RED');
  });
});
