export {
  type ApplyOptions,
  type ApplyResult,
  type ApplyTableResult,
  applyReport,
  recoveredEventId,
} from './apply-report';
export { registerReconcileCommands } from './cli-commands';
export type { CutSource } from './cut';
export {
  DEFAULT_JOBS,
  DEFAULT_MARGIN_SECONDS,
  type ReconcileOptions,
  type ReconcileProgress,
  type ReconcileSeams,
  reconcile,
} from './reconcile';
export * from './report';
