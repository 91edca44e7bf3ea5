import type { StepOutputs } from '../ports';
import type { StepKind } from './step';

/** Something the engine reports while it runs; `elapsedMs` counts from the start of the run. */
export type ProgressEvent = { readonly elapsedMs: number } & (
  | {
      readonly type: 'run-start';
      readonly orchestration: string;
      readonly executionId: string;
      readonly resumed: boolean;
      readonly dryRun: boolean;
    }
  | { readonly type: 'step-start'; readonly step: string; readonly kind: StepKind; readonly description: string }
  | { readonly type: 'step-progress'; readonly step: string; readonly message: string }
  | {
      readonly type: 'step-done';
      readonly step: string;
      readonly status: 'succeeded' | 'already-done' | 'recorded';
      readonly detail: string;
      readonly outputs?: StepOutputs;
    }
  | {
      readonly type: 'step-plan';
      readonly step: string;
      readonly kind: StepKind;
      readonly wouldDo: string;
      readonly check: string;
    }
  | { readonly type: 'step-retry'; readonly step: string; readonly attempt: number; readonly error: string }
  | { readonly type: 'step-failed'; readonly step: string; readonly error: string; readonly retriable: boolean }
  | { readonly type: 'run-end'; readonly status: 'succeeded' | 'failed' | 'planned'; readonly executionId: string }
);

/** `  12.3s`: elapsed time padded for aligned progress lines. */
export function formatElapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`.padStart(7);
}

/** One human-readable line per event (the CLI's progress output). */
export function formatProgress(event: ProgressEvent): string {
  const at = `[${formatElapsed(event.elapsedMs)}]`;
  switch (event.type) {
    case 'run-start':
      return `${at} ${event.dryRun ? 'DRY RUN of' : 'running'} ${event.orchestration} (execution ${event.executionId}${event.resumed ? ', resumed' : ''})`;
    case 'step-start':
      return `${at} ▶ ${event.step}: ${event.description}`;
    case 'step-progress':
      return `${at}   ${event.step}: ${event.message}`;
    case 'step-done': {
      const mark = event.status === 'succeeded' ? '✔' : '✓';
      const note =
        event.status === 'already-done' ? ' (already done)' : event.status === 'recorded' ? ' (recorded earlier)' : '';
      return `${at} ${mark} ${event.step}${note}: ${event.detail}`;
    }
    case 'step-plan':
      return `${at} • ${event.step} [${event.kind}] would: ${event.wouldDo}\n${' '.repeat(at.length + 3)}check: ${event.check}`;
    case 'step-retry':
      return `${at} ↻ ${event.step}: attempt ${event.attempt} failed (${event.error}); retrying`;
    case 'step-failed':
      return `${at} ✘ ${event.step}: ${event.error}${event.retriable ? '\n    (retriable: run the same command again to resume)' : ''}`;
    case 'run-end':
      return `${at} ${event.status === 'succeeded' ? 'SUCCEEDED' : event.status === 'planned' ? 'PLANNED (nothing was changed)' : 'FAILED'} — execution ${event.executionId}`;
  }
}
