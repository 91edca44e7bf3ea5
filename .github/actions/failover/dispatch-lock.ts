import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';
import { type Clock, formatTime } from '../cli-support/clock';
import { AwsUnavailableError } from '../cli-support/exit-codes';
import { parseJsonRecord } from '../cli-support/json-record';

/**
 * How long a dispatch lock counts as held (review D10): longer than any holder keeps it (the in-flight check, the
 * freeze, at most `STACK_WAIT_MINUTES` of stack wait, the start), so an older one was left by a job that died
 * holding it.
 */
export const LOCK_LEASE_MINUTES = 10;

/** Seconds between two looks at a lock held by another dispatch of the same runbook and target. */
export const LOCK_POLL_SECONDS = 15;

/**
 * The SSM parameter of the dispatch lock, `/<app>/<env>/failover-lock`, in both Regions: it exists only while a
 * dispatch is between its in-flight check and its start.
 */
export function dispatchLockParameterName(appName: string, envName: string): string {
  return `/${appName}/${envName}/failover-lock`;
}

/** The value of the lock: who holds it and what it is starting. */
export interface LockRecord {
  readonly schemaVersion: 1;
  /** A random id of the holding dispatch (a retried create that had succeeded finds its own token). */
  readonly token: string;
  readonly action: string;
  readonly targetRegion: string;
  readonly runUrl?: string;
  /** When it was taken (ISO 8601). */
  readonly at: string;
}

const lockSchema = z.object({
  schemaVersion: z.literal(1),
  token: z.string().min(1),
  action: z.string(),
  targetRegion: z.string(),
  runUrl: z.url().optional(),
  at: z.iso.datetime({ offset: true }),
});

/** What taking and releasing the lock needs from the outside world. */
export interface LockDependencies {
  readonly ssmFor: (region: string) => SSMClient;
  readonly callFor: (region: string) => AwsCaller;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

/** The lock as held: the Regions it was created in, to release. */
export interface HeldLock {
  readonly regions: readonly string[];
  readonly parameterName: string;
}

/** The lock is held by another dispatch (not expired). */
export class LockHeldError extends Error {
  constructor(
    readonly holder: LockRecord,
    readonly region: string,
  ) {
    super(
      `the failover lock in ${region} is held by another dispatch since ${holder.at}: ${holder.action} to ${holder.targetRegion}${holder.runUrl ? ` (${holder.runUrl})` : ''}`,
    );
    this.name = 'LockHeldError';
  }
}

const failureName = (error: unknown) =>
  ((error instanceof AwsCallError ? error.failure : error) as { name?: string } | undefined)?.name;

type LockState = { readonly state: 'absent' } | { readonly state: 'held'; readonly record: LockRecord | undefined };

async function readLock(region: string, parameterName: string, deps: LockDependencies): Promise<LockState> {
  try {
    const result = await deps.callFor(region)(`SSM GetParameter ${parameterName} in ${region}`, () =>
      deps.ssmFor(region).send(new GetParameterCommand({ Name: parameterName })),
    );
    const parsed = parseJsonRecord(result.Parameter?.Value ?? '', lockSchema);
    return { state: 'held', record: 'problems' in parsed ? undefined : (parsed.record as LockRecord) };
  } catch (error) {
    if (failureName(error) === 'ParameterNotFound') return { state: 'absent' };
    throw error;
  }
}

/**
 * Takes the lock in one Region: `PutParameter` with `Overwrite` false is a compare-and-set, it creates the parameter
 * only when it does not exist (SSM PutParameter: `Overwrite` "Overwrite an existing parameter. The default value is
 * false."; ParameterAlreadyExists: "The parameter already exists. You can't create duplicate parameters."). A lock
 * older than {@link LOCK_LEASE_MINUTES} (its holder died) is taken over by overwriting it. A lock deleted a moment
 * ago (`ParameterAlreadyExists`, then `ParameterNotFound` on reading it) is tried again: SSM asks to "wait for at
 * least 30 seconds to create a parameter with the same name" after a delete.
 *
 * @throws LockHeldError when another dispatch holds it.
 */
async function takeRegion(
  region: string,
  parameterName: string,
  record: LockRecord,
  deps: LockDependencies,
): Promise<void> {
  const put = (overwrite: boolean) =>
    deps.callFor(region)(`SSM PutParameter ${parameterName} in ${region}`, () =>
      deps.ssmFor(region).send(
        new PutParameterCommand({
          Name: parameterName,
          Description: `Failover dispatch lock: ${record.action} to ${record.targetRegion} is being started`,
          Value: JSON.stringify(record),
          Type: 'String',
          Overwrite: overwrite,
        }),
      ),
    );
  for (let attempt = 1; ; attempt++) {
    try {
      await put(false);
      return;
    } catch (error) {
      if (failureName(error) !== 'ParameterAlreadyExists') throw error;
    }
    const found = await readLock(region, parameterName, deps);
    if (found.state === 'absent') {
      if (attempt >= 4) {
        throw new AwsUnavailableError(
          `The failover lock ${parameterName} in ${region} could not be created after ${attempt} tries (it exists, then does not: just released); dispatch again`,
        );
      }
      await deps.clock.sleep(LOCK_POLL_SECONDS * 1000);
      continue;
    }
    if (found.record?.token === record.token) return; // our own create, retried after it had succeeded
    const age = found.record ? deps.clock.now().getTime() - Date.parse(found.record.at) : Number.POSITIVE_INFINITY;
    if (found.record && age < LOCK_LEASE_MINUTES * 60_000) throw new LockHeldError(found.record, region);
    deps.log(
      `The failover lock ${parameterName} in ${region} is ${found.record ? `older than ${LOCK_LEASE_MINUTES} minutes (taken ${found.record.at} by ${found.record.action} to ${found.record.targetRegion}: its dispatch ended without releasing it)` : 'not a lock record'}; taking it over`,
    );
    await put(true);
    return;
  }
}

/**
 * Takes the dispatch lock (review D10): in the primary Region, then the standby (one order for every dispatch, so
 * two dispatches meet at the first Region they share). A Region other than `targetRegion` that cannot be reached is
 * skipped (it may be the failed one); the target Region must take it.
 *
 * @throws LockHeldError when another dispatch holds it (what this one took is released first).
 */
export async function takeDispatchLock(
  regions: readonly string[],
  targetRegion: string,
  parameterName: string,
  record: Omit<LockRecord, 'schemaVersion' | 'at'>,
  deps: LockDependencies,
): Promise<HeldLock> {
  const full: LockRecord = { schemaVersion: 1, ...record, at: formatTime(deps.clock.now()) };
  const taken: string[] = [];
  for (const region of regions) {
    try {
      await takeRegion(region, parameterName, full, deps);
      taken.push(region);
    } catch (error) {
      if (error instanceof LockHeldError || region === targetRegion) {
        await releaseDispatchLock({ regions: taken, parameterName }, deps);
        throw error;
      }
      deps.log(
        `Could not take the failover lock in ${region} (it may be the failed Region); going on: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  deps.log(`Took the failover lock ${parameterName} in ${taken.join(', ')}`);
  return { regions: taken, parameterName };
}

/**
 * Releases the lock (`DeleteParameter` where it was taken). A Region that does not answer keeps it until the lease
 * ends ({@link LOCK_LEASE_MINUTES}); that is logged, never thrown.
 */
export async function releaseDispatchLock(lock: HeldLock, deps: LockDependencies): Promise<void> {
  await Promise.all(
    lock.regions.map(async (region) => {
      try {
        await deps.callFor(region)(`SSM DeleteParameter ${lock.parameterName} in ${region}`, () =>
          deps.ssmFor(region).send(new DeleteParameterCommand({ Name: lock.parameterName })),
        );
      } catch (error) {
        deps.log(
          `Could not release the failover lock in ${region} (it expires after ${LOCK_LEASE_MINUTES} minutes): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }),
  );
}
