/** Something the drill started, and how to stop it. */
interface Resource {
  readonly id: number;
  readonly name: string;
  readonly stop: () => Promise<void>;
}

/**
 * Everything the drill starts (Postgres servers, dynalite, HTTP servers, Chromium), stopped in reverse order by
 * {@link stopAll} — at the end of a run, on an error, and on SIGINT/SIGTERM. Once stopping has begun, anything
 * registered is stopped at once, so a phase still running cannot leave a process behind.
 */
export class Resources {
  private readonly items: Resource[] = [];
  private nextId = 1;
  private stopAllRun: Promise<readonly string[]> | undefined;
  private stopAllDone = false;

  /**
   * Registers `stop` under `name`; returns a function that unregisters it (when it was stopped another way). While
   * {@link stopAll} runs, what is registered is stopped next, before anything older (a Postgres server a phase
   * started while the drill was stopping must be gone before its data folder is removed); after it, at once.
   */
  add(name: string, stop: () => Promise<void>): () => void {
    if (this.stopAllDone) {
      void stop().catch(() => undefined);
      return () => undefined;
    }
    const id = this.nextId++;
    this.items.push({ id, name, stop });
    return () => {
      const index = this.items.findIndex((r) => r.id === id);
      if (index >= 0) this.items.splice(index, 1);
    };
  }

  /** Whether {@link stopAll} has begun (an interrupted drill's phases then fail as they lose their parts). */
  get stopping(): boolean {
    return this.stopAllRun !== undefined;
  }

  /** Names of what is registered now, oldest first. */
  names(): readonly string[] {
    return this.items.map((r) => r.name);
  }

  /**
   * Stops everything, newest first, each within `timeoutMs`; returns the names of those that failed to stop.
   * Calling it again returns the same promise.
   */
  stopAll(timeoutMs = 15_000): Promise<readonly string[]> {
    this.stopAllRun ??= (async () => {
      const failed: string[] = [];
      while (this.items.length > 0) {
        const item = this.items.pop()!;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        });
        try {
          await Promise.race([item.stop(), timeout]);
        } catch {
          failed.push(item.name);
        } finally {
          clearTimeout(timer);
        }
      }
      this.stopAllDone = true;
      return failed;
    })();
    return this.stopAllRun;
  }
}
