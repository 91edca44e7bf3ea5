import type { RowClass } from './report';
import { type Micros, microsToIso } from './timestamp';

/** What the comparison knows about one copy of a row. */
export interface RowVersion {
  /** `updated_at` in µs since the epoch. */
  readonly updatedAt: Micros;
  readonly version: number;
  /** Row hash, decimal int8. */
  readonly hash: string;
}

/** The class of a candidate and why. */
export interface Classification {
  readonly class: RowClass;
  readonly reason: string;
}

function describe(side: string, row: RowVersion): string {
  return `${side} version ${row.version} at ${microsToIso(row.updatedAt)}`;
}

/**
 * Classifies a candidate: a row of the old database changed at or after the window start, against its copy on
 * the new primary. Pure; the rules (README.md, "Classes") in order:
 * absent on new → lost_insert; same hash → identical; new not touched after the cut and older than old →
 * lost_update; new touched after the cut while old changed after the cut too → conflict; new touched after the
 * cut on top of old's version (old changed before the cut, new version higher) → superseded; anything else →
 * conflict, because replaying or ignoring it would both be a guess.
 */
export function classifyCandidate(old: RowVersion, current: RowVersion | undefined, cut: Micros): Classification {
  if (!current) {
    return { class: 'lost_insert', reason: `exists only on old (${describe('written as', old)})` };
  }
  if (current.hash === old.hash) return { class: 'identical', reason: 'same row on both sides' };
  const both = `old has ${describe('', old).trim()}, new has ${describe('', current).trim()}`;
  if (current.updatedAt <= cut) {
    if (current.updatedAt < old.updatedAt || (current.updatedAt === old.updatedAt && current.version < old.version)) {
      return { class: 'lost_update', reason: `changed on old after new's copy and never replicated: ${both}` };
    }
    return {
      class: 'conflict',
      reason: `new's copy predates the cut yet is not older than old's: ${both}; a person must decide which is right`,
    };
  }
  if (old.updatedAt > cut) {
    return { class: 'conflict', reason: `changed on both sides after the cut: ${both}` };
  }
  if (current.version > old.version) {
    return {
      class: 'superseded',
      reason: `old's change (before the cut) had replicated and new changed the row again after it: ${both}`,
    };
  }
  return {
    class: 'conflict',
    reason: `changed on old within the margin before the cut and on new after the cut without building on old's version: ${both}`,
  };
}
