// The drill's local stand-in for the CloudWatch Synthetics runtime module `@aws/synthetics-puppeteer` (Node.js +
// Puppeteer, syn-nodejs-puppeteer-13.1 and later; `Synthetics` before), so the canary script the stacks deploy runs
// unmodified on this machine. Only what journey.js uses exists:
// getPage() and executeStep(). The page is a Playwright page, whose goto/$eval/$$eval/waitForSelector/
// waitForNavigation/content behave like Puppeteer's for what the journey calls.

/** @type {{ page: unknown, steps: Array<{ name: string, status: 'passed' | 'failed', startedAt: string, durationMs: number, error?: string }> }} */
const state = { page: undefined, steps: [] };

module.exports = {
  /** The page of the run, set by the drill's canary runner before the handler starts. */
  async getPage() {
    if (state.page === undefined)
      throw new Error('@aws/synthetics-puppeteer (drill shim): no page; the canary runner sets one');
    return state.page;
  },

  /** Runs one named step, timing it and recording whether it passed; a failure is rethrown, as Synthetics does. */
  async executeStep(name, fn) {
    const started = Date.now();
    const record = { name, status: 'passed', startedAt: new Date(started).toISOString(), durationMs: 0 };
    state.steps.push(record);
    try {
      return await fn();
    } catch (error) {
      record.status = 'failed';
      record.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      record.durationMs = Date.now() - started;
    }
  },

  /** Not part of the Synthetics API: the drill's runner sets the page and reads the steps. */
  drill: {
    setPage(page) {
      state.page = page;
    },
    steps() {
      return state.steps.map((s) => ({ ...s }));
    },
    reset() {
      state.page = undefined;
      state.steps = [];
    },
  },
};
