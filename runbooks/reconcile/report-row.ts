import { proposedSql } from './replay-sql';
import type { ReportedClass, ReportRow } from './report';
import type { RowContent, RowState } from './row-fetch';
import type { TableSpec } from './table-spec';

/** What is known about a non-identical row when it is written into the report. */
export interface ReportRowInput {
  readonly class: ReportedClass;
  readonly id: string;
  readonly reason: string;
  readonly oldState?: RowState;
  readonly newState?: RowState;
  readonly oldContent?: RowContent;
  readonly newContent?: RowContent;
}

/** Columns that always differ when a row changed; naming them adds nothing. */
const BOOKKEEPING = new Set(['updated_at', 'version']);

/** The columns whose text output differs (exact: JSON would hide jsonb `10` vs `10.0` or `-0` vs `0`). */
function differingColumns(spec: TableSpec, old: RowContent, current: RowContent): string[] {
  return spec.columns
    .filter((c, i) => !BOOKKEEPING.has(c.name) && old.texts[i] !== current.texts[i])
    .map((c) => c.name);
}

function softDeleteNote(
  old: Record<string, unknown> | undefined,
  current: Record<string, unknown> | undefined,
): string {
  if (!old || !('deleted_at' in old)) return '';
  if (old.deleted_at !== null && (current === undefined || current.deleted_at === null)) {
    return `soft delete on old at ${String(old.deleted_at)}; `;
  }
  return '';
}

/** Builds a report row: the reason plus the differing columns, both sides' data and the replay SQL. */
export function buildReportRow(spec: TableSpec, input: ReportRowInput): ReportRow {
  const old = input.oldContent?.json;
  const current = input.newContent?.json;
  let detail = input.reason;
  if (
    input.class === 'lost_update' ||
    input.class === 'conflict' ||
    input.class === 'unexplained' ||
    input.class === 'superseded'
  ) {
    if (input.oldContent && input.newContent) {
      const columns = differingColumns(spec, input.oldContent, input.newContent);
      if (columns.length > 0) detail += `; columns that differ: ${columns.join(', ')}`;
    }
  }
  const note = softDeleteNote(old, current);
  if (note && input.class === 'lost_update') detail = `lost ${note}${detail}`;
  else if (note && input.class === 'conflict') detail = `${note}${detail}`;
  const oldRecord = input.oldContent?.record ?? null;
  const row = {
    id: input.id,
    oldRecord,
    newVersion: input.newState?.version ?? null,
    newHash: input.newState?.hash ?? null,
  };
  // A possibly lost row gets the insert a person (or apply --replay-possibly-lost) would run.
  const replayAs = input.class === 'possibly_lost' ? 'lost_insert' : input.class;
  const replayable = (replayAs === 'lost_insert' || replayAs === 'lost_update') && oldRecord !== null;
  return {
    class: input.class,
    id: input.id,
    detail,
    old: old ?? null,
    new: current ?? null,
    oldRecord,
    oldHash: input.oldState?.hash ?? null,
    newHash: row.newHash,
    newVersion: row.newVersion,
    duplicateOf: null,
    proposedSql: replayable
      ? proposedSql(
          replayAs as 'lost_insert' | 'lost_update',
          spec.name,
          spec.columns,
          spec.rowHash,
          { ...row, oldRecord: oldRecord! },
          spec.plain,
        )
      : null,
  };
}
