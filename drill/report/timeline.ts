import type { ProgressEvent } from '../../runbooks/core/progress-event';

/** A span of the drill: a phase, a runbook step, a canary run. Times are ms since the epoch. */
export interface TimelineSpan {
  readonly lane: 'phase' | 'runbook' | 'canary';
  readonly label: string;
  readonly startAt: number;
  endAt: number;
  status: 'running' | 'ok' | 'failed' | 'skipped';
  detail: string;
}

/** A moment of the drill: the fault, the detection, a routing change, the first checkout after failover. */
export interface TimelineMarker {
  readonly kind: 'fault' | 'detect' | 'routing' | 'database' | 'rto' | 'recovery' | 'note';
  readonly label: string;
  readonly at: number;
}

/**
 * What happened when, for drill.json and the SVG timeline of drill.html: phases, every runbook step (from the
 * engine's progress events), canary runs and markers. Requests and orders come from the traffic generator.
 */
export class Timeline {
  readonly spans: TimelineSpan[] = [];
  readonly markers: TimelineMarker[] = [];

  constructor(readonly startedAt: number) {}

  /** Opens a span; close it with {@link end}. */
  begin(lane: TimelineSpan['lane'], label: string, detail = ''): TimelineSpan {
    const span: TimelineSpan = { lane, label, startAt: Date.now(), endAt: Date.now(), status: 'running', detail };
    this.spans.push(span);
    return span;
  }

  /** Closes a span. */
  end(span: TimelineSpan, status: TimelineSpan['status'], detail?: string): void {
    span.endAt = Date.now();
    span.status = status;
    if (detail !== undefined) span.detail = detail;
  }

  /** Records a moment. */
  mark(kind: TimelineMarker['kind'], label: string, at = Date.now()): void {
    this.markers.push({ kind, label, at });
  }

  /** A progress listener for the runbook engine: one span per step of `orchestration`. */
  runbookListener(orchestration: string): (event: ProgressEvent) => void {
    const open = new Map<string, TimelineSpan>();
    return (event) => {
      if (event.type === 'step-start') {
        open.set(event.step, this.begin('runbook', `${orchestration} · ${event.step}`, event.description));
      } else if (event.type === 'step-done' || event.type === 'step-failed') {
        const span = open.get(event.step) ?? this.begin('runbook', `${orchestration} · ${event.step}`);
        open.delete(event.step);
        this.end(
          span,
          event.type === 'step-failed' ? 'failed' : 'ok',
          event.type === 'step-failed' ? event.error : event.detail,
        );
      }
    };
  }
}
