import { ResourceNotFoundException, ValidationException } from '@aws-sdk/client-fis';
import { serviceError } from './aws-errors';
import type { Timeline } from './model-timeline';

/** One experiment template. */
export interface ModelExperimentTemplate {
  readonly id: string;
  readonly region: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** ARNs of the CloudWatch alarms that stop its experiments. */
  readonly stopConditions: readonly string[];
  /** Its actions, by name. */
  readonly actions: readonly string[];
  /** How long its actions run once started, in simulated seconds. */
  readonly durationSeconds: number;
}

/** How an experiment of the model goes (a test's choice of what FIS does). */
export type ExperimentScript =
  /** pending → initiating → running (the fault is on) → completed after the template's duration. */
  | 'runs'
  /** pending → initiating → failed ("an action cannot be completed because of an error"): no action ran. */
  | 'fails-to-start'
  /** pending forever (e.g. a service that never picks it up): only StopExperiment ends it. */
  | 'stays-pending';

/** One experiment. */
export interface ModelExperiment {
  readonly id: string;
  readonly region: string;
  readonly templateId: string;
  readonly clientToken: string;
  readonly tags: Readonly<Record<string, string>>;
  status: 'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed' | 'cancelled';
  reason?: string;
  startTime: Date;
  endTime?: Date;
  actions: Record<string, { status: string; startTime?: Date; endTime?: Date }>;
}

type Input = Readonly<Record<string, unknown>>;

/** Seconds from StartExperiment to `initiating`, and from there to `running` (model choice). */
const PENDING_SECONDS = 5;
const INITIATING_SECONDS = 20;
/** Seconds from StopExperiment (or a stop condition) to `stopped` (model choice). */
const STOPPING_SECONDS = 10;

/**
 * AWS Fault Injection Service: experiment templates per Region and their experiments. Experiments move through the
 * states of the API ("pending | initiating | running | completed | stopping | stopped | failed | cancelled",
 * https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentState.html) on the model's timeline, and end in
 * the four ways the User Guide lists (https://docs.aws.amazon.com/fis/latest/userguide/experiments.html, read in
 * its Chinese translation: all actions completed, a stop condition triggered, an action that cannot complete because
 * of an error such as no target found, stopped manually); a stopped or failed experiment cannot be resumed (same
 * page). The seconds spent pending and initiating are model choices.
 *
 * The fault's effect: while an experiment of a Region is `running`, {@link onFault} is told (the world makes the
 * Region's services and databases unreachable, see gameday tests); when it ends, told again.
 */
export class FisModel {
  readonly templates = new Map<string, ModelExperimentTemplate>();
  readonly experiments = new Map<string, ModelExperiment>();
  /** What the next experiment does. */
  script: ExperimentScript = 'runs';
  /** Called when a Region's fault begins (`true`) and ends (`false`). */
  onFault: (region: string, active: boolean) => void = () => undefined;
  private count = 0;

  constructor(private readonly timeline: Timeline) {}

  /** Adds a template (what the game-day stack deploys). */
  addTemplate(template: ModelExperimentTemplate): void {
    this.templates.set(template.id, template);
  }

  /** Regions with a running experiment: the fault is on there. */
  faultedRegions(): string[] {
    return [...new Set([...this.experiments.values()].filter((e) => e.status === 'running').map((e) => e.region))];
  }

  /**
   * A CloudWatch alarm goes into ALARM: every experiment not yet ended with it as a stop condition ends (a triggered
   * stop condition ends an experiment: User Guide, experiments.html). That it passes through `stopping` to `stopped`
   * with the reason naming the alarm is UNVERIFIED (the model's choice, as for a manual stop).
   */
  alarm(alarmArn: string): void {
    for (const experiment of this.experiments.values()) {
      const template = this.templates.get(experiment.templateId);
      const live = ['pending', 'initiating', 'running'].includes(experiment.status);
      if (live && template?.stopConditions.includes(alarmArn))
        this.stopping(experiment, `Stop condition ${alarmArn} triggered`);
    }
  }

  /** ListExperimentTemplates (one page: the model holds few). */
  listExperimentTemplates(_input: Input, region: string): unknown {
    return {
      experimentTemplates: [...this.templates.values()]
        .filter((t) => t.region === region)
        .map((t) => ({ id: t.id, description: t.description, tags: { ...t.tags } })),
    };
  }

  /**
   * StartExperiment: `clientToken` "Unique, case-sensitive identifier that you provide to ensure the idempotency of
   * the request" (API_StartExperiment): the same token answers the experiment it started.
   */
  startExperiment(input: Input, region: string): unknown {
    const templateId = String(input.experimentTemplateId ?? '');
    const template = this.templates.get(templateId);
    if (!template || template.region !== region) {
      throw serviceError(ResourceNotFoundException, `Experiment template not found: ${templateId}`, 404);
    }
    const clientToken = String(input.clientToken ?? '');
    if (!clientToken) throw serviceError(ValidationException, 'clientToken is required', 400);
    const same = [...this.experiments.values()].find((e) => e.clientToken === clientToken && e.region === region);
    if (same) return { experiment: this.view(same) };
    const experiment: ModelExperiment = {
      id: `EXP${String(++this.count).padStart(14, '0')}`,
      region,
      templateId,
      clientToken,
      tags: { ...((input.tags as Record<string, string> | undefined) ?? {}) },
      status: 'pending',
      startTime: this.timeline.date(),
      actions: Object.fromEntries(template.actions.map((name) => [name, { status: 'pending' }])),
    };
    this.experiments.set(experiment.id, experiment);
    const script = this.script;
    if (script !== 'stays-pending') {
      this.timeline.after(PENDING_SECONDS, () => {
        if (experiment.status !== 'pending') return;
        experiment.status = 'initiating';
        this.timeline.after(INITIATING_SECONDS, () => {
          if (experiment.status !== 'initiating') return;
          if (script === 'fails-to-start') {
            experiment.status = 'failed';
            experiment.reason = 'Target resolution failed: no resources matched the template targets';
            experiment.endTime = this.timeline.date();
            for (const action of Object.values(experiment.actions)) action.status = 'cancelled';
            return;
          }
          this.run(experiment, template);
        });
      });
    }
    return { experiment: this.view(experiment) };
  }

  /** GetExperiment: unknown ids are ResourceNotFoundException. */
  getExperiment(input: Input, region: string): unknown {
    return { experiment: this.view(this.experiment(input, region)) };
  }

  /**
   * StopExperiment: "When you stop an experiment, any post actions that have not been completed for an action are
   * completed before the experiment stops" (https://docs.aws.amazon.com/fis/latest/userguide/stop-experiment.html):
   * `stopping` first, `stopped` later. Stopping an experiment that already ended changes nothing (model choice:
   * the API reference does not say whether it is an error).
   */
  stopExperiment(input: Input, region: string): unknown {
    const experiment = this.experiment(input, region);
    if (['pending', 'initiating', 'running'].includes(experiment.status))
      this.stopping(experiment, 'Experiment stopped');
    return { experiment: this.view(experiment) };
  }

  private run(experiment: ModelExperiment, template: ModelExperimentTemplate): void {
    experiment.status = 'running';
    const now = this.timeline.date();
    for (const action of Object.values(experiment.actions)) {
      action.status = 'running';
      action.startTime = now;
    }
    this.timeline.after(template.durationSeconds, () => {
      if (experiment.status !== 'running') return;
      experiment.status = 'completed';
      experiment.endTime = this.timeline.date();
      for (const action of Object.values(experiment.actions)) {
        action.status = 'completed';
        action.endTime = experiment.endTime;
      }
      this.faultEnded(experiment.region);
    });
    // Last: what the world does on a fault may run the timeline, which changes what `now` means in here.
    this.onFault(experiment.region, true);
  }

  private stopping(experiment: ModelExperiment, reason: string): void {
    const wasRunning = experiment.status === 'running';
    experiment.status = 'stopping';
    experiment.reason = reason;
    for (const action of Object.values(experiment.actions)) {
      if (action.status === 'running') action.status = 'stopping';
      else if (action.status === 'pending') action.status = 'cancelled';
    }
    this.timeline.after(STOPPING_SECONDS, () => {
      experiment.status = 'stopped';
      experiment.endTime = this.timeline.date();
      for (const action of Object.values(experiment.actions)) {
        if (action.status === 'stopping') {
          action.status = 'stopped';
          action.endTime = experiment.endTime;
        }
      }
      if (wasRunning) this.faultEnded(experiment.region);
    });
  }

  private faultEnded(region: string): void {
    if (!this.faultedRegions().includes(region)) this.onFault(region, false);
  }

  private experiment(input: Input, region: string): ModelExperiment {
    const id = String(input.id ?? '');
    const found = this.experiments.get(id);
    if (!found || found.region !== region)
      throw serviceError(ResourceNotFoundException, `Experiment not found: ${id}`, 404);
    return found;
  }

  private view(experiment: ModelExperiment) {
    return {
      id: experiment.id,
      experimentTemplateId: experiment.templateId,
      state: { status: experiment.status, ...(experiment.reason ? { reason: experiment.reason } : {}) },
      startTime: experiment.startTime,
      ...(experiment.endTime ? { endTime: experiment.endTime } : {}),
      tags: { ...experiment.tags },
      actions: Object.fromEntries(
        Object.entries(experiment.actions).map(([name, a]) => [
          name,
          {
            actionId: name,
            state: { status: a.status },
            ...(a.startTime ? { startTime: a.startTime } : {}),
            ...(a.endTime ? { endTime: a.endTime } : {}),
          },
        ]),
      ),
    };
  }
}
