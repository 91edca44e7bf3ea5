import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../../core/make-folder';
import type { Journal, JournalPort } from '../../ports';

/** Journals in memory (tests, one-process drills). */
export class MemoryJournal implements JournalPort {
  private readonly journals = new Map<string, string>();
  private readonly latestOf = new Map<string, string>();

  async load(orchestration: string, executionId: string): Promise<Journal | undefined> {
    const text = this.journals.get(`${orchestration}/${executionId}`);
    return text ? (JSON.parse(text) as Journal) : undefined;
  }

  async save(journal: Journal): Promise<void> {
    this.journals.set(`${journal.orchestration}/${journal.executionId}`, JSON.stringify(journal));
    this.latestOf.set(journal.orchestration, journal.executionId);
  }

  async latest(orchestration: string): Promise<Journal | undefined> {
    const id = this.latestOf.get(orchestration);
    return id ? this.load(orchestration, id) : undefined;
  }

  /** Forgets every journal (to prove the steps' own checks prevent repeated actions). */
  clear(): void {
    this.journals.clear();
    this.latestOf.clear();
  }
}

/** Journals as JSON files: `<dir>/<orchestration>/<executionId>.json`, plus `latest.json` naming the newest. */
export class FileJournal implements JournalPort {
  constructor(readonly dir: string) {}

  async load(orchestration: string, executionId: string): Promise<Journal | undefined> {
    return readJson<Journal>(path.join(this.dir, orchestration, `${executionId}.json`));
  }

  async save(journal: Journal): Promise<void> {
    const folder = path.join(this.dir, journal.orchestration);
    makeFolder(folder);
    await writeAtomically(path.join(folder, `${journal.executionId}.json`), JSON.stringify(journal, null, 2));
    await writeAtomically(path.join(folder, 'latest.json'), JSON.stringify({ executionId: journal.executionId }));
  }

  async latest(orchestration: string): Promise<Journal | undefined> {
    const pointer = await readJson<{ executionId: string }>(path.join(this.dir, orchestration, 'latest.json'));
    return pointer ? this.load(orchestration, pointer.executionId) : undefined;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${text}\n`);
  await rename(temporary, file);
}
