/**
 * The post-pass over the rendered deploy workflow that ties a rollback to the artifacts of the release it returns to
 * (review M4). cdk-pipelines-github renders each stack's deploy job with the template URL it derives from the
 * stack's template asset (`https://<bucket>.s3.<region>.amazonaws.com/${{ needs.<asset job>.outputs.asset-hash }}.json`),
 * the capabilities, the CDK deploy role chain and the stack name. This pass
 * - gives each bake's `record` step exactly those template URLs (the same strings, so the same URLs by
 *   construction; not re-derived), and the asset jobs they read to the bake job's `needs` (a job reads
 *   `needs.<job>.outputs` only of the jobs it needs);
 * - builds each rollback job's redeploy from the same deploy jobs: their credential steps and their CloudFormation
 *   step, with the template replaced by the one the plan read from the known-good record. Nothing is fetched,
 *   installed, synthesized or built, and no configuration of the current commit is passed (review M4(2): the
 *   recorded template is the old release whole, code and configuration). CloudFormation takes the template from
 *   its URL: "The URL must point to a template (max size: 1 MB) that's located in an Amazon S3 bucket or a Systems
 *   Manager document." (CreateChangeSet API reference, TemplateURL), which is what the action passes a URL as.
 */

/** A step of a rendered job (keys in GitHub's spelling). */
export interface RenderedStep {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string>>;
}

/** A rendered job. */
export type RenderedJob = Record<string, unknown> & {
  readonly needs?: readonly string[];
  readonly steps?: readonly RenderedStep[];
};

/** One stack a Region records and rolls back. */
export interface RolledBackStack {
  /** Its CDK id (`<stage>/<id>`): shown in the record. */
  readonly cdkId: string;
  /** Its CloudFormation name. */
  readonly stackName: string;
  /** The job that deploys it in the release (`<stage>-<stack name>-Deploy`). */
  readonly deployJobId: string;
}

/** What the post-pass needs to know of one Region's rollback. */
export interface RecordedRollback {
  /** The Region whose record and rollback this is. */
  readonly region: string;
  /** The stacks recorded after its bake and redeployed by its rollback, in deploy order. */
  readonly stacks: readonly RolledBackStack[];
  /** The bake jobs of the Region (the one that holds its `record` step among them). */
  readonly bakeJobIds: readonly string[];
  /** The id of the rollback job. */
  readonly rollbackJobId: string;
  /** The rollback job without its steps (`needs`, `if`, time limit, permissions). */
  readonly job: Record<string, unknown>;
  /**
   * The freeze check, right after the credentials (review-12 D1): its `id` names the step whose output `frozen` must
   * be `false` for any redeploy, verify or bake to run.
   */
  readonly freezeCheck: RenderedStep;
  /** Runs instead of the redeploys when the freeze is held (or cannot be read): says so. */
  readonly frozenReport: RenderedStep;
  /** The last step: runs when the rollback did not restore the Region, and says so loudly. */
  readonly failureReport: RenderedStep;
}

const CLOUDFORMATION_ACTION = 'aws-actions/aws-cloudformation-github-deploy@';
const CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials@';

/** The `if:` of the rollback's setup, credentials, freeze check and plan: until a step fails. */
export const UNTIL_A_STEP_FAILS = '${{ !failure() }}';

/** The step id of the rollback's own bake. */
export const ROLLBACK_BAKE_STEP_ID = 'bake';

function requireJob(jobs: Readonly<Record<string, RenderedJob>>, id: string): RenderedJob {
  const job = jobs[id];
  if (!job) throw new Error(`deploy workflow: no job ${JSON.stringify(id)}; accepted: a job of the rendered workflow`);
  return job;
}

function requireStep(
  job: RenderedJob,
  jobId: string,
  what: string,
  test: (step: RenderedStep) => boolean,
): RenderedStep {
  const step = (job.steps ?? []).find(test);
  if (!step) throw new Error(`deploy workflow: job ${jobId} has no ${what}`);
  return step;
}

/** The deploy job's CloudFormation step and the credential steps before it. */
function deploySteps(jobs: Readonly<Record<string, RenderedJob>>, stack: RolledBackStack) {
  const job = requireJob(jobs, stack.deployJobId);
  const deploy = requireStep(job, stack.deployJobId, 'aws-cloudformation-github-deploy step', (s) =>
    (s.uses ?? '').startsWith(CLOUDFORMATION_ACTION),
  );
  if (deploy.with?.['name'] !== stack.stackName) {
    throw new Error(
      `deploy workflow: job ${stack.deployJobId} deploys ${String(deploy.with?.['name'])}, not ${stack.stackName}`,
    );
  }
  const credentials = (job.steps ?? []).filter((s) => (s.uses ?? '').startsWith(CREDENTIALS_ACTION));
  return { deploy, credentials, template: String(deploy.with?.['template'] ?? '') };
}

/** The jobs a template expression reads outputs of (`needs.<job>.outputs.…`). */
function jobsRead(expression: string): string[] {
  return [...expression.matchAll(/needs\.([A-Za-z0-9_-]+)\.(?:outputs|result)\b/g)].map((m) => m[1]!);
}

/**
 * The rendered jobs with each Region's `record` step given the stacks and template URLs of its rollback set, and
 * with the rollback jobs added, their steps built from the bake and deploy jobs.
 *
 * @throws Error when a job or step the pass relies on is missing (a changed generator), naming it.
 */
export function withRecordedReleases<J extends RenderedJob>(
  jobs: Readonly<Record<string, J>>,
  rollbacks: readonly RecordedRollback[],
): Record<string, J> {
  const result: Record<string, RenderedJob> = { ...jobs };
  for (const rollback of rollbacks) {
    const { region } = rollback;
    const stacks = rollback.stacks.map((stack) => ({ stack, ...deploySteps(jobs, stack) }));

    // The record step: the stacks and the very template strings their deploy jobs passed.
    const isRecord = (s: RenderedStep) => s.env?.['INPUT_COMMAND'] === 'record' && s.env?.['INPUT_REGION'] === region;
    const recordJobId = rollback.bakeJobIds.find((id) => requireJob(jobs, id).steps?.some(isRecord));
    if (recordJobId === undefined) {
      throw new Error(`deploy workflow: no bake job of ${rollback.bakeJobIds.join(', ')} records ${region}`);
    }
    const recordJob = requireJob(jobs, recordJobId);
    const record = requireStep(recordJob, recordJobId, `record step for ${region}`, isRecord);
    const assetJobs = stacks.flatMap(({ template }) => jobsRead(template));
    result[recordJobId] = {
      ...recordJob,
      needs: [...new Set([...(recordJob.needs ?? []), ...assetJobs])],
      steps: (recordJob.steps ?? []).map((step) =>
        step === record
          ? {
              ...step,
              env: {
                ...step.env,
                INPUT_STACKS: stacks.map(({ stack }) => `${stack.cdkId}=${stack.stackName}`).join(' '),
                INPUT_TEMPLATES: stacks.map(({ stack, template }) => `${stack.stackName}=${template}`).join(' '),
              },
            }
          : step,
      ),
    };

    // The rollback: the bake job's setup and credentials, plan, each stack's redeploy as its deploy job did it,
    // verify, and a bake of its own with the same gate.
    const watchJobId = rollback.bakeJobIds[0]!;
    const watchJob = requireJob(jobs, watchJobId);
    const watch = requireStep(
      watchJob,
      watchJobId,
      `bake watch step for ${region}`,
      (s) => s.env?.['INPUT_MODE'] === 'watch' && s.env?.['INPUT_REGION'] === region,
    );
    const watchSteps = watchJob.steps ?? [];
    const firstCredentials = watchSteps.findIndex((s) => (s.uses ?? '').startsWith(CREDENTIALS_ACTION));
    const setup = watchSteps.slice(0, firstCredentials);
    const oidc = watchSteps[firstCredentials]!;
    const cli = record.run!;
    const names = stacks.map(({ stack }) => stack.stackName).join(' ');
    const unfrozen = `\${{ !failure() && steps.${rollback.freezeCheck.id}.outputs.frozen == 'false' }}`;
    const setupSteps: RenderedStep[] = [
      ...setup,
      oidc,
      rollback.freezeCheck,
      {
        id: 'plan',
        name: `Find ${region}'s last known-good release and check its artifacts still exist`,
        run: cli,
        env: {
          INPUT_COMMAND: 'plan',
          INPUT_REGION: region,
          INPUT_APP_NAME: record.env?.['INPUT_APP_NAME'] ?? '',
          INPUT_ENV_NAME: record.env?.['INPUT_ENV_NAME'] ?? '',
          INPUT_STACKS: names,
          // Marked rolled back first: record never records it afterwards, not even from a re-run bake (M1).
          INPUT_FAILED_SHA: '${{ github.sha }}',
        },
      },
    ];
    // Redeploy, verify and bake only when no failover holds the deploy freeze (review-12 D1).
    const restoreSteps: RenderedStep[] = [
      ...stacks.flatMap(({ stack, deploy, credentials }) => [
        // Fresh credentials per stack, as its deploy job had: a stack update may take most of them.
        ...credentials,
        {
          ...deploy,
          id: `redeploy-${stack.stackName}`,
          name: `Redeploy ${stack.stackName} from its recorded template`,
          with: { ...deploy.with, template: `\${{ fromJSON(steps.plan.outputs.templates)['${stack.stackName}'] }}` },
        },
      ]),
      oidc,
      {
        name: 'Verify the redeployed stacks run the known-good release',
        run: cli,
        env: {
          INPUT_COMMAND: 'verify',
          INPUT_REGION: region,
          INPUT_STACKS: '${{ steps.plan.outputs.stack_names }}',
          INPUT_SHA: '${{ steps.plan.outputs.sha }}',
        },
      },
      {
        ...watch,
        id: ROLLBACK_BAKE_STEP_ID,
        name: `Bake ${region} after the rollback`,
        // The rollback itself redefines the gate's alarms (back to the known-good release's): that is the point,
        // not a release changing the alarms that judge it (the bake's review M12 check).
        // Without INPUT_READINESS: it reads the bake job's readiness step, which this job does not run.
        // A split bake's watch leaves the evidence checks (silence, last state, canary success) to its history job
        // when its watch minutes are fewer than its bake minutes (bake-watch.ts); the rollback has no history job,
        // so its bake is as long as its watch and runs them (review-12 D9).
        env: {
          ...Object.fromEntries(Object.entries(watch.env ?? {}).filter(([key]) => key !== 'INPUT_READINESS')),
          ...(watch.env?.['INPUT_WATCH_MINUTES'] === undefined
            ? {}
            : { INPUT_BAKE_MINUTES: watch.env['INPUT_WATCH_MINUTES'] }),
          ...(watch.env && 'INPUT_ACCEPT_ALARM_CHANGES' in watch.env ? { INPUT_ACCEPT_ALARM_CHANGES: 'true' } : {}),
        },
      },
    ];
    const steps = [
      ...setupSteps.map((step) => ({ ...step, if: UNTIL_A_STEP_FAILS })),
      ...restoreSteps.map((step) => ({ ...step, if: unfrozen })),
      rollback.frozenReport,
    ];
    // A job may read needs.<job> only of the jobs it needs (the bake's inputs may read the synth job's outputs).
    const read = steps.flatMap((step) => Object.values(step.env ?? {}).flatMap((value) => jobsRead(value)));
    const needs = (rollback.job['needs'] ?? []) as readonly string[];
    result[rollback.rollbackJobId] = {
      ...rollback.job,
      needs: [...new Set([...needs, ...read])],
      steps: [...steps, rollback.failureReport],
    };
  }
  return result as Record<string, J>;
}
