// Runs the Synthetics canary script given as argv[2] in headless Chromium, with the drill's `@aws/synthetics-puppeteer`
// and `@aws/synthetics-logger` stand-ins on NODE_PATH. Started once per drill by drill/canary/run-canary.ts (in its own
// process group) so that Chromium starts while the shop is still starting; then, over the IPC channel:
//   parent → { type: 'run', targetUrl, environment, keepCookies }   child → { type: 'result', outcome }
//   (`environment`: the canary's environment variables for this run only, as a deployed canary has its own)
//   parent → { type: 'close' } or disconnects   child closes Chromium and exits.
// Each run gets a new page with no cookies, as each Synthetics run gets a fresh browser session.
const { mkdtempSync, readdirSync, rmSync } = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

// The stand-ins answer for the runtime's modules even where this repository's node_modules holds the real package
// (`@aws-sdk/client-secrets-manager` is there, a dependency of a dependency): Node looks in node_modules before
// NODE_PATH, so the canary would otherwise call AWS. Every <scope>/<name>.js below the stand-ins' directory is one.
const SHIM_DIR = path.join(__dirname, 'synthetics-shim');
const STAND_INS = new Map(
  readdirSync(SHIM_DIR).flatMap((scope) =>
    readdirSync(path.join(SHIM_DIR, scope))
      .filter((file) => file.endsWith('.js'))
      .map((file) => [`${scope}/${file.slice(0, -3)}`, path.join(SHIM_DIR, scope, file)]),
  ),
);
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveStandIn(request, ...rest) {
  return STAND_INS.get(request) ?? resolveFilename.call(this, request, ...rest);
};
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
    const environment = { ...request.environment, TARGET_URL: request.targetUrl };
    const previous = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
    Object.assign(process.env, environment);
    synthetics.drill.reset();
    logger.drill.reset();
    let error = null;
    let page;
    try {
      if (!request.keepCookies) await context.clearCookies();
      page = await context.newPage();
      synthetics.drill.setPage(page);
      await handler();
    } catch (caught) {
      error = message(caught);
    } finally {
      await page?.close().catch(() => undefined);
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
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
