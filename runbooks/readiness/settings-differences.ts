/** One setting that differs between two Regions: its path and the value on each side (JSON; undefined: absent). */
export interface SettingDifference {
  readonly key: string;
  readonly left: string | undefined;
  readonly right: string | undefined;
}

const ARN_ACCOUNT = /(arn:[^:\s"]+:[^:\s"]+:[^:\s"]*:)\d{12}(:)/g;

/**
 * `value` with `region` replaced by `<region>` and the account id of every ARN by `<account>`: what may differ
 * between two Regions of one deployment. The facts port promises this already; doing it again here keeps the check
 * right over an adapter that forgot one place.
 */
export function regionNeutral(value: unknown, region: string): unknown {
  if (typeof value === 'string') return value.split(region).join('<region>').replace(ARN_ACCOUNT, '$1<account>$2');
  if (Array.isArray(value)) return value.map((v) => regionNeutral(v, region));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, regionNeutral(v, region)]));
  }
  return value;
}

const named = (v: unknown): v is { name: string } =>
  !!v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string';

/**
 * Flattens settings to `path → JSON text`. Objects go by key; a list whose items all have a distinct `name`
 * (containers, environment variables, secrets, mount points) goes by that name, so the order ECS lists them in does
 * not count; any other list goes by position.
 */
export function flattenSettings(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    const names = value.map((v) => (named(v) ? v.name : undefined));
    const byName = value.length > 0 && names.every((n) => n !== undefined) && new Set(names).size === names.length;
    // An empty list or object is a value of its key (`volumes: []` differs from no `volumes`); at the root it is none.
    if (value.length === 0 && path) into.set(path, '[]');
    for (const [index, item] of value.entries()) {
      flattenSettings(item, `${path}[${byName ? names[index] : index}]`, into);
    }
  } else if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0 && path) into.set(path, '{}');
    for (const [key, item] of entries) flattenSettings(item, path ? `${path}.${key}` : key, into);
  } else {
    into.set(path, JSON.stringify(value));
  }
  return into;
}

/** Every flattened key whose value differs between `left` and `right`, sorted by key. */
export function settingsDifferences(left: unknown, right: unknown): SettingDifference[] {
  const a = flattenSettings(left);
  const b = flattenSettings(right);
  return [...new Set([...a.keys(), ...b.keys()])]
    .sort()
    .filter((key) => a.get(key) !== b.get(key))
    .map((key) => ({ key, left: a.get(key), right: b.get(key) }));
}
