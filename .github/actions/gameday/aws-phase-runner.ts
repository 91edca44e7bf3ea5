import { SSMClient } from '@aws-sdk/client-ssm';
import { isTransient } from '../../../runbooks/adapters/aws/aws-call';
import { type GameDayAwsPortsOptions, gameDayAwsPorts } from '../../../runbooks/adapters/aws/gameday-ports';
import { messageOf } from '../../../runbooks/core/errors';
import type { GameDayInput, GameDayPhase, PhaseOutcome } from '../../../runbooks/gameday/gameday-phases';
import type { GameDayPorts } from '../../../runbooks/gameday/gameday-ports';
import { gameDayRecordKey, parseGameDayRecord } from '../../../runbooks/gameday/gameday-record';
import { runGameDayPhase } from '../../../runbooks/gameday/run-gameday-phase';
import { AwsCallError, awsCaller } from '../cli-support/aws-retry';
import { systemClock } from '../cli-support/clock';
import { AwsUnavailableError } from '../cli-support/exit-codes';
import { perRegion, regionalClientOptions } from '../cli-support/regional-clients';
import type { FreezeDependencies } from '../freeze/freeze-store';
import { type GameDayFreezePort, gameDayFreeze } from './gameday-freeze';
import type { GameDayCliInputs } from './gameday-inputs';

/** The ports that call AWS (or the shop): their errors are watched by {@link watchedPorts}. */
const CALLING_PORTS = ['faults', 'schedules', 'buckets', 'runbooks', 'regions', 'orders'] as const;

/** Credential and network failures the SDK raises without a service answer (`@smithy/property-provider`, Node). */
const NO_ANSWER = new Set(['CredentialsProviderError', 'TokenProviderError', 'ExpiredTokenException']);

/**
 * Whether `error` (or an error it wraps as `cause`) is an AWS call that failed: a service error of the SDK (it carries
 * `$metadata`), a credentials error, a network failure or throttling left after the retries (runbooks/adapters/aws/
 * aws-call.ts wraps these as RetriableError/NonRetriableError with the SDK error as `cause`), or the failover CLI's
 * AwsCallError/AwsUnavailableError (the runbooks port reuses its dispatch).
 */
export function isAwsFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AwsCallError || e instanceof AwsUnavailableError) return true;
    const shape = e as { $metadata?: unknown; name?: string };
    if (typeof e === 'object' && (shape.$metadata !== undefined || NO_ANSWER.has(shape.name ?? '') || isTransient(e)))
      return true;
  }
  return false;
}

/**
 * `ports` whose calling ports note every AWS failure that escapes a method (review 16d G8): `runGameDayPhase` turns a
 * thrown error into `status: 'failed'` with the error's message in its summary, so the CLI tells "an AWS call failed"
 * (exit 3, pipeline/README.md) from "the phase ran and said no" (exit 1) by the failures it saw.
 */
export function watchedPorts(ports: GameDayPorts, seen: (error: unknown) => void): GameDayPorts {
  const watch = <T extends object>(port: T): T =>
    new Proxy(port, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          try {
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            return result instanceof Promise
              ? result.catch((error: unknown) => {
                  seen(error);
                  throw error;
                })
              : result;
          } catch (error) {
            seen(error);
            throw error;
          }
        };
      },
    });
  const watched: Record<string, unknown> = { ...ports };
  for (const name of CALLING_PORTS) watched[name] = watch(ports[name] as object);
  return watched as unknown as GameDayPorts;
}

/** A phase runner, what it saw of AWS for the outcome it returned, and the game day's deploy freeze. */
export interface PhaseRunner {
  /** The deploy freeze around the fault (review 16d G11), over the failover CLI's freeze store. */
  readonly freeze?: GameDayFreezePort;
  readonly runPhase: (phase: GameDayPhase, input: GameDayInput) => Promise<PhaseOutcome>;
  /**
   * The AWS failure that made `outcome` fail, when one escaped a port during the phase and its message is in the
   * outcome's summary; undefined otherwise (the phase decided by itself).
   */
  readonly awsFailureOf: (outcome: PhaseOutcome) => string | undefined;
}

/** `runGameDayPhase` over `portsOf()` (built at the first phase), watching the ports for AWS failures. */
export function phaseRunnerOver(portsOf: () => GameDayPorts): PhaseRunner {
  let failures: unknown[] = [];
  let watched: GameDayPorts | undefined;
  return {
    runPhase: (phase, input) => {
      failures = [];
      watched ??= watchedPorts(portsOf(), (error) => {
        if (isAwsFailure(error)) failures.push(error);
      });
      return runGameDayPhase(phase, input, watched);
    },
    awsFailureOf: (outcome) => {
      if (outcome.status !== 'failed' || outcome.verdict !== undefined) return undefined;
      const message = failures.map(messageOf).find((text) => text !== '' && outcome.summary.includes(text));
      return message;
    },
  };
}

/**
 * What `gameDayAwsPorts` gets for the inputs of one step: the configuration's evidence retention and targets, the
 * phase's deadline within its job's credentials (`phase_minutes`, review 16d G4) and await-return's wait
 * (`wait_minutes`, 50 in gameday.yml), and how the load balancers are reached: over HTTPS under the shop's public
 * host name in the Regions with a certificate (`public_host_name`, `https_regions`, review 16d G5), else over HTTP.
 */
export function gameDayPortsOptions(
  inputs: GameDayCliInputs,
  log: (line: string) => void,
  runUrl?: string,
): GameDayAwsPortsOptions {
  return {
    appName: inputs.appName,
    envName: inputs.envName,
    primaryRegion: inputs.primaryRegion,
    standbyRegion: inputs.standbyRegion,
    evidenceRetentionDays: inputs.evidenceRetentionDays,
    targets: { rtoSeconds: inputs.rtoTargetMinutes * 60, rpoSeconds: inputs.rpoTargetSeconds },
    log,
    settings: {
      ...(inputs.phaseMinutes === undefined ? {} : { phaseMinutes: inputs.phaseMinutes }),
      returnWaitMinutes: inputs.waitMinutes,
    },
    ...(inputs.publicHostName === undefined ? {} : { publicHostName: inputs.publicHostName }),
    httpsRegions: inputs.httpsRegions,
    ...(runUrl ? { runUrl } : {}),
  };
}

/**
 * `runGameDayPhase` over the AWS ports of the two Regions (`gameDayAwsPorts` with {@link gameDayPortsOptions}), for
 * the inputs of one step. No request is sent before the phase calls a port.
 */
export function awsPhaseRunner(inputs: GameDayCliInputs, log: (line: string) => void, runUrl?: string): PhaseRunner {
  // Built at the first phase, so the validate step creates no SDK client at all.
  let ports: GameDayPorts | undefined;
  const portsOf = () => (ports ??= gameDayAwsPorts(gameDayPortsOptions(inputs, log, runUrl)));
  // The freeze store's dependencies as the freeze CLI builds them (freeze/main.ts freezeDependencies; not imported:
  // that module runs its CLI when it is the bundle's main).
  const freezeDeps: FreezeDependencies = {
    ssmFor: perRegion((region) => new SSMClient(regionalClientOptions(region))),
    call: awsCaller(),
    log,
  };
  const freeze = gameDayFreeze({
    deps: freezeDeps,
    appName: inputs.appName,
    envName: inputs.envName,
    clock: systemClock,
    ...(runUrl ? { runUrl } : {}),
    readRecord: async () => {
      const input = {
        gameDayId: inputs.gameDayId ?? '',
        failedRegion: inputs.failedRegion,
        survivingRegion: inputs.survivingRegion,
        actor: 'clean-up',
        dryRun: inputs.dryRun,
      };
      const key = gameDayRecordKey(input.gameDayId);
      const text = await portsOf().buckets.get(inputs.survivingRegion, key);
      return text === undefined
        ? undefined
        : parseGameDayRecord(text, `report bucket of ${inputs.survivingRegion}, ${key}`, input);
    },
  });
  return { ...phaseRunnerOver(portsOf), freeze };
}
