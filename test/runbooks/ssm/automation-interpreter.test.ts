import { failover, ORCHESTRATION_NAMES, ORCHESTRATIONS, switchover } from '../../../runbooks/orchestrations';
import type { RunbookPorts } from '../../../runbooks/ports';
import { type AutomationDocument, automationDocument } from '../../../runbooks/ssm/automation-document';
import { PRIMARY, type Simulation, STANDBY, simulation, writerRegions } from '../support/simulation';
import {
  AutomationDocumentError,
  type ExecutionResult,
  executeAutomation,
  UndocumentedBehaviourError,
} from './automation-interpreter';
import { overridePort } from './port-override';
import { type Invocation, runbookFunctions, runbookTargets } from './runbook-functions';

const REASON = 'drill: the primary Region is down';

/** What each orchestration needs before its document can succeed, and the parameters it runs with. */
interface Scenario {
  readonly region: string;
  readonly parameters: Readonly<Record<string, string>>;
  setup?(sim: Simulation): Promise<void>;
}

/** An unplanned failover to the standby, then the primary Region back (its snapshots appear). */
async function afterUnplannedFailover(sim: Simulation): Promise<void> {
  sim.local.world.regionDown(PRIMARY);
  expect((await sim.run(failover, { targetRegion: STANDBY })).status).toBe('succeeded');
  sim.clock.advance(5 * 60_000);
  sim.local.world.regionUp(PRIMARY);
}

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  readiness: { region: STANDBY, parameters: { TargetRegion: STANDBY } },
  failover: {
    region: STANDBY,
    parameters: { TargetRegion: STANDBY, Reason: REASON },
    setup: async (sim) => sim.local.world.regionDown(PRIMARY),
  },
  switchover: { region: STANDBY, parameters: { TargetRegion: STANDBY, Reason: REASON } },
  failback: {
    region: PRIMARY,
    parameters: { TargetRegion: PRIMARY, Reason: REASON },
    setup: async (sim) => {
      expect((await sim.run(switchover, { targetRegion: STANDBY })).status).toBe('succeeded');
    },
  },
  recover: { region: STANDBY, parameters: { TargetRegion: STANDBY, Reason: REASON }, setup: afterUnplannedFailover },
  'initialize-routing': { region: PRIMARY, parameters: { TargetRegion: PRIMARY, Reason: REASON } },
  'preserve-snapshots': {
    region: STANDBY,
    parameters: { TargetRegion: STANDBY, Reason: REASON },
    setup: afterUnplannedFailover,
  },
};

interface Run {
  readonly sim: Simulation;
  readonly result: ExecutionResult;
  readonly invocations: Invocation[];
}

/** Generates the orchestration's document and executes it with the real step handler on the simulated world. */
async function runDocument(
  name: string,
  parameters: Readonly<Record<string, string>>,
  options: {
    sim?: Simulation;
    region?: string;
    document?: (document: AutomationDocument) => AutomationDocument;
    ports?: (ports: RunbookPorts) => RunbookPorts;
  } = {},
): Promise<Run> {
  const sim = options.sim ?? simulation();
  const region = options.region ?? STANDBY;
  const generated = automationDocument(ORCHESTRATIONS[name]!, sim.topology, runbookTargets(region));
  const invocations: Invocation[] = [];
  const result = await executeAutomation({
    document: options.document ? options.document(generated) : generated,
    parameters,
    executionId: `${name}-0000-4000-8000-000000000001`,
    clock: sim.clock,
    functions: runbookFunctions({
      region,
      topology: sim.topology,
      clock: sim.clock,
      ports: options.ports ? options.ports(sim.local.ports) : sim.local.ports,
      vpcPorts: sim.local.ports,
      invocations,
    }),
  });
  return { sim, result, invocations };
}

/** A deep copy to edit. */
const copy = (document: AutomationDocument) => structuredClone(document) as unknown as MutableDocument;
type MutableDocument = {
  mainSteps: { name: string; action: string; inputs: Record<string, unknown>; outputs?: Record<string, string>[] }[];
} & AutomationDocument;
const step = (document: MutableDocument, name: string) => {
  const all = document.mainSteps.flatMap((s) => [s, ...((s.inputs.Steps as MutableDocument['mainSteps']) ?? [])]);
  return all.find((s) => s.name === name)!;
};

const statusOf = (run: Run, invoke: string) =>
  run.result.steps.filter((s) => s.name === invoke).map((s) => s.outputs.Status);

describe('SSM Automation interpreter: the generated documents', () => {
  test('every orchestration has a scenario here', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...ORCHESTRATION_NAMES].sort());
  });

  test.each(ORCHESTRATION_NAMES)(
    '%s runs to success on the simulated world, each step invoked through its loop and branch',
    async (name) => {
      // GIVEN the world the orchestration needs
      const scenario = SCENARIOS[name]!;
      const sim = simulation();
      await scenario.setup?.(sim);
      // WHEN its document runs (DryRun=false)
      const run = await runDocument(
        name,
        { ...scenario.parameters, DryRun: 'false' },
        { sim, region: scenario.region },
      );
      // THEN it succeeds, every orchestration step ran and succeeded, in order, and the journal agrees
      expect(run.result).toMatchObject({ status: 'Success' });
      const steps = ORCHESTRATIONS[name]!.steps(sim.topology).map((s) => s.name);
      const invoked = [...new Set(run.invocations.map((i) => i.event.step))];
      expect(invoked).toEqual(steps);
      expect(run.result.steps.filter((s) => s.name.endsWith('_failed'))).toEqual([]);
      const journal = await sim.local.journal.load(name, run.result.executionId);
      expect(journal?.status).toBe('succeeded');
      // and it relied on exactly the two behaviours the documentation does not state (README, unverified item 8)
      expect(run.result.unverified).toEqual(['integer-variable-in-string-map', 'nested-output-read-after-loop']);
    },
  );

  test('failover moves the writers and the traffic; the report link is in the store_summary Payload', async () => {
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    const run = await runDocument('failover', { TargetRegion: STANDBY, Reason: REASON, DryRun: 'false' }, { sim });
    expect(run.result.status).toBe('Success');
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': STANDBY, 'shop-dev-orders': STANDBY });
    const payload = JSON.parse(run.result.outputs['store_summary_invoke.Payload'] as string);
    expect(payload).toMatchObject({
      Status: 'succeeded',
      ReportUrl: `memory://runs/failover/${run.result.executionId}/`,
    });
  });

  test('a wait that needs several invocations loops, each invocation resuming it, and then succeeds', async () => {
    // GIVEN a global database failover that takes 12 minutes
    const sim = simulation({ timings: { failoverMs: 12 * 60_000 } });
    sim.local.world.regionDown(PRIMARY);
    // WHEN
    const run = await runDocument('failover', { TargetRegion: STANDBY, Reason: REASON, DryRun: 'false' }, { sim });
    // THEN the catalog wait ran three invocations of 270 s: pending, pending, succeeded
    expect(run.result.status).toBe('Success');
    const wait = run.result.steps.filter((s) => s.name === 'wait_for_catalog_failover_invoke');
    expect(wait.map((s) => [s.iteration, s.outputs.Status, s.outputs.Retry])).toEqual([
      [1, 'pending', true],
      [2, 'pending', true],
      [3, 'succeeded', false],
    ]);
    expect(wait.map((s) => (s.endedAt.getTime() - s.startedAt.getTime()) / 1000).slice(0, 2)).toEqual([270, 270]);
    expect(
      run.invocations.filter((i) => i.event.step === 'wait-for-catalog-failover').map((i) => i.event.attempt),
    ).toEqual([1, 2, 3]);
    expect(run.result.outputs['wait_for_catalog_failover.CurrentIteration']).toBe(3);
  });

  test('a wait whose time is up ends the execution Failed at that step, after MaxIterations invocations', async () => {
    // GIVEN a failover that never finishes within the 30-minute wait (8 invocations)
    const sim = simulation({ timings: { failoverMs: 10 * 3600_000 } });
    sim.local.world.regionDown(PRIMARY);
    // WHEN
    const run = await runDocument('failover', { TargetRegion: STANDBY, Reason: REASON, DryRun: 'false' }, { sim });
    // THEN
    expect(run.result).toMatchObject({
      status: 'Failed',
      failedStep: 'wait_for_catalog_failover_failed',
      failureMessage: '$.Account is "111111111111"; desired: wait-for-catalog-failover did not succeed',
    });
    expect(statusOf(run, 'wait_for_catalog_failover_invoke')).toEqual(Array(8).fill('pending'));
    const last = JSON.parse(run.result.outputs['wait_for_catalog_failover_invoke.Payload'] as string);
    expect(last.Detail).toMatch(/no invocation left \(8 of 8\): the wait's time is up$/);
    expect(run.result.steps.some((s) => s.name.startsWith('verify_writers'))).toBe(false);
  });

  test('a step that fails ends the execution Failed at its failing step, and nothing after it runs', async () => {
    // GIVEN the standby misses its secrets: the readiness gate of the switchover fails (for good)
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.secrets[STANDBY] = [];
    });
    // WHEN
    const run = await runDocument('switchover', { TargetRegion: STANDBY, Reason: REASON, DryRun: 'false' }, { sim });
    // THEN one invocation (not retried), the branch went to the failing step, writers untouched
    expect(run.result).toMatchObject({ status: 'Failed', failedStep: 'check_readiness_failed' });
    expect(statusOf(run, 'check_readiness_invoke')).toEqual(['failed']);
    expect(run.result.steps.map((s) => s.name)).not.toContain('switchover_catalog_database');
    expect(writerRegions(sim)).toEqual({ 'shop-dev-catalog': PRIMARY, 'shop-dev-orders': PRIMARY });
  });

  test('a retriable failure is invoked again by the loop, and the step succeeds once the API answers', async () => {
    // GIVEN RDS does not answer the first two describes
    let failures = 2;
    const flaky = (ports: RunbookPorts): RunbookPorts => ({
      ...ports,
      globalDatabase: overridePort(ports.globalDatabase, {
        describe: async (...args: Parameters<RunbookPorts['globalDatabase']['describe']>) => {
          if (failures-- > 0) throw new Error('RDS DescribeGlobalClusters: socket hang up');
          return ports.globalDatabase.describe(...args);
        },
      }),
    });
    const sim = simulation();
    sim.local.world.regionDown(PRIMARY);
    // WHEN (the engine tries a step three times per invocation: the first invocation fails twice, then succeeds)
    const run = await runDocument(
      'failover',
      { TargetRegion: STANDBY, Reason: REASON, DryRun: 'false' },
      { sim, ports: flaky },
    );
    // THEN
    expect(run.result.status).toBe('Success');
    expect(statusOf(run, 'validate_input_invoke')).toEqual(['succeeded']);
  });

  test('a retriable failure that persists stops after the loop’s three invocations and fails the execution there', async () => {
    const down = (ports: RunbookPorts): RunbookPorts => ({
      ...ports,
      globalDatabase: overridePort(ports.globalDatabase, {
        describe: async () => {
          throw new Error('RDS DescribeGlobalClusters: socket hang up');
        },
      }),
    });
    const run = await runDocument(
      'failover',
      { TargetRegion: STANDBY, Reason: REASON, DryRun: 'false' },
      { ports: down },
    );
    expect(run.result).toMatchObject({ status: 'Failed', failedStep: 'validate_input_failed' });
    expect(run.result.steps.filter((s) => s.name === 'validate_input_invoke').map((s) => s.outputs.Retry)).toEqual([
      true,
      true,
      false,
    ]);
  });

  test('a dry run (the default) takes the plan branch: one invocation, nothing changes', async () => {
    const sim = simulation();
    const before = sim.local.world.snapshot();
    const run = await runDocument('failover', { TargetRegion: STANDBY }, { sim });
    expect(run.result.status).toBe('Success');
    expect(run.result.steps.map((s) => s.name)).toEqual(['chooseMode', 'plan', 'plan_outcome']);
    expect(run.invocations).toHaveLength(1);
    expect(run.invocations[0]!.event).toMatchObject({ dryRun: 'true', orchestration: 'failover' });
    expect(sim.local.world.snapshot()).toEqual(before);
  });

  test('a dry run whose checks fail ends Failed at plan_failed', async () => {
    const sim = simulation();
    sim.local.world.transact((w) => {
      w.unhealthyUrls.push(sim.topology.regions[STANDBY]!.healthUrls[0]!);
    });
    const run = await runDocument('readiness', { TargetRegion: STANDBY }, { sim });
    expect(run.result).toMatchObject({ status: 'Failed', failedStep: 'plan_failed' });
  });

  test('M9: the health probes run in the VPC function, which reaches an internal load balancer', async () => {
    // GIVEN health URLs that only answer inside the VPC
    const outsideVpc = (ports: RunbookPorts): RunbookPorts => ({
      ...ports,
      health: overridePort(ports.health, {
        checkEndpoints: async (urls: readonly string[]) =>
          urls.map((url) => ({ url, healthy: false, detail: 'connect ETIMEDOUT (internal load balancer)' })),
      }),
    });
    // WHEN readiness runs
    const run = await runDocument('readiness', { TargetRegion: STANDBY, DryRun: 'false' }, { ports: outsideVpc });
    // THEN it succeeds: services-healthy was invoked on the database (VPC) function only
    expect(run.result.status).toBe('Success');
    const healthy = run.invocations.filter((i) => i.event.step === 'services-healthy');
    expect(healthy.map((i) => i.functionName)).toEqual([runbookTargets(STANDBY).databaseFunction]);
  });
});

describe('SSM Automation interpreter: documents with a wrong name fail', () => {
  const parameters = { TargetRegion: STANDBY, Reason: REASON, DryRun: 'false' };
  const failing = (edit: (d: MutableDocument) => void) =>
    runDocument('failover', parameters, {
      document: (d) => {
        const doc = copy(d);
        edit(doc);
        return doc;
      },
    });

  test.each<[string, (d: MutableDocument) => void, RegExp]>([
    [
      'a misnamed output in a LoopCondition',
      (d) => {
        (step(d, 'shift_traffic').inputs.LoopCondition as { Variable: string }).Variable =
          '{{ shift_traffic_invoke.Retyr }}';
      },
      /^step shift_traffic: \{\{shift_traffic_invoke\.Retyr\}\}: step shift_traffic_invoke has no output Retyr; accepted: Retry, Status, StatusCode, FunctionError, LogResult, Payload$/,
    ],
    [
      'a misnamed step in a branch',
      (d) => {
        (step(d, 'validate_input_outcome').inputs.Choices as { NextStep: string }[])[0]!.NextStep = 'shift_trafic';
      },
      /^step validate_input_outcome: Choices\[0\]\.NextStep "shift_trafic" is not a step of the document; accepted: /,
    ],
    [
      'a misnamed step in an output reference',
      (d) => {
        (step(d, 'shift_traffic_outcome').inputs.Choices as { Variable: string }[])[0]!.Variable =
          '{{ shift_trafic_invoke.Status }}';
      },
      /^step shift_traffic_outcome: \{\{shift_trafic_invoke\.Status\}\} names no step of the document$/,
    ],
    [
      'a misnamed parameter in an InputPayload',
      (d) => {
        (step(d, 'shift_traffic_invoke').inputs.InputPayload as Record<string, string>).targetRegion =
          '{{TargetRegon}}';
      },
      /^step shift_traffic_invoke: \{\{TargetRegon\}\} names no parameter of the document; accepted: AutomationAssumeRole, DryRun, Reason, ResumeExecutionId, TargetRegion, FailedRegion$/,
    ],
    [
      'the iteration read outside its loop',
      (d) => {
        (step(d, 'verify_writers_invoke').inputs.InputPayload as Record<string, string>).attempt =
          '{{ shift_traffic.CurrentIteration }}';
      },
      /is read outside the loop shift_traffic/,
    ],
    [
      'the old $.Payload.reportUrl selector',
      (d) => {
        step(d, 'store_summary_invoke').outputs!.push({
          Name: 'ReportUrl',
          Selector: '$.Payload.reportUrl',
          Type: 'String',
        });
      },
      /^step store_summary_invoke: output ReportUrl selects \$\.Payload\.reportUrl; the documentation shows invoke step selectors on the returned object/,
    ],
    [
      'a step name used twice',
      (d) => {
        step(d, 'verify_writers_invoke').name = 'shift_traffic_invoke';
      },
      /^step name "shift_traffic_invoke" is used twice/,
    ],
    [
      'a branch back to an earlier step (an infinite loop)',
      (d) => {
        step(d, 'verify_writers_outcome').inputs.Default = 'validate_input';
      },
      /^the steps loop forever: validate_input → validate_input_outcome → /,
    ],
    [
      'MaxIterations above 100',
      (d) => {
        step(d, 'wait_for_catalog_failover').inputs.MaxIterations = 101;
      },
      /^step wait_for_catalog_failover: MaxIterations 101; accepted: an integer from 1 to 100$/,
    ],
  ])('%s', async (_, edit, message) => {
    await expect(failing(edit)).rejects.toThrow(AutomationDocumentError);
    await expect(failing(edit)).rejects.toThrow(message);
  });

  test.each<[string, Record<string, string>, string]>([
    [
      'a misnamed parameter',
      { TargetRegon: STANDBY },
      'parameter TargetRegon is not declared by the document; accepted: AutomationAssumeRole, DryRun, Reason, ResumeExecutionId, TargetRegion, FailedRegion',
    ],
    ['a missing required parameter', {}, 'parameter TargetRegion is required (it has no default)'],
    [
      'a value outside allowedValues',
      { TargetRegion: 'eu-west-1' },
      'parameter TargetRegion: "eu-west-1"; accepted: "us-east-1", "us-west-2"',
    ],
    [
      'a value outside allowedPattern',
      { TargetRegion: STANDBY, Reason: 'two\nlines' },
      'parameter Reason: "two\nlines" does not match ^[^\\r\\n]{0,500}$',
    ],
  ])('the start is refused for %s', async (_, given, message) => {
    await expect(runDocument('failover', given)).rejects.toThrow(new AutomationDocumentError(message));
  });

  test('an invoke step that outlasts its timeoutSeconds is tried maxAttempts times, then the execution is TimedOut', async () => {
    // GIVEN a function that works 100 s on the simulated clock, and an invoke step allowed 60 s
    const sim = simulation();
    const targets = runbookTargets(STANDBY);
    const document = copy(automationDocument(ORCHESTRATIONS.readiness!, sim.topology, targets));
    (step(document, 'validate_input_invoke') as { timeoutSeconds?: number }).timeoutSeconds = 60;
    const slow = {
      timeoutSeconds: 290,
      invoke: async () => {
        sim.clock.advance(100_000);
        return { Status: 'succeeded', Retry: false, Detail: 'slow' };
      },
    };
    // WHEN
    const result = await executeAutomation({
      document,
      parameters: { TargetRegion: STANDBY, DryRun: 'false' },
      clock: sim.clock,
      functions: { [targets.stepFunction]: slow, [targets.databaseFunction]: slow },
    });
    // THEN (maxAttempts 2; automation-handling-timeouts.html: the execution status "will be Timed Out")
    expect(result).toMatchObject({ status: 'TimedOut', failedStep: 'validate_input' });
    expect(result.steps.filter((s) => s.name === 'validate_input_invoke').map((s) => [s.attempt, s.status])).toEqual([
      [1, 'TimedOut'],
      [2, 'TimedOut'],
    ]);
  });

  test('a function that throws is an undocumented case: the interpreter refuses to guess what SSM does', async () => {
    const sim = simulation();
    const document = automationDocument(ORCHESTRATIONS.readiness!, sim.topology, runbookTargets(STANDBY));
    const targets = runbookTargets(STANDBY);
    const thrower = {
      timeoutSeconds: 290,
      invoke: async () => {
        throw new Error('Runtime.ImportModuleError');
      },
    };
    await expect(
      executeAutomation({
        document,
        parameters: { TargetRegion: STANDBY, DryRun: 'false' },
        clock: sim.clock,
        functions: { [targets.stepFunction]: thrower, [targets.databaseFunction]: thrower },
      }),
    ).rejects.toThrow(UndocumentedBehaviourError);
  });
});
