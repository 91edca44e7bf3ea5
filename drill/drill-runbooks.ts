import { type RunResult, runOrchestration } from '../runbooks/core/engine';
import type { ProgressEvent } from '../runbooks/core/progress-event';
import type { AnyOrchestration } from '../runbooks/core/step';
import type { Topology } from '../runbooks/topology';
import type { DrillPorts } from './adapters/drill-ports';
import type { DrillConsole } from './drill-console';
import type { RunbookRunReport } from './report/drill-report';
import type { Timeline } from './report/timeline';

/**
 * Runs the runbooks' orchestrations as on-call would, through the engine with the drill's local adapters: every step
 * on the console and the timeline, every run kept for drill.json.
 */
export class DrillRunbooks {
  /** Every orchestration run, in order. */
  readonly runs: RunbookRunReport[] = [];

  constructor(
    private readonly topology: Topology,
    private readonly ports: DrillPorts,
    private readonly timeline: Timeline,
    private readonly console: DrillConsole,
  ) {}

  /** Runs `orchestration` with `raw` input and `reason`; resolves with its result (a failed run too). */
  async run(orchestration: AnyOrchestration, raw: Record<string, string>, reason: string): Promise<RunResult> {
    const listener = this.timeline.runbookListener(orchestration.name);
    const say = (line: string) => this.console.say(line);
    const result = await runOrchestration({
      orchestration,
      input: orchestration.parseInput(raw, this.topology),
      topology: this.topology,
      ports: this.ports.ports,
      reason,
      settings: { pollIntervalSeconds: 0.1, waitTimeoutSeconds: 60 },
      retryDelayMs: 200,
      onProgress: (event: ProgressEvent) => {
        listener(event);
        if (event.type === 'step-done') say(`    ${orchestration.name} · ${event.step}: ${event.detail}`);
        if (event.type === 'step-retry') say(`    ${orchestration.name} · ${event.step}: retrying (${event.error})`);
        if (event.type === 'step-failed')
          say(`    ${this.console.paint(31, `${orchestration.name} · ${event.step} FAILED`)}: ${event.error}`);
      },
    });
    this.runs.push({
      orchestration: result.orchestration,
      execution_id: result.executionId,
      status: result.status,
      elapsed_ms: result.elapsedMs,
      error: result.error ? `${result.error.step}: ${result.error.message}` : null,
      steps: result.steps,
    });
    return result;
  }
}
