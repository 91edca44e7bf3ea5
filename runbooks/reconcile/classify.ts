import type { CutBounds } from './replication-stop';
import type { RowClass } from './report';
import { type Micros, microsToIso } from './timestamp';

/** What the comparison knows about one copy of a row. */
export interface RowVersion {
  /** `updated_at` in µs since the epoch; null when the row has none. */
  readonly updatedAt: Micros | null;
  readonly version: number;
  /** Row hash, decimal int8. */
  readonly hash: string;
  /**
   * `created_at` in µs, when the table has a timestamptz `created_at` (null: the row has none); absent when the
   * table has no such column.
   */
  readonly createdAt?: Micros | null;
  /**
   * When the transaction that wrote this row version committed (`pg_xact_commit_timestamp(xmin)`), read on old
   * only and only when `track_commit_timestamp` is on; absent when unknown. Unlike `updated_at` (stamped when the
   * transaction started) and `version` (reset by a delete and re-insert), it tells whether the write can have
   * replicated: only a commit at or before the cut can.
   */
  readonly committedAt?: Micros;
  /**
   * True when the table enforces "inserted at version 1, +1 on every update" (its `shop_touch_row()` trigger, on
   * both sides): only then does `version` tell whether a row existed before its last write. Absent: it tells
   * nothing (a table may start at 0, or set versions by hand).
   */
  readonly versionFromOne?: boolean;
  /**
   * When the row's id was generated, for a uuid v7 id (its first 48 bits are a Unix time in ms, RFC 9562 §5.7);
   * absent for any other id. An id generated at or before the cut may belong to a row that existed before the cut.
   */
  readonly idTime?: Micros;
}

/**
 * The time a uuid v7 id carries ("a 48-bit big-endian unsigned number of the Unix Epoch timestamp in milliseconds",
 * RFC 9562 §5.7), in µs; undefined for an id of another version or variant.
 */
export function uuidV7Micros(id: string): Micros | undefined {
  // Postgres writes a uuid as 8-4-4-4-12 hex digits: the version is the first digit of the third group, the variant
  // the first of the fourth. Read in place: this runs for every row of both windows.
  if (id.length === 36 && id[8] === '-' && id[13] === '-' && id[18] === '-' && id[23] === '-') {
    if (id[14] !== '7' || !VARIANT_10.has(id[19]!)) return undefined;
    return BigInt(`0x${id.slice(0, 8)}${id.slice(9, 13)}`) * 1000n;
  }
  const hex = id.replace(/-/g, '');
  if (hex.length !== 32 || hex[12] !== '7' || !VARIANT_10.has(hex[16]!)) return undefined;
  return BigInt(`0x${hex.slice(0, 12)}`) * 1000n;
}

/** The first hex digit of a uuid's variant field for RFC 9562's variant (binary 10xx). */
const VARIANT_10: ReadonlySet<string> = new Set(['8', '9', 'a', 'b', 'A', 'B']);

/** The class of a candidate and why. */
export interface Classification {
  readonly class: RowClass;
  readonly reason: string;
}

/** How a row of new's window that old did not change in its window is counted. */
export type NewWindowClass = 'new_write' | 'conflict' | 'unexplained';

function when(micros: Micros | null | undefined): string {
  return micros === null || micros === undefined ? 'an unknown time (updated_at is NULL)' : microsToIso(micros);
}

function describe(row: RowVersion): string {
  return `version ${row.version} at ${when(row.updatedAt)}`;
}

/**
 * Whether old's row version replicated (so new held it at the cut), by its commit time: true when it committed at
 * or before the cut; false when it committed after replication had stopped (after {@link
 * CutBounds.mayHaveReplicatedUntil}); undefined in between (it may or may not have), or without a commit time.
 */
function replicatedByCommitTime(old: RowVersion, bounds: CutBounds): boolean | undefined {
  if (old.committedAt === undefined) return undefined;
  // A commit time before the transaction's own start (updated_at) means the two clocks are not comparable.
  if (old.updatedAt !== null && old.committedAt < old.updatedAt) return undefined;
  if (old.committedAt <= bounds.cut) return true;
  const until = bounds.mayHaveReplicatedUntil;
  return until !== null && old.committedAt > until ? false : undefined;
}

/**
 * Whether old's row version certainly never replicated: committed after replication had stopped, or, without a
 * commit time, begun after that (`updated_at`, the transaction's start, is before its commit).
 */
function versionNeverReplicated(old: RowVersion, bounds: CutBounds): boolean {
  const byCommit = replicatedByCommitTime(old, bounds);
  if (byCommit !== undefined) return byCommit === false;
  if (old.committedAt !== undefined) return false; // a commit time that cannot be compared: unknown
  const until = bounds.mayHaveReplicatedUntil;
  return until !== null && old.updatedAt !== null && old.updatedAt > until;
}

/**
 * Whether old's row was certainly never on new: its INSERT, not only its last write, came after replication had
 * stopped. A row inserted before that may have replicated (and been deleted by new), however late old changed it
 * again. Evidence: `created_at` (stamped when the insert began) after the stop, or, where versions provably start at
 * 1, a row still at version 1 whose only write never replicated.
 */
function insertedAfterStop(old: RowVersion, bounds: CutBounds): boolean {
  const until = bounds.mayHaveReplicatedUntil;
  if (until === null) return false;
  if (old.createdAt !== undefined && old.createdAt !== null && old.createdAt > until) return true;
  return old.versionFromOne === true && old.version === 1 && versionNeverReplicated(old, bounds);
}

/**
 * Whether a row may have existed before the cut: its `created_at` at or before the cut; without one, a version
 * above 1 where the table enforces versions from 1 (`versionFromOne`); without either, it may have (nothing shows
 * it did not: a table whose versions start at 0, or are set by hand, proves nothing).
 */
function existedBeforeCut(row: RowVersion, cut: Micros): boolean {
  if (row.createdAt !== undefined && row.createdAt !== null) return row.createdAt <= cut;
  if (row.versionFromOne === true) return row.version > 1;
  return true;
}

/** Whether new's copy was (re)created after the cut: a delete and re-insert, which resets `version`. */
function recreatedAfterCut(current: RowVersion, cut: Micros): boolean {
  return current.createdAt !== undefined && current.createdAt !== null && current.createdAt > cut;
}

/**
 * Classifies a candidate: a row of the old database changed at or after the window start, against its copy on
 * the new primary. Pure; the rules (README.md, "Classes") in order:
 * - absent on new: `lost_insert` only when the row cannot have existed before the cut (written on old after the
 *   cut, and created after it); otherwise new may have deleted it after the failover and replaying would
 *   re-create it: `conflict`;
 * - same hash: `identical`;
 * - new's copy without `updated_at`: `conflict`;
 * - new not touched after the cut and older than old: `lost_update`;
 * - new touched after the cut while old changed after the cut too: `conflict`;
 * - old changed within the margin and new after the cut: `superseded` only when old's commit time proves its
 *   change replicated and new built on it (higher version, not re-created); `version` alone can be reset by a
 *   delete and re-insert on new, and a change committed after the cut looks the same: `conflict`;
 * - anything else: `conflict`, because replaying or ignoring it would both be a guess.
 */
export function classifyCandidate(old: RowVersion, current: RowVersion | undefined, bounds: CutBounds): Classification {
  const { cut } = bounds;
  if (!current) {
    // An insert (version 1 where the table enforces it) committed after the cut never reached new: new cannot have
    // deleted it. Unless its id was generated before the cut: a row deleted and inserted again under the same id
    // after the cut (a fresh created_at, version 1) may have replicated in its first life and been deleted by new.
    const idBefore = old.idTime !== undefined && old.idTime <= cut;
    const insertNeverReplicated =
      old.versionFromOne === true && old.version === 1 && replicatedByCommitTime(old, bounds) === false;
    const stampedBefore = old.updatedAt === null || old.updatedAt <= cut;
    if (idBefore || (!insertNeverReplicated && (stampedBefore || existedBeforeCut(old, cut)))) {
      const evidence = idBefore
        ? `its id is a uuid v7 generated at ${microsToIso(old.idTime!)}, before the cut, so the row may have existed before the cut (deleted and inserted again on old)`
        : stampedBefore
          ? `old's copy (${describe(old)}) is from before the cut`
          : old.createdAt !== undefined && old.createdAt !== null
            ? `it was created at ${microsToIso(old.createdAt)}, before the cut`
            : old.versionFromOne === true
              ? `old's copy has version ${old.version}, so it existed before its last change`
              : `nothing shows it was born after the cut (no created_at, and nothing enforces that versions start at 1)`;
      return {
        class: 'conflict',
        reason: `absent on new, but it may have been there: ${evidence}. Either new deleted it after the failover, or old's write never replicated; replaying it could re-create a row the new primary deleted, so a person decides`,
      };
    }
    if (!insertedAfterStop(old, bounds)) {
      const until = bounds.mayHaveReplicatedUntil;
      return {
        class: 'possibly_lost',
        reason: `exists only on old (written as ${describe(old)}${old.committedAt !== undefined ? `, committed ${microsToIso(old.committedAt)}` : ''}), but nothing shows its insert came after replication had stopped (${until === null ? 'nothing bounds when it stopped' : `it had certainly stopped by ${microsToIso(until)}`}): it may have replicated and been deleted by the new primary since, or never replicated. Replay it only if nothing on the new primary deletes such rows`,
      };
    }
    return { class: 'lost_insert', reason: `exists only on old (written as ${describe(old)})` };
  }
  if (current.hash === old.hash) return { class: 'identical', reason: 'same row on both sides' };
  const both = `old has ${describe(old)}, new has ${describe(current)}`;
  if (current.updatedAt === null) {
    return { class: 'conflict', reason: `new's copy has no updated_at, so when it changed is unknown: ${both}` };
  }
  const oldAt = old.updatedAt ?? current.updatedAt;
  if (current.updatedAt <= cut) {
    if (current.updatedAt < oldAt || (current.updatedAt === oldAt && current.version < old.version)) {
      return { class: 'lost_update', reason: `changed on old after new's copy and never replicated: ${both}` };
    }
    return {
      class: 'conflict',
      reason: `new's copy predates the cut yet is not older than old's: ${both}; a person must decide which is right`,
    };
  }
  if (oldAt > cut) {
    return { class: 'conflict', reason: `changed on both sides after the cut: ${both}` };
  }
  const replicated = replicatedByCommitTime(old, bounds);
  if (replicated === true && current.version > old.version && !recreatedAfterCut(current, cut)) {
    return {
      class: 'superseded',
      reason: `old's change committed at ${microsToIso(old.committedAt!)}, before the cut, so it replicated, and new changed the row again after it: ${both}`,
    };
  }
  const why =
    replicated === false
      ? `old's change committed at ${microsToIso(old.committedAt!)}, after replication had stopped, so it never replicated`
      : recreatedAfterCut(current, cut)
        ? `new re-created the row at ${microsToIso(current.createdAt!)}, after the cut`
        : current.version <= old.version
          ? "new's version does not build on old's"
          : old.committedAt !== undefined && old.committedAt > cut
            ? `old's change committed at ${microsToIso(old.committedAt)}, after the cut but before replication had certainly stopped, so whether it replicated cannot be told`
            : "whether old's change replicated cannot be told (no commit timestamps; a version can be reset by a delete and re-insert)";
  return {
    class: 'conflict',
    reason: `changed on old within the margin before the cut and on new after the cut; ${why}: ${both}`,
  };
}

/**
 * Classifies a row of new's window (`updated_at >= windowStart` on new) whose copy on old is not a candidate:
 * absent on old, or outside old's window. Pure.
 * - changed on new at or before the cut: that change came from old, yet old has an older copy or none:
 *   `unexplained`;
 * - changed on new after the cut and absent on old: a new write when the row was born after the cut; when it
 *   existed before (created_at at or before the cut; without one, a version above 1 where versions are enforced
 *   from 1; without either, it may have), old deleted it without
 *   a trace and new changed it: `conflict`;
 * - changed on new after the cut over old's copy: a new write when old's copy is known to have replicated (its
 *   commit time is at or before the cut) or, without commit times, when new built on it (higher version) and did
 *   not re-create the row; otherwise old's copy may be a change of a transaction that began before the window and
 *   committed after the cut, hidden by new's change: `conflict`.
 */
export function classifyNewWindowRow(
  current: RowVersion & { readonly updatedAt: Micros },
  old: RowVersion | undefined,
  bounds: CutBounds,
): { readonly class: NewWindowClass; readonly reason: string } {
  const { cut } = bounds;
  if (current.updatedAt <= cut) {
    return {
      class: 'unexplained',
      reason: old
        ? `new has a change from ${microsToIso(current.updatedAt)} (before the cut, so it came from old) but old's copy is older (${when(old.updatedAt)}): old lost a change it had replicated`
        : `new has a row changed at ${microsToIso(current.updatedAt)} (before the cut, so it came from old) that old does not have: deleted on old without a trace (a hard delete)`,
    };
  }
  if (!old) {
    if (!existedBeforeCut(current, cut)) return { class: 'new_write', reason: 'written on new after the cut' };
    return {
      class: 'conflict',
      reason: `absent on old, yet it existed before the cut (new has ${describe(current)}${current.createdAt ? `, created ${microsToIso(current.createdAt)}` : ''}): old deleted it without a trace (a hard delete) and new changed it after the failover`,
    };
  }
  const both = `old has ${describe(old)}, new has ${describe(current)}`;
  const replicated = replicatedByCommitTime(old, bounds);
  if (replicated === true && !recreatedAfterCut(current, cut)) {
    return { class: 'new_write', reason: 'changed on new after the cut over a copy that replicated' };
  }
  if (replicated === undefined && current.version > old.version && !recreatedAfterCut(current, cut)) {
    return { class: 'new_write', reason: 'changed on new after the cut, building on old copy' };
  }
  const why =
    replicated === false
      ? `old's copy committed at ${microsToIso(old.committedAt!)}, after replication had stopped (a transaction that began before the window), so it never replicated`
      : recreatedAfterCut(current, cut)
        ? `new re-created the row at ${microsToIso(current.createdAt!)}, after the cut`
        : "new's version does not build on old's copy, which may be a change of a transaction that began before the window and committed after the cut";
  return {
    class: 'conflict',
    reason: `changed on new after the cut, and old's copy is not what new changed: ${why}: ${both}`,
  };
}
