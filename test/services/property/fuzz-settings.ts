import { createHash } from 'node:crypto';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name}: expected a positive integer (received ${raw})`);
  return value;
}

/** `npm run fuzz` sets FUZZ=1: many cases and a new seed each run; `npm test` runs few, with a fixed seed. */
const fuzzing = process.env['FUZZ'] === '1';

/**
 * The property test's settings, from the environment:
 * - `FUZZ_RUNS`: cases per route (default 20 in `npm test`, 200 in `npm run fuzz`);
 * - `FUZZ_SEED`: the base seed (default 14 in `npm test`, random in `npm run fuzz`); each route's seed is derived
 *   from it and the route, so one seed replays a whole run;
 * - `FUZZ_ROUTE`: only the routes whose `service METHOD url` contains this text;
 * - `FUZZ_PATH`: with `FUZZ_SEED` and `FUZZ_ROUTE`, replays the one counterexample fast-check reported;
 * - `FUZZ_INCLUDE_KNOWN`: known findings whose cases are generated although not fixed yet (`B1,m1` or `all`).
 */
export const FUZZ = {
  fuzzing,
  runs: positiveInteger('FUZZ_RUNS', fuzzing ? 200 : 20),
  seed: positiveInteger('FUZZ_SEED', fuzzing ? Math.floor(Math.random() * 2 ** 31) + 1 : 14),
  route: process.env['FUZZ_ROUTE'] ?? '',
  path: process.env['FUZZ_PATH'] || undefined,
} as const;

/** The seed of one route: the base seed and the route's name, hashed (stable across runs and route order). */
export function routeSeed(baseSeed: number, route: string): number {
  return createHash('sha256').update(`${baseSeed}|${route}`).digest().readInt32BE(0);
}
