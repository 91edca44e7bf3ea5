import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';

/**
 * Environment variables that differ between the Regions by design, left out of {@link taskSettings}: the Region's
 * role and the database host of that role (stacks/services/services-stack.ts sets `REGION_ROLE` to `primary` or
 * `standby` and `DB_HOST` to the writer or the reader endpoint accordingly).
 */
export const REGION_SPECIFIC_ENVIRONMENT: readonly string[] = ['REGION_ROLE', 'DB_HOST'];

/** What {@link taskSettings} derives from a task definition. */
export interface TaskSettings {
  /** Task-level vCPU: the task definition's `cpu` units / 1024. */
  readonly vcpu: number;
  /** Task-level memory, MiB. */
  readonly memoryMiB: number;
  /** The settings that must be equal in both Regions, normalised (see {@link taskSettings}). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/**
 * A Region name as AWS spells them (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `eu-central-2`, …). Any Region
 * name is replaced, not only the two of the topology: a task may name the peer Region (e.g. a replica's Region).
 */
const REGION_NAME = /\b(?:[a-z]{2}(?:-gov|-iso[a-z]?)?)-(?:north|south|east|west|central)(?:east|west)?-\d\b/g;

/**
 * The account-and-Region identifier in Aurora endpoint host names (`<cluster>.cluster-<id>.<region>.rds.amazonaws.com`,
 * `cluster-ro-<id>` for the reader): the Aurora User Guide's endpoint examples show it per Region
 * ("mydbcluster.cluster-c7tj4example.us-east-1.rds.amazonaws.com"); that it differs between the Regions of one
 * account is UNVERIFIED, hence normalised.
 */
const AURORA_ENDPOINT_ID = /\.cluster-(ro-|custom-)?[a-z0-9]+\.(<region>)\.rds\.amazonaws\.com/g;

/**
 * The task definition's cpu and memory, and the settings readiness compares between the Regions: the task's size,
 * network mode, compatibilities, platform, storage and, per container (by name), everything that changes how it
 * runs — command, ports, environment, secrets (the variable and the JSON key), health check, limits, log driver and
 * its options. Region names become `<region>`, the account id `<account>`.
 *
 * Left out, each because it differs between the Regions without being a difference in what runs:
 * - the image reference: the running digests are compared instead (`ServiceFacts.runningDigests`);
 * - the family, ARN, revision, status and registration fields: names and bookkeeping (CDK generates the family from
 *   the stack's path, which names the Region's stack);
 * - the task and execution role ARNs and the `awslogs-group` option: generated per stack;
 * - which secret a secret variable reads: the primary's stack references its secret by full ARN, the standby's the
 *   replica by name (stacks/data/replicated-token-secret.ts), so the ARNs differ in their random suffix;
 * - the environment variables in `regionSpecificEnvironment` ({@link REGION_SPECIFIC_ENVIRONMENT} by default).
 */
export function taskSettings(
  taskDefinition: TaskDefinition,
  regionSpecificEnvironment: readonly string[] = REGION_SPECIFIC_ENVIRONMENT,
): TaskSettings {
  const containers = [...(taskDefinition.containerDefinitions ?? [])];
  // "cpu: The number of cpu units used by the task … 1024 CPU units = 1 vCPU" and "memory: The amount (in MiB) of
  // memory used by the task" (ECS API Reference, TaskDefinition); both are strings in the answer. Fargate requires
  // them at task level; without one, the containers' own values add up.
  const cpuUnits = Number(taskDefinition.cpu ?? containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0));
  const memoryMiB = Number(taskDefinition.memory ?? containers.reduce((sum, c) => sum + (c.memory ?? 0), 0));
  const account = taskDefinition.taskDefinitionArn?.split(':')[4];
  const task = {
    cpu: taskDefinition.cpu,
    memory: taskDefinition.memory,
    networkMode: taskDefinition.networkMode,
    requiresCompatibilities: taskDefinition.requiresCompatibilities,
    runtimePlatform: taskDefinition.runtimePlatform,
    ephemeralStorage: taskDefinition.ephemeralStorage,
    pidMode: taskDefinition.pidMode,
    ipcMode: taskDefinition.ipcMode,
    enableFaultInjection: taskDefinition.enableFaultInjection,
    placementConstraints: taskDefinition.placementConstraints,
    volumes: taskDefinition.volumes,
    containers: Object.fromEntries(
      containers
        .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''))
        .map((c) => [c.name ?? '', containerSettings(c, regionSpecificEnvironment)]),
    ),
  };
  return { vcpu: cpuUnits / 1024, memoryMiB, settings: normalise(task, account) as Record<string, unknown> };
}

function containerSettings(c: ContainerDefinition, regionSpecific: readonly string[]): Record<string, unknown> {
  const byName = <T extends { name?: string }>(list: readonly T[] | undefined) =>
    list ? [...list].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')) : undefined;
  const { ['awslogs-group']: _generated, ...logOptions } = c.logConfiguration?.options ?? {};
  return {
    essential: c.essential,
    cpu: c.cpu,
    memory: c.memory,
    memoryReservation: c.memoryReservation,
    command: c.command,
    entryPoint: c.entryPoint,
    workingDirectory: c.workingDirectory,
    user: c.user,
    portMappings: c.portMappings,
    // The order of variables means nothing to the container: sorted by name.
    environment: byName(c.environment?.filter((e) => !regionSpecific.includes(e.name ?? ''))),
    environmentFiles: c.environmentFiles,
    // The variable and the JSON key (`<secret ARN>:<json-key>:<version-stage>:<version-id>`), not the secret's ARN.
    secrets: byName(c.secrets)?.map((s) => ({ name: s.name, key: (s.valueFrom ?? '').split(':').slice(7).join(':') })),
    healthCheck: c.healthCheck,
    readonlyRootFilesystem: c.readonlyRootFilesystem,
    ulimits: c.ulimits,
    linuxParameters: c.linuxParameters,
    dependsOn: c.dependsOn,
    startTimeout: c.startTimeout,
    stopTimeout: c.stopTimeout,
    mountPoints: c.mountPoints,
    logConfiguration: c.logConfiguration ? { logDriver: c.logConfiguration.logDriver, options: logOptions } : undefined,
  };
}

/** Replaces Region names and the account id in every string; drops undefined fields (absent and unset are equal). */
function normalise(value: unknown, account: string | undefined): unknown {
  if (typeof value === 'string') {
    let s = value.replace(REGION_NAME, '<region>').replace(AURORA_ENDPOINT_ID, '.cluster-$1<id>.$2.rds.amazonaws.com');
    if (account && /^\d{12}$/.test(account)) s = s.split(account).join('<account>');
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, account));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, normalise(v, account)]),
    );
  }
  return value;
}
