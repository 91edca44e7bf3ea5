import { z } from 'zod';

/** Format tag of one ledger line. */
export const ACK_FORMAT = 'multi-region-shop/ack@1';

/** Every {@link AckKind}, in the order a shopper's story usually runs. */
export const ACK_KINDS = ['order_placed', 'order_cancelled', 'address_changed', 'order_replaced'] as const;

/**
 * What a shopper was told succeeded.
 * - `order_placed`: POST checkout submit acknowledged: a new order
 * - `order_cancelled`: DELETE /orders/:id acknowledged (soft delete)
 * - `address_changed`: the order's shipping address change acknowledged
 * - `order_replaced`: after the failover, the shopper placed again an order it could not see: `replaces` names it
 */
export type AckKind = (typeof ACK_KINDS)[number];

/** One acknowledged write: one line of the ledger (the ground truth the scoring compares the report against). */
export interface AcknowledgedWrite {
  readonly format: typeof ACK_FORMAT;
  readonly kind: AckKind;
  /** The order's uuid. */
  readonly order_id: string;
  /** The Region whose load balancer answered (from the response's region header/body). */
  readonly region: string;
  /** The public name, or that Region's load balancer directly. */
  readonly via: 'global' | 'regional';
  /** ISO 8601, when the 2xx arrived. */
  readonly acknowledged_at: string;
  /** The request id the service answered with. */
  readonly request_id: string;
  /** Synthetic customer id. */
  readonly shopper: string;
  /** `order_replaced` only: the order the shopper could not see and placed again. */
  readonly replaces?: string;
  /** E.g. the new address fields, the amount. */
  readonly detail?: Readonly<Record<string, string | number>>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// ISO 8601 with a date, a time and an explicit zone: a time without a zone means a different instant per reader.
/** An ISO 8601 instant with a zone (`Z` or `±hh:mm`): a time without one is read in the runner's zone. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const TEXT_MAX = 200;

/** What each field accepts, in the words a bad line's message uses. */
export const ACK_FIELD_ACCEPTED: Readonly<Record<keyof AcknowledgedWrite, string>> = {
  format: `"${ACK_FORMAT}"`,
  kind: ACK_KINDS.map((k) => `"${k}"`).join(', '),
  order_id: 'a uuid such as "0b7e8f43-2f0c-4c36-9a41-1d2f3e4a5b6c"',
  region: 'a Region name such as "us-east-1"',
  via: '"global" or "regional"',
  acknowledged_at: 'an ISO 8601 time with a zone, such as "2026-12-07T04:30:00.000Z"',
  request_id: `a non-empty string of at most ${TEXT_MAX} characters`,
  shopper: `a non-empty string of at most ${TEXT_MAX} characters`,
  replaces: 'a uuid other than order_id, present exactly when kind is "order_replaced"',
  detail: 'an object whose values are strings or finite numbers',
};

const text = z.string().min(1).max(TEXT_MAX);

/** zod schema of one ledger line: strict (an unknown field is a bad line, not silently dropped). */
export const acknowledgedWriteSchema = z
  .strictObject({
    format: z.literal(ACK_FORMAT),
    kind: z.enum(ACK_KINDS),
    order_id: z.string().regex(UUID),
    region: z.string().regex(REGION),
    via: z.enum(['global', 'regional']),
    acknowledged_at: z
      .string()
      .regex(ISO_INSTANT)
      .refine((s) => !Number.isNaN(Date.parse(s))),
    request_id: text,
    shopper: text,
    replaces: z.string().regex(UUID).optional(),
    detail: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  })
  .superRefine((ack, ctx) => {
    if (ack.kind === 'order_replaced' && ack.replaces === undefined) {
      ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'required when kind is "order_replaced"' });
    }
    if (ack.kind !== 'order_replaced' && ack.replaces !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['replaces'], message: `not allowed when kind is "${ack.kind}"` });
    }
    // Review 16c S11: an address change is judged lost by comparing its detail with the new primary's address;
    // without one it could never be lost.
    if (ack.kind === 'address_changed' && Object.keys(ack.detail ?? {}).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['detail'],
        message: 'required, with at least one address field, when kind is "address_changed"',
      });
    }
    if (ack.replaces !== undefined && ack.replaces.toLowerCase() === ack.order_id.toLowerCase()) {
      ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'equals order_id' });
    }
  }) satisfies z.ZodType<AcknowledgedWrite>;

/** A ledger that has at least one bad line; `problems` has one message per bad field, each naming its line. */
export class LedgerError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.length} bad ledger field(s):\n  ${problems.join('\n  ')}`);
    this.name = 'LedgerError';
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function valueAt(line: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = line;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

function lineProblems(lineNumber: number, raw: string): { ack?: AcknowledgedWrite; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return {
      problems: [`line ${lineNumber}: ${show(raw)} is not JSON; accepted: one JSON object per line (JSON Lines)`],
    };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { problems: [`line ${lineNumber}: ${show(parsed)} is not an object; accepted: one JSON object per line`] };
  }
  const result = acknowledgedWriteSchema.safeParse(parsed);
  if (result.success) return { ack: result.data, problems: [] };
  const problems: string[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push(
          `line ${lineNumber}: field ${key}: ${show((parsed as Record<string, unknown>)[key])} is not a ledger field; accepted: ${Object.keys(ACK_FIELD_ACCEPTED).join(', ')}`,
        );
      }
      continue;
    }
    const top = String(issue.path[0] ?? '');
    const field = issue.path.map(String).join('.');
    const accepted = ACK_FIELD_ACCEPTED[top as keyof AcknowledgedWrite] ?? 'a ledger line';
    const problem = `line ${lineNumber}: field ${field}: ${show(valueAt(parsed, issue.path))}`;
    const message = `${problem}${issue.code === 'custom' ? ` (${issue.message})` : ''}; accepted: ${accepted}`;
    if (!problems.includes(message)) problems.push(message);
  }
  return { problems };
}

/**
 * Reads a ledger in JSON Lines (one {@link AcknowledgedWrite} per line; blank lines are skipped).
 *
 * @param text the ledger's text, e.g. one S3 object `gamedays/<id>/acks/<region>/<invocation>.jsonl`.
 * @param source names the ledger in the error, e.g. its S3 key or file name.
 * @throws LedgerError naming, for every bad line, the line number, the field, the value and what is accepted.
 */
export function parseLedger(text: string, source = 'ledger'): AcknowledgedWrite[] {
  const acks: AcknowledgedWrite[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const { ack, problems: bad } = lineProblems(index + 1, line);
    if (ack) acks.push(ack);
    problems.push(...bad);
  });
  if (problems.length > 0) throw new LedgerError(source, problems);
  return acks;
}

/**
 * Writes acknowledged writes as JSON Lines (the inverse of {@link parseLedger}), validating each first.
 *
 * @throws LedgerError when one of them is not a valid ledger line (numbered from 1 in the given order).
 */
export function formatLedger(acks: readonly AcknowledgedWrite[], source = 'ledger'): string {
  const lines = acks.map((ack) => JSON.stringify(ack));
  parseLedger(lines.join('\n'), source);
  return lines.map((line) => `${line}\n`).join('');
}
