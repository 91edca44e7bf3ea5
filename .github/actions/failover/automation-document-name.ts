/**
 * The contract between the failover workflow and the SSM Automation documents of the runbook stack. The stack
 * imports these names so both sides always agree.
 */

/**
 * The runbook actions the failover workflow can start. `recover` (after an unplanned failover, once the failed Region
 * is back) restores the old primary's snapshot, reconciles it and stores the missing-transaction report; it moves
 * neither traffic nor writers, so it sets no deploy freeze.
 */
export const RUNBOOK_ACTIONS = ['readiness', 'failover', 'switchover', 'failback', 'recover'] as const;

/** One of {@link RUNBOOK_ACTIONS}. */
export type RunbookAction = (typeof RUNBOOK_ACTIONS)[number];

/** The parameters every runbook document declares (all of type String). */
export const AUTOMATION_PARAMETERS = {
  /** The Region traffic and the database writers move to (for `readiness`: the Region checked). */
  targetRegion: 'TargetRegion',
  /** `true` or `false`; with `true` the runbook checks and prints its plan but changes nothing. */
  dryRun: 'DryRun',
  /** Why the runbook runs; kept in the execution's summary. */
  reason: 'Reason',
} as const;

/**
 * The parameter every runbook document declares to resume an earlier, unfinished execution from its journal
 * (`runbooks/ssm/automation-document.ts`: "Execution id of an earlier, unfinished run to resume"). The failover CLI
 * passes it when `execution_id` names an execution that ended without succeeding.
 */
export const RESUME_EXECUTION_PARAMETER = 'ResumeExecutionId';

/**
 * The parameter of the `recover` document giving the failover time (the orchestration's `failoverAt` input,
 * PascalCase like every document parameter: `runbooks/ssm/automation-document.ts`). The failover CLI passes it when
 * the workflow's `failover_at` input is set.
 */
export const FAILOVER_AT_PARAMETER = 'FailoverAt';

/**
 * The parameter of the `failback` document listing the failback readiness conditions to go on without (the
 * orchestration's `overrides` input, PascalCase like every document parameter: `runbooks/ssm/automation-document.ts`;
 * its pattern accepts lower-case names separated by commas, no spaces). The failover CLI passes it when the workflow's
 * `overrides` input is set.
 */
export const OVERRIDES_PARAMETER = 'Overrides';

/**
 * What the failback's `overrides` accepts: each failback readiness condition that may be waived, or `all` (every one
 * of them). The same as `OVERRIDABLE_CONDITIONS` and `OVERRIDE_ALL` of `runbooks/orchestrations/failback-readiness.ts`
 * (a test keeps them equal; importing those would put the runbook code in the failover bundle).
 */
export const FAILBACK_OVERRIDE_VALUES = ['healthy-long-enough', 'canaries-green', 'capacity-in-place', 'all'] as const;

/** One of {@link FAILBACK_OVERRIDE_VALUES}. */
export type FailbackOverride = (typeof FAILBACK_OVERRIDE_VALUES)[number];

/**
 * The field holding the link to the run's reports (an https URL or an `s3://` location) in the object the runbook
 * function returns: the workflow reads it from the `Payload` output of the document's `aws:invokeLambdaFunction`
 * steps (`StepExecutions[].Outputs.Payload`, the JSON the function returned). A run without a report (a dry run,
 * `readiness`) has none. Documents generated before listed it as a document output `<StepName>.ReportUrl`, which
 * the workflow still reads.
 */
export const REPORT_URL_OUTPUT = 'ReportUrl';

/**
 * The SSM Automation document of a runbook action, the same name in both Regions: `<app>-<env>-<action>`.
 *
 * @example automationDocumentName('shop', 'dev', 'failover') // 'shop-dev-failover'
 */
export function automationDocumentName(appName: string, envName: string, action: RunbookAction): string {
  return `${appName}-${envName}-${action}`;
}
