import {
  FisClient,
  type Experiment as FisExperiment,
  GetExperimentCommand,
  ListExperimentTemplatesCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from '@aws-sdk/client-fis';
import type { RetryPolicy } from 'cockatiel';
import type { Experiment, ExperimentStatus, FaultInjectionPort } from '../../gameday/gameday-ports';
import { awsCall, DEFAULT_RETRY, hasName, type RetrySettings, retryPolicy } from './aws-call';
import { perRegion } from './per-region';
import { REGIONAL_REQUEST_LIMITS, requestHandlerOptions } from './request-limits';

/** IAM actions each method of {@link AwsFaultInjection} needs. */
export const FAULT_INJECTION_ACTIONS = {
  findTemplate: ['fis:ListExperimentTemplates'],
  start: ['fis:StartExperiment', 'fis:TagResource'],
  get: ['fis:GetExperiment'],
  stop: ['fis:StopExperiment'],
} as const;

/** Options of {@link AwsFaultInjection}. */
export interface AwsFaultInjectionOptions {
  /** Which templates are the game day's: every tag must match (`gameday: <app>-<env>`, `gameday-experiment: …`). */
  readonly templateTags: Readonly<Record<string, string>>;
  /** @default - an FIS client per Region, one attempt, the Regional request limits */
  readonly fisFor?: (region: string) => FisClient;
  /** @default DEFAULT_RETRY */
  readonly retry?: Partial<RetrySettings>;
}

const STATUSES: readonly ExperimentStatus[] = [
  'pending',
  'initiating',
  'running',
  'completed',
  'stopping',
  'stopped',
  'failed',
  'cancelled',
];

/**
 * The experiment as the game day reads it. `state.status` is one of "pending | initiating | running | completed |
 * stopping | stopped | failed | cancelled" (FIS API Reference, ExperimentState); an action's `state.status` one of
 * "pending | initiating | running | completed | cancelled | stopping | stopped | failed | skipped"
 * (ExperimentActionState). An unknown status is kept as `failed`, so it never counts as a fault that fired.
 */
function toExperiment(region: string, experiment: FisExperiment | undefined, what: string): Experiment {
  if (!experiment?.id) throw new Error(`${what}: FIS answered without an experiment`);
  const raw = experiment.state?.status as ExperimentStatus | undefined;
  const status: ExperimentStatus = raw && STATUSES.includes(raw) ? raw : 'failed';
  return {
    id: experiment.id,
    region,
    templateId: experiment.experimentTemplateId ?? '',
    status,
    ...(experiment.state?.reason ? { reason: experiment.state.reason } : {}),
    ...(experiment.startTime ? { startedAt: experiment.startTime } : {}),
    ...(experiment.endTime ? { endedAt: experiment.endTime } : {}),
    actions: Object.entries(experiment.actions ?? {}).map(([name, action]) => ({
      name,
      status: action.state?.status ?? 'pending',
      ...(action.startTime ? { startedAt: action.startTime } : {}),
    })),
  };
}

/** FIS (SDK v3): the game day's experiment template of a Region, and its experiments. */
export class AwsFaultInjection implements FaultInjectionPort {
  static readonly requiredActions = FAULT_INJECTION_ACTIONS;

  private readonly fis: (region: string) => FisClient;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: AwsFaultInjectionOptions) {
    this.fis = perRegion(
      options.fisFor ??
        ((region) =>
          new FisClient({ region, maxAttempts: 1, requestHandler: requestHandlerOptions(REGIONAL_REQUEST_LIMITS) })),
    );
    this.policy = retryPolicy({ ...DEFAULT_RETRY, ...options.retry });
  }

  async findTemplate(region: string): Promise<{ id: string; description: string } | undefined> {
    const wanted = Object.entries(this.options.templateTags);
    let nextToken: string | undefined;
    do {
      const page = await awsCall(this.policy, `ListExperimentTemplates in ${region}`, () =>
        this.fis(region).send(new ListExperimentTemplatesCommand({ ...(nextToken ? { nextToken } : {}) })),
      );
      const found = (page.experimentTemplates ?? []).find((t) =>
        wanted.every(([key, value]) => t.tags?.[key] === value),
      );
      if (found?.id) return { id: found.id, description: found.description ?? '' };
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  async start(
    region: string,
    templateId: string,
    clientToken: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<Experiment> {
    const what = `StartExperiment ${templateId} in ${region}`;
    // clientToken: "Unique, case-sensitive identifier that you provide to ensure the idempotency of the request"
    // (FIS API Reference, StartExperiment): the game-day id, so a repeated start never begins a second experiment.
    const answer = await awsCall(this.policy, what, () =>
      this.fis(region).send(
        new StartExperimentCommand({ experimentTemplateId: templateId, clientToken, tags: { ...tags } }),
      ),
    );
    return toExperiment(region, answer.experiment, what);
  }

  async get(region: string, experimentId: string): Promise<Experiment | undefined> {
    const what = `GetExperiment ${experimentId} in ${region}`;
    return awsCall(this.policy, what, async () => {
      try {
        const answer = await this.fis(region).send(new GetExperimentCommand({ id: experimentId }));
        return toExperiment(region, answer.experiment, what);
      } catch (error) {
        if (hasName(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    });
  }

  async stop(region: string, experimentId: string): Promise<Experiment> {
    const what = `StopExperiment ${experimentId} in ${region}`;
    const answer = await awsCall(this.policy, what, () =>
      this.fis(region).send(new StopExperimentCommand({ id: experimentId })),
    );
    return toExperiment(region, answer.experiment, what);
  }
}
