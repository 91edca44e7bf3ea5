import { readFileSync } from 'node:fs';

/** Why a long-running local command stops early, and the exit status it then ends with (128 + the signal). */
export const INTERRUPTS = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
  /** The terminal or npm that started us went away without a signal reaching us: treated as a hang-up. */
  'parent process gone': 129,
} as const;

/** See {@link INTERRUPTS}. */
export type Interrupt = keyof typeof INTERRUPTS;

/** A process's start time (field 22 of /proc/<pid>/stat), which tells a live process from a reused pid. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` when a process this one was started by (up to three levels: the npm script's shell, npm, the
 * user's shell) goes away. `kill <npm pid>` (what `timeout` or a supervisor does) ends npm, and `sh -c` dies on
 * SIGTERM without passing it on: without this watch the command would run on, orphaned. Linux only (/proc);
 * elsewhere nothing is watched.
 */
export function watchAncestors(onGone: () => void, intervalMs = 250): void {
  const ancestors: Array<{ pid: number; start: string }> = [];
  let pid = process.ppid;
  while (ancestors.length < 3 && pid > 1) {
    const start = processStart(pid);
    if (start === undefined) break;
    ancestors.push({ pid, start });
    pid = parentOf(pid) ?? 0;
  }
  if (ancestors.length === 0) return;
  setInterval(() => {
    if (ancestors.some((a) => processStart(a.pid) !== a.start)) onGone();
  }, intervalMs).unref();
}

/**
 * Stops a long-running local command (the drill, the dev stack) cleanly whatever ends it: Ctrl-C (SIGINT to the
 * whole process group), SIGTERM, SIGHUP, or the parent going away. `stop` runs once, however many signals arrive
 * (a terminal's Ctrl-C reaches every process of the group, and people press it twice); its one line of outcome is
 * printed by the caller, then the process exits with {@link INTERRUPTS}' status. The command must run in this
 * process (`node --import tsx`), not under the `tsx` CLI, whose signal relay SIGKILLs a child that does not
 * acknowledge a signal within 30 ms: under load that killed the drill silently, leaving its data behind.
 */
export function onInterrupt(stop: (why: Interrupt) => Promise<void>): void {
  let stopping = false;
  const handle = (why: Interrupt) => {
    if (stopping) return;
    stopping = true;
    const exit = () => process.exit(INTERRUPTS[why]);
    stop(why).then(exit, exit);
  };
  // `on`, not `once`: a second delivery without a listener would kill the process halfway through stopping.
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGHUP', () => handle('SIGHUP'));
  watchAncestors(() => handle('parent process gone'));
}
