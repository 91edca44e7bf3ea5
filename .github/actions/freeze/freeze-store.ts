import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { AwsCallError, type AwsCaller } from '../cli-support/aws-retry';
import { AwsUnavailableError } from '../cli-support/exit-codes';
import { type FreezeRecord, type FrozenRecord, parseFreezeRecord } from './freeze-record';

/** What reading and writing the freeze needs from the outside world. */
export interface FreezeDependencies {
  /** The SSM client of a Region. */
  readonly ssmFor: (region: string) => SSMClient;
  readonly call: AwsCaller;
  /** The caller for one Region, when Regions differ (fewer attempts for one that may be the failed one). @default call */
  readonly callFor?: (region: string) => AwsCaller;
  readonly log: (line: string) => void;
}

/** The freeze parameter of one Region as read. */
export type RegionFreeze =
  | { readonly region: string; readonly state: 'absent' }
  | { readonly region: string; readonly state: 'frozen'; readonly record: FrozenRecord }
  | { readonly region: string; readonly state: 'cleared'; readonly record: FreezeRecord }
  /** The parameter holds something that is not a freeze record: treated as frozen (fail closed). */
  | { readonly region: string; readonly state: 'invalid'; readonly problems: readonly string[] }
  /** The Region could not be read (it may be the failed one). */
  | { readonly region: string; readonly state: 'unreadable'; readonly error: string };

/** What the freeze parameters of both Regions say together. */
export type FreezeDecision =
  | { readonly decision: 'not-frozen'; readonly regions: readonly RegionFreeze[] }
  | { readonly decision: 'frozen'; readonly regions: readonly RegionFreeze[] }
  | { readonly decision: 'undecided'; readonly regions: readonly RegionFreeze[] };

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Reads the freeze parameter of one Region. A missing parameter is `absent`: SSM GetParameter answers
 * `ParameterNotFound` ("The parameter couldn't be found") for a parameter that does not exist.
 */
export async function readRegionFreeze(
  region: string,
  parameterName: string,
  deps: FreezeDependencies,
): Promise<RegionFreeze> {
  let value: string | undefined;
  try {
    const result = await (deps.callFor?.(region) ?? deps.call)(`SSM GetParameter ${parameterName} in ${region}`, () =>
      deps.ssmFor(region).send(new GetParameterCommand({ Name: parameterName })),
    );
    value = result.Parameter?.Value;
  } catch (error) {
    if (error instanceof AwsCallError && (error.failure as { name?: string }).name === 'ParameterNotFound') {
      return { region, state: 'absent' };
    }
    return { region, state: 'unreadable', error: errorText(error) };
  }
  const parsed = parseFreezeRecord(value ?? '');
  if ('problems' in parsed) return { region, state: 'invalid', problems: parsed.problems };
  return parsed.record.frozen
    ? { region, state: 'frozen', record: parsed.record }
    : { region, state: 'cleared', record: parsed.record };
}

/**
 * Decides from both Regions: frozen when either has a freeze (or an unreadable value: fail closed), even if the
 * other cannot be read; not frozen only when every Region was read and none has one; otherwise undecided (a
 * Region that cannot be read may hold the freeze of a failover that moved away from it).
 */
export function decideFreeze(regions: readonly RegionFreeze[]): FreezeDecision {
  if (regions.some((r) => r.state === 'frozen' || r.state === 'invalid')) return { decision: 'frozen', regions };
  if (regions.some((r) => r.state === 'unreadable')) return { decision: 'undecided', regions };
  return { decision: 'not-frozen', regions };
}

/** Reads the freeze parameter in every Region (in parallel: one may hang until its timeout) and decides. */
export async function readFreeze(
  regions: readonly string[],
  parameterName: string,
  deps: FreezeDependencies,
): Promise<FreezeDecision> {
  return decideFreeze(await Promise.all(regions.map((region) => readRegionFreeze(region, parameterName, deps))));
}

/** Which Regions took a write and which did not (with the error). */
export interface FreezeWrite {
  readonly written: readonly string[];
  readonly failed: ReadonlyArray<{ readonly region: string; readonly error: string }>;
}

/**
 * Writes `record` to the freeze parameter of every Region (in parallel), overwriting what is there. A Region that
 * fails is reported, not thrown: it may be the failed Region.
 */
export async function writeFreeze(
  regions: readonly string[],
  parameterName: string,
  record: FreezeRecord,
  deps: FreezeDependencies,
): Promise<FreezeWrite> {
  const description = record.frozen
    ? `Deploy freeze: ${record.action} to ${record.targetRegion}; deploys refuse to start while it is set`
    : 'Deploy freeze lifted; deploys may start';
  const results = await Promise.all(
    regions.map(async (region) => {
      try {
        await (deps.callFor?.(region) ?? deps.call)(`SSM PutParameter ${parameterName} in ${region}`, () =>
          deps.ssmFor(region).send(
            new PutParameterCommand({
              Name: parameterName,
              Description: description,
              Value: JSON.stringify(record),
              Type: 'String',
              Tier: 'Standard',
              Overwrite: true,
            }),
          ),
        );
        deps.log(`${record.frozen ? 'Set' : 'Cleared'} the deploy freeze ${parameterName} in ${region}`);
        return { region };
      } catch (error) {
        deps.log(`Could not write the deploy freeze ${parameterName} in ${region}: ${errorText(error)}`);
        return { region, error: errorText(error) };
      }
    }),
  );
  return {
    written: results.filter((r) => r.error === undefined).map((r) => r.region),
    failed: results.flatMap((r) => (r.error === undefined ? [] : [{ region: r.region, error: r.error }])),
  };
}

/** What a failover writes into the freeze. */
export interface DeployFreezeRequest {
  readonly regions: readonly string[];
  readonly parameterName: string;
  readonly record: FreezeRecord;
}

/**
 * Writes the freeze (or its lifting) in every Region and says where it did not take.
 *
 * @throws AwsUnavailableError when no Region took it.
 */
export async function writeDeployFreeze(request: DeployFreezeRequest, deps: FreezeDependencies): Promise<FreezeWrite> {
  const write = await writeFreeze(request.regions, request.parameterName, request.record, deps);
  if (write.written.length === 0) {
    throw new AwsUnavailableError(
      `Could not write the deploy freeze ${request.parameterName} in any Region:\n${write.failed.map((f) => `  - ${f.region}: ${f.error}`).join('\n')}`,
    );
  }
  return write;
}
