import { z } from 'zod';

/** Thrown when the environment does not describe a valid configuration; the message lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Options of {@link parseEnv}. */
export interface ParseEnvOptions {
  /** Variables whose values must never be printed (passwords, secrets, URLs with credentials). @default - none */
  readonly secret?: readonly string[];
}

/**
 * Validates `env` against `schema` and returns the typed result. On failure throws a {@link ConfigError} naming
 * each variable, the value it had (hidden for secrets) and what is accepted, so a bad deploy stops at boot with
 * a message an operator can act on.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  options: ParseEnvOptions = {},
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.length > 0 ? String(issue.path[0]) : '(environment)';
    const raw = env[name];
    const shown =
      raw === undefined ? '(unset)' : options.secret?.includes(name) ? '(hidden, secret)' : JSON.stringify(raw);
    return `${name}=${shown}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}

function unset(raw: string | undefined): raw is undefined {
  return raw === undefined || raw.trim() === '';
}

/** An integer variable within `[min, max]`; unset or empty means `default`. */
export function envInteger(options: { readonly min: number; readonly max: number; readonly default: number }) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return options.default;
      const value = raw.trim();
      const n = Number(value);
      if (!/^-?\d+$/.test(value) || n < options.min || n > options.max) {
        ctx.addIssue({ code: 'custom', message: `accepted: an integer from ${options.min} to ${options.max}` });
        return z.NEVER;
      }
      return n;
    });
}

/** A boolean variable (`true`/`false`/`1`/`0`); unset or empty means `default`. */
export function envBoolean(options: { readonly default: boolean }) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return options.default;
      const value = raw.trim().toLowerCase();
      if (value === 'true' || value === '1') return true;
      if (value === 'false' || value === '0') return false;
      ctx.addIssue({ code: 'custom', message: 'accepted: true, false, 1 or 0' });
      return z.NEVER;
    });
}

/** One of `values`; unset or empty means `default` (or a required variable when no default is given). */
export function envChoice<const T extends readonly [string, ...string[]]>(
  values: T,
  options: { readonly default?: T[number] } = {},
) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (unset(raw)) {
        if (options.default !== undefined) return options.default;
        ctx.addIssue({ code: 'custom', message: `required; accepted: ${values.join(', ')}` });
        return z.NEVER;
      }
      const value = raw.trim();
      if (!(values as readonly string[]).includes(value)) {
        ctx.addIssue({ code: 'custom', message: `accepted: ${values.join(', ')}` });
        return z.NEVER;
      }
      return value as T[number];
    });
}

/** A string matching `pattern`; unset or empty means `default` (or required when no default is given). */
export function envString(options: { readonly pattern: RegExp; readonly accepted: string; readonly default?: string }) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string => {
      if (unset(raw)) {
        if (options.default !== undefined) return options.default;
        ctx.addIssue({ code: 'custom', message: `required; accepted: ${options.accepted}` });
        return z.NEVER;
      }
      const value = raw.trim();
      if (!options.pattern.test(value)) {
        ctx.addIssue({ code: 'custom', message: `accepted: ${options.accepted}` });
        return z.NEVER;
      }
      return value;
    });
}

/** An optional string; unset or empty means `undefined`. */
export function envOptionalString() {
  return z
    .string()
    .optional()
    .transform((raw) => (unset(raw) ? undefined : raw.trim()));
}

const SERVICE_URL_ACCEPTED = 'an http:// or https:// base URL without query or fragment';

/** The URL without trailing slashes, or undefined when it is not an http(s) base URL. */
function serviceUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') return undefined;
  return value.replace(/\/+$/, '');
}

/**
 * A base URL (`http:` or `https:`, no query or fragment) of another service. Trailing slashes are removed so
 * paths can be appended. Required unless a default is given.
 */
export function envServiceUrl(options: { readonly default?: string } = {}) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string => {
      const value = unset(raw) ? options.default : raw.trim();
      const url = value === undefined ? undefined : serviceUrl(value);
      if (url === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${value === undefined ? 'required; ' : ''}accepted: ${SERVICE_URL_ACCEPTED}`,
        });
        return z.NEVER;
      }
      return url;
    });
}

/** Like {@link envServiceUrl}, but unset or empty means `undefined`. */
export function envOptionalServiceUrl() {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string | undefined => {
      if (unset(raw)) return undefined;
      const url = serviceUrl(raw.trim());
      if (url === undefined) {
        ctx.addIssue({ code: 'custom', message: `accepted: ${SERVICE_URL_ACCEPTED}` });
        return z.NEVER;
      }
      return url;
    });
}
