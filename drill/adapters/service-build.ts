import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SERVICES_DIR = path.resolve(__dirname, '..', '..', 'services');

/** Folders of `services/` every service's image holds besides its own (see services/Dockerfile). */
const SHARED_FOLDERS = ['platform', 'db'] as const;

/** What one service process of the drill runs: the drill's stand-in for a task definition and its image. */
export interface ServiceBuild {
  readonly service: string;
  /** The entry file a container of the service runs. */
  readonly entry: string;
  /**
   * `sha256:` of the code the service was started from: every file of `services/<service>/` and of the shared
   * `services/platform/` and `services/db/` (path and content, sorted by path), read when the Region's services
   * started; with the build label mixed in when a test gave one.
   */
  readonly digest: string;
  /** The environment the service was built with (its config). */
  readonly env: Readonly<Record<string, string>>;
  /** When the service was started with this build (the drill's stand-in for when its stack was deployed). */
  readonly startedAt: Date;
}

/**
 * The build of `service` as started now, from the files on disk. `label` stands for another image: the drill cannot
 * run two builds of the code in one process, so a test that wants a Region on a different build gives it a label,
 * which changes the digest (and nothing else).
 */
export function serviceBuild(
  service: string,
  env: Readonly<Record<string, string>>,
  label?: string,
  startedAt: Date = new Date(),
): ServiceBuild {
  const hash = createHash('sha256');
  for (const folder of [service, ...SHARED_FOLDERS]) {
    for (const file of filesBelow(path.join(SERVICES_DIR, folder))) {
      hash.update(path.relative(SERVICES_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  if (label !== undefined) hash.update(`label\0${label}`);
  return {
    service,
    entry: `services/${service}/server.ts`,
    digest: `sha256:${hash.digest('hex')}`,
    env: { ...env },
    startedAt,
  };
}

/** Environment variables whose values are this Region's addresses (ports here; host names on AWS). */
const ADDRESS_KEY = /^(HOST|PORT)$|_URL$|_ENDPOINT$/;
/** Environment variables holding a secret: compared by their hash, never shown. */
const SECRET_KEY = /SECRET|PASSWORD|TOKEN/;

/**
 * A build's settings as parity compares them: the entry and the environment, with either Region's name replaced by
 * `<region>`, addresses by `<address>` (they differ between the Regions by construction) and secrets by the first
 * 12 hex digits of their SHA-256 (equal secrets compare equal; nothing of the value is shown).
 */
export function comparableSettings(build: ServiceBuild, regions: readonly string[]): Record<string, unknown> {
  const environment = Object.fromEntries(
    Object.entries(build.env)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => {
        if (ADDRESS_KEY.test(key)) return [key, '<address>'];
        if (SECRET_KEY.test(key))
          return [key, `<secret sha256:${createHash('sha256').update(value).digest('hex').slice(0, 12)}>`];
        return [key, regions.reduce((v, region) => v.split(region).join('<region>'), value)];
      }),
  );
  return { entry: build.entry, environment };
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesBelow(full) : entry.isFile() ? [full] : [];
    })
    .sort();
}
