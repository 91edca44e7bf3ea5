// Runs the Synthetics canary script given as argv[2] in headless Chromium, with the drill's `@aws/synthetics-puppeteer`
// and `@aws/synthetics-logger` stand-ins on NODE_PATH. Started once per drill by drill/canary/run-canary.ts (in its own
// process group) so that Chromium starts while the shop is still starting; then, over the IPC channel:
//   parent → { type: 'run', targetUrl }   child → { type: 'result', outcome }
//   parent → { type: 'close' } or disconnects   child closes Chromium and exits.
// Each run gets a new page with no cookies, as each Synthetics run gets a fresh browser session.
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const synthetics = require('@aws/synthetics-puppeteer');
const logger = require('@aws/synthetics-logger');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const message = (error) => (error instanceof Error ? error.message : String(error));

async function main() {
  const script = path.resolve(process.argv[2] ?? '');
  const executablePath = process.env.CHROMIUM_PATH;
  if (!process.argv[2] || !executablePath || !process.send) {
    throw new Error('usage: CHROMIUM_PATH=… node canary-runner.js <canary.js>, started with an IPC channel');
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'drill-canary-'));
  let context;
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('disconnect', close);
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    process.send({ type: 'ready', error: message(error) });
    await close();
    return;
  }
  const handler = require(script).handler;
  process.send({ type: 'ready', error: null });

  process.on('message', async (request) => {
    if (request?.type === 'close') return close();
    if (request?.type !== 'run') return;
    const started = Date.now();
    process.env.TARGET_URL = request.targetUrl;
    synthetics.drill.reset();
    logger.drill.reset();
    let error = null;
    let page;
    try {
      await context.clearCookies();
      page = await context.newPage();
      synthetics.drill.setPage(page);
      await handler();
    } catch (caught) {
      error = message(caught);
    } finally {
      await page?.close().catch(() => undefined);
    }
    process.send({
      type: 'result',
      outcome: {
        status: error === null ? 'passed' : 'failed',
        error,
        durationMs: Date.now() - started,
        steps: synthetics.drill.steps(),
        log: logger.drill.lines(),
      },
    });
  });
}

main().catch((error) => {
  process.stderr.write(`canary runner: ${message(error)}\n`);
  process.exit(2);
});
