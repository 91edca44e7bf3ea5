import type { Timeline } from './report/timeline';
import type { Resources } from './resources';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * How the drill speaks and keeps time: every line prefixed with the seconds since the start, and each phase shown
 * as a start line, an end line with its duration (or why it failed), and a span on the timeline.
 */
export class DrillConsole {
  constructor(
    private readonly options: {
      readonly print: (line: string) => void;
      readonly timeline: Timeline;
      readonly resources: Resources;
      /** Colour the marks (a terminal, not --ci). */
      readonly color: boolean;
    },
  ) {}

  /** `text` in ANSI colour `code` when colouring. */
  paint(code: number, text: string): string {
    return this.options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  /** One line, after the seconds since the drill started. */
  say(line: string): void {
    const seconds = ((Date.now() - this.options.timeline.startedAt) / 1000).toFixed(1).padStart(6);
    this.options.print(`[${seconds}s] ${line}`);
  }

  /** Runs one phase: a start line, an end line with its duration, a span on the timeline; rethrows its error. */
  async phase<T>(name: string, title: string, work: () => Promise<T>, done: (value: T) => string): Promise<T> {
    const { timeline, resources } = this.options;
    this.say(`${this.paint(36, '▶')} ${name.padEnd(10)} ${title}`);
    const span = timeline.begin('phase', name, title);
    try {
      const value = await work();
      const detail = done(value);
      timeline.end(span, 'ok', detail);
      this.say(
        `${this.paint(32, '✔')} ${name.padEnd(10)} ${detail} (${((span.endAt - span.startAt) / 1000).toFixed(1)} s)`,
      );
      return value;
    } catch (error) {
      timeline.end(span, 'failed', message(error));
      this.say(`${this.paint(31, '✘')} ${name.padEnd(10)} ${resources.stopping ? 'interrupted' : message(error)}`);
      throw error;
    }
  }
}
