import { loadConfig } from '../../config';
import { alarmNames, canaryNames, routingNames } from '../../stacks';
import { committedWorkflow, type WorkflowStep as Step } from './committed-workflow';

// The bakes as the committed deploy.yml runs them (workflows.test.ts checks that file is what synth generates).
// Review M2(5): after the routing stage both Regions are baked, each in its own CloudWatch; M12: every bake runs the
// Region's readiness runbook as a dry run and refuses alarms the release redefined; M2(3)/(4): the gate watches the
// 5xx rate, latency and internal services' alarms.

const deploy = committedWorkflow('deploy.yml');
const config = loadConfig();
const { appName, envName, primaryRegion, standbyRegion } = config;
const canaries = canaryNames(appName, envName);
const ROUTING_DEPLOY = `Global-${appName}-${envName}-global-routing-Deploy`;

/** The bakes of a release: the primary's before routing, then both Regions after it. */
const BAKES = [
  { job: 'Primary-BakePrimary', region: primaryRegion, routed: false },
  { job: 'Global-BakeStandby', region: standbyRegion, routed: true },
  { job: 'Global-RebakePrimary', region: primaryRegion, routed: true },
] as const;

const isCredentials = (step: Step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@') === true;
const stepOf = (job: string, mode: string) => deploy.jobs[job]!.steps.find((s) => s.env?.['INPUT_MODE'] === mode)!;

/** Every job that needs `id`, directly or not. */
function descendants(id: string): Set<string> {
  const found = new Set<string>();
  for (const [other, job] of Object.entries(deploy.jobs)) {
    if (job.needs?.includes(id)) {
      found.add(other);
      for (const next of descendants(other)) found.add(next);
    }
  }
  return found;
}

describe('the bakes of deploy.yml', () => {
  test('the primary is baked before routing on its own alarms; after routing both Regions are baked, global canary included (M2(5))', () => {
    const watched = BAKES.map(({ job }) => {
      const watch = stepOf(job, 'watch');
      return {
        job,
        region: watch.env?.['INPUT_REGION'],
        alarms: watch.env?.['INPUT_ALARM_NAMES']?.split(','),
        canaries: watch.env?.['INPUT_CANARY_NAMES']?.split(','),
      };
    });
    expect(watched).toEqual([
      {
        job: 'Primary-BakePrimary',
        region: primaryRegion,
        alarms: alarmNames(appName, envName, primaryRegion).regionalBakeGate,
        canaries: [canaries.local],
      },
      {
        job: 'Global-BakeStandby',
        region: standbyRegion,
        alarms: alarmNames(appName, envName, standbyRegion).bakeGate,
        canaries: [canaries.local, canaries.global],
      },
      {
        job: 'Global-RebakePrimary',
        region: primaryRegion,
        alarms: alarmNames(appName, envName, primaryRegion).bakeGate,
        canaries: [canaries.local, canaries.global],
      },
    ]);
    for (const { job } of BAKES.filter((bake) => bake.routed)) {
      expect(deploy.jobs[job]!.needs).toContain(ROUTING_DEPLOY);
    }
    // The two bakes after routing run side by side: neither needs the other.
    expect(descendants('Global-BakeStandby').has('Global-RebakePrimary')).toBe(false);
    expect(descendants('Global-RebakePrimary').has('Global-BakeStandby')).toBe(false);
  });

  test('the gate watches the 5xx rate, the p99 latency and the four internal services (M2(3), M2(4))', () => {
    const alarms = stepOf('Primary-BakePrimary', 'watch').env?.['INPUT_ALARM_NAMES']?.split(',');
    const prefix = `${appName}-${envName}-${primaryRegion}`;
    expect(alarms).toEqual(
      expect.arrayContaining([
        `${prefix}-5xx-rate`,
        `${prefix}-latency-p99`,
        ...['catalog', 'carts', 'orders', 'checkout'].map((service) => `${prefix}-${service}-deployment`),
      ]),
    );
  });

  test.each(BAKES)(
    '$job runs the readiness runbook of $region as a dry run before its watch, which gives the verdict (M12)',
    ({ job, region, routed }) => {
      const steps = deploy.jobs[job]!.steps;
      const readiness = steps.findIndex((s) => s.env?.['INPUT_MODE'] === 'readiness');
      const watch = steps.findIndex((s) => s.env?.['INPUT_MODE'] === 'watch');
      expect(readiness).toBeGreaterThan(-1);
      expect(readiness).toBeLessThan(watch);
      expect(steps[readiness]).toMatchObject({
        id: 'readiness',
        'continue-on-error': true,
        env: {
          INPUT_MODE: 'readiness',
          INPUT_REGION: region,
          INPUT_APP_NAME: appName,
          INPUT_ENV_NAME: envName,
          INPUT_REASON: 'bake of ${{ github.sha }}',
        },
      });
      // Deferred only in the primary's bake before routing, while the routing stack's parameter does not exist.
      expect(steps[readiness]!.env?.['INPUT_ROUTING_PARAMETER']).toBe(
        routed ? undefined : routingNames(appName, envName).routingParameter,
      );
      expect(steps[watch]!.env?.['INPUT_READINESS']).toBe("${{ steps.readiness.outputs.readiness || 'none' }}");
      // Fresh credentials for the watch: the readiness follow may take 5 of the 30 minutes.
      expect(steps.slice(0, readiness).filter(isCredentials)).toHaveLength(1);
      expect(steps.slice(readiness + 1, watch).filter(isCredentials)).toHaveLength(1);
    },
  );

  test.each(BAKES)(
    '$job refuses gate alarms the release redefined, unless its commit accepts it (M12)',
    ({ job, region }) => {
      const watch = stepOf(job, 'watch');
      expect(watch.env).toMatchObject({
        INPUT_ALARM_DEFINITIONS_SINCE: '${{ needs.Build-Build.outputs.started_at }}',
        INPUT_ACCEPT_ALARM_CHANGES: "${{ contains(github.event.head_commit.message, 'Alarm-Change: accepted') }}",
        INPUT_ALARM_STACKS: `${appName}-${envName}-${region}-services,${appName}-${envName}-${region}-observability`,
      });
      expect(deploy.jobs[job]!.needs).toContain('Build-Build');
      const synth = deploy.jobs['Build-Build']!;
      expect(synth.outputs).toEqual({ started_at: '${{ steps.run-start.outputs.started_at }}' });
      expect(synth.steps.find((s) => s.id === 'run-start')?.run).toBe(
        'echo "started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"',
      );
    },
  );

  test.each(BAKES)('$job has time for its readiness follow and a whole watch', ({ job }) => {
    const watch = Number(stepOf(job, 'watch').env?.['INPUT_WATCH_MINUTES']);
    const readiness = Number(stepOf(job, 'readiness').env?.['INPUT_TIMEOUT_MINUTES']);
    expect((deploy.jobs[job] as { 'timeout-minutes'?: number })['timeout-minutes']).toBeGreaterThanOrEqual(
      readiness + watch + 5,
    );
  });

  test.each(BAKES)('$job exposes its verdict, its watch start and its readiness outcome', ({ job }) => {
    expect(deploy.jobs[job]!.outputs).toMatchObject({
      verdict: '${{ steps.watch.outputs.result }}',
      window_start: '${{ steps.watch.outputs.window_start }}',
      readiness: '${{ steps.readiness.outputs.readiness }}',
    });
  });

  test('each Region records its candidate after its own bake; both are confirmed once both bakes after routing passed (M5)', () => {
    const commands = (id: string) =>
      deploy.jobs[id]!.steps.map((step) => step.env?.['INPUT_COMMAND']).filter((command) => command !== undefined);
    expect(commands('Primary-BakePrimary')).toEqual(['record']);
    expect(commands('Global-BakeStandby')).toEqual(['record']);
    expect(commands('Global-RebakePrimary')).toEqual([]);
    expect(commands('Global-ConfirmKnownGood')).toEqual(['confirm']);
    expect(deploy.jobs['Global-ConfirmKnownGood']!.needs).toEqual(
      expect.arrayContaining(['Global-BakeStandby', 'Global-RebakePrimary']),
    );
    const confirms = Object.values(deploy.jobs).flatMap((job) =>
      job.steps.filter((step) => step.env?.['INPUT_COMMAND'] === 'confirm'),
    );
    expect(confirms).toHaveLength(1);
  });

  test.each(['Rollback-Primary', 'Rollback-Standby'])(
    '%s rolls back when the primary fails its bake after routing (both Regions run the release that failed)',
    (id) => {
      const rollback = deploy.jobs[id]!;
      expect(rollback.needs).toEqual(expect.arrayContaining(['Global-BakeStandby', 'Global-RebakePrimary']));
      expect(rollback.if).toContain("needs.Global-RebakePrimary.outputs.verdict == 'failed'");
      expect(rollback.if).toContain("needs.Global-BakeStandby.outputs.verdict == 'failed'");
    },
  );
});
