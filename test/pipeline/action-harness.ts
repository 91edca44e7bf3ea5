import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../.github/actions/cli-support/clock';

/** What one run of a CLI's `run()` left behind, the way GitHub Actions would see it. */
export interface ActionRun {
  /** Lines written to stdout (progress lines, `::error::` commands). */
  readonly lines: readonly string[];
  /** The message of `core.setFailed`, decoded; `undefined` when the run did not fail. */
  readonly failure?: string;
  /** `process.exitCode` at the end (0 when unset). */
  readonly exitCode: number;
  /** Outputs written to `$GITHUB_OUTPUT`. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The content written to `$GITHUB_STEP_SUMMARY`. */
  readonly summary: string;
}

// @actions/core remembers the summary file path for the life of the module, so one file per test file.
const dir = mkdtempSync(join(tmpdir(), 'action-harness-'));
const summaryFile = join(dir, 'summary.md');
const outputFile = join(dir, 'output.txt');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const decode = (data: string) => data.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^(.+?)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

/**
 * Runs a CLI's `run()` with `inputs` as `INPUT_*` variables (plus `env`), `$GITHUB_OUTPUT` and
 * `$GITHUB_STEP_SUMMARY` pointing at temp files, and stdout captured; restores everything afterwards.
 */
export async function runAction(
  run: () => Promise<void>,
  inputs: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ActionRun> {
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  process.env['GITHUB_OUTPUT'] = outputFile;
  process.env['GITHUB_STEP_SUMMARY'] = summaryFile;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    process.exitCode = 0;
    await run();
  } finally {
    spy.mockRestore();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  const lines = written
    .join('')
    .split('\n')
    .filter((line) => line !== '');
  const error = lines.find((line) => line.startsWith('::error::'));
  return {
    lines,
    exitCode,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    ...(error === undefined ? {} : { failure: decode(error.slice('::error::'.length)) }),
  };
}

/** A clock whose `sleep` moves time forward at once, and which remembers every sleep. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private time: number;

  constructor(start: Date) {
    this.time = start.getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
    return Promise.resolve();
  }

  /** Milliseconds since `start`. */
  elapsedSince(start: Date): number {
    return this.time - start.getTime();
  }
}

/** A minute count as milliseconds. */
export const minutes = (n: number) => n * 60_000;
