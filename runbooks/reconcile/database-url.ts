/** A connection string with its password (and any password-like query parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/**
 * Checks that `value` is a `postgres://` or `postgresql://` URL with a host; returns an error message naming
 * `flag` when it is not.
 */
export function postgresUrlProblem(flag: string, value: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `${flag}: ${JSON.stringify(redactUrl(value))} is not a URL; accepted: postgres://user[:password]@host[:port]/database`;
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return `${flag}: ${JSON.stringify(redactUrl(value))} has protocol ${JSON.stringify(parsed.protocol)}; accepted: postgres://user[:password]@host[:port]/database`;
  }
  if (!parsed.hostname) {
    return `${flag}: ${JSON.stringify(redactUrl(value))} has no host; accepted: postgres://user[:password]@host[:port]/database`;
  }
  return undefined;
}
