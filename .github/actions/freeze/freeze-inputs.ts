import {
  type GetInput,
  InputReader,
  listOf,
  matching,
  oneOf,
  regionName,
  resourceNamePart,
} from '../cli-support/action-inputs';
import { reasonText } from '../failover/failover-inputs';
import { FREEZING_ACTIONS, type FreezingAction } from './freeze-record';

/** The subcommands of the freeze CLI. */
export const FREEZE_COMMANDS = ['check', 'set', 'clear'] as const;

interface FreezeTarget {
  /** The deployment's two Regions; the freeze is read from and written to both. */
  readonly regions: readonly string[];
  readonly appName: string;
  readonly envName: string;
}

/** `command: check`: is a freeze in force? (a deploy wave runs it before it starts) */
export interface CheckInputs extends FreezeTarget {
  readonly command: 'check';
}

/** `command: set`: freeze deploys before a failover, switchover or failback (by hand; the failover CLI does it). */
export interface SetInputs extends FreezeTarget {
  readonly command: 'set';
  readonly action: FreezingAction;
  readonly targetRegion: string;
  readonly runUrl?: string;
  readonly reason: string;
}

/** `command: clear`: lift the freeze by hand (the failover CLI lifts it after a failback that succeeded). */
export interface ClearInputs extends FreezeTarget {
  readonly command: 'clear';
  readonly runUrl?: string;
  readonly reason: string;
}

/** The validated inputs of the freeze CLI. */
export type FreezeInputs = CheckInputs | SetInputs | ClearInputs;

/** An https link, such as a GitHub Actions run. */
const runUrl = matching(/^https:\/\/\S{1,2000}$/, 'an https URL (the GitHub Actions run)', 'is not an https URL');

/**
 * Reads and validates the freeze inputs (see pipeline/README.md). `run_url` defaults to `fallbackRunUrl` (the
 * current GitHub Actions run) when not given.
 *
 * @throws InputError listing every invalid input.
 */
export function readFreezeInputs(getInput: GetInput, fallbackRunUrl?: string): FreezeInputs {
  const reader = new InputReader(getInput);
  const command = reader.required('command', oneOf(FREEZE_COMMANDS));
  if (reader.failed) reader.finish();
  const regions = reader.required('regions', listOf(regionName, 2));
  if (regions && regions.length !== 2) {
    reader.problem(
      `regions: ${JSON.stringify(regions.join(','))} has ${regions.length} Region; accepted: the deployment's two Regions, separated by a comma`,
    );
  }
  const target: FreezeTarget = {
    regions,
    appName: reader.required('app_name', resourceNamePart),
    envName: reader.required('env_name', resourceNamePart),
  };
  let inputs: FreezeInputs;
  if (command === 'check') {
    inputs = { command, ...target };
  } else {
    const url = reader.optional('run_url', runUrl, fallbackRunUrl);
    const reason = reader.required('reason', reasonText);
    if (command === 'set') {
      const action = reader.required('action', oneOf(FREEZING_ACTIONS));
      const targetRegion = reader.required('target_region', regionName);
      if (targetRegion && regions?.length === 2 && !regions.includes(targetRegion)) {
        reader.problem(
          `target_region: "${targetRegion}" is not one of regions; accepted: ${regions.map((r) => `"${r}"`).join(' or ')}`,
        );
      }
      inputs = { command, ...target, action, targetRegion, reason, ...(url ? { runUrl: url } : {}) };
    } else {
      inputs = { command, ...target, reason, ...(url ? { runUrl: url } : {}) };
    }
  }
  reader.finish();
  return inputs;
}
