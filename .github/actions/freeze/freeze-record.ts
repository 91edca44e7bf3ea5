import { z } from 'zod';
import { parseJsonRecord } from '../cli-support/json-record';

/**
 * The runbook actions that freeze deploys: they move traffic and writers, so a deploy must not fight them. A failback
 * moves them too (review D5): it freezes like the others, and is the one that lifts the freeze once it succeeded
 * ({@link LIFTING_ACTIONS}).
 */
export const FREEZING_ACTIONS = ['failover', 'switchover', 'failback'] as const;

/**
 * The runbook actions whose success lifts the freeze: a failback brings traffic and writers back where the pipeline
 * deploys them (primary wave first). The failover CLI alone decides it (`.github/actions/failover/failover-dispatch.ts`).
 */
export const LIFTING_ACTIONS: readonly FreezingAction[] = ['failback'];

/** One of {@link FREEZING_ACTIONS}. */
export type FreezingAction = (typeof FREEZING_ACTIONS)[number];

/** A deploy freeze in force: a failover, switchover or failback moved (or is moving) the application to `targetRegion`. */
export interface FrozenRecord {
  /** Bumped when the shape changes; readers treat other versions as frozen (fail closed). */
  readonly schemaVersion: 1;
  readonly frozen: true;
  readonly action: FreezingAction;
  /** The Region traffic and writers move to. */
  readonly targetRegion: string;
  /** The GitHub Actions run of the failover, when known. */
  readonly runUrl?: string;
  readonly reason: string;
  /** When the freeze was set (ISO 8601). */
  readonly at: string;
}

/**
 * A freeze lifted (after a failback, or by hand). `clear` overwrites the parameter instead of deleting it: SSM
 * DeleteParameter says "After deleting a parameter, wait for at least 30 seconds to create a parameter with the
 * same name", so a delete would make a failover that follows a clear within 30 s fail to set its freeze. SSM keeps
 * the earlier versions of the parameter, so the history of freezes stays readable.
 */
export interface ClearedRecord {
  readonly schemaVersion: 1;
  readonly frozen: false;
  readonly runUrl?: string;
  readonly reason: string;
  /** When the freeze was lifted (ISO 8601). */
  readonly at: string;
}

/** The value of the freeze parameter. */
export type FreezeRecord = FrozenRecord | ClearedRecord;

/**
 * The SSM parameter of the deploy freeze, `/<app>/<env>/deploy-freeze`, written in both Regions (SSM parameters are
 * regional: one Region may be the failed one).
 */
export function deployFreezeParameterName(appName: string, envName: string): string {
  return `/${appName}/${envName}/deploy-freeze`;
}

const common = {
  schemaVersion: z.literal(1),
  runUrl: z.url().optional(),
  reason: z.string(),
  at: z.iso.datetime({ offset: true }),
};
const recordSchema = z.discriminatedUnion('frozen', [
  z.object({
    ...common,
    frozen: z.literal(true),
    action: z.enum(FREEZING_ACTIONS),
    targetRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'is not a Region name'),
  }),
  z.object({ ...common, frozen: z.literal(false) }),
]);

/**
 * Reads the JSON of a {@link FreezeRecord}.
 *
 * @returns the record, or the list of problems (each naming the field).
 */
export function parseFreezeRecord(
  json: string,
): { readonly record: FreezeRecord } | { readonly problems: readonly string[] } {
  const parsed = parseJsonRecord(json, recordSchema);
  return 'problems' in parsed ? parsed : { record: parsed.record as FreezeRecord };
}
