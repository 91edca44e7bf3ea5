import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../../core/make-folder';
import type { ReportSinkPort } from '../../ports';

/** Reports in a local folder. */
export class LocalReportSink implements ReportSinkPort {
  constructor(readonly dir: string) {}

  async putJson(key: string, value: unknown): Promise<string> {
    const file = path.join(this.dir, key);
    makeFolder(path.dirname(file));
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
    return file;
  }

  async putFolder(localDir: string, keyPrefix: string): Promise<string> {
    const target = path.join(this.dir, keyPrefix);
    makeFolder(target);
    await cp(localDir, target, { recursive: true });
    return target;
  }

  async getJson(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, key), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

/** Reports in memory, keyed like S3 objects (tests). */
export class MemoryReportSink implements ReportSinkPort {
  /** Every stored object, by key. */
  readonly objects = new Map<string, string>();

  async putJson(key: string, value: unknown): Promise<string> {
    this.objects.set(key, JSON.stringify(value));
    return `memory://${key}`;
  }

  async putFolder(localDir: string, keyPrefix: string): Promise<string> {
    for (const entry of await readdir(localDir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath, entry.name);
      this.objects.set(
        `${keyPrefix}${path.relative(localDir, full).split(path.sep).join('/')}`,
        await readFile(full, 'utf8'),
      );
    }
    return `memory://${keyPrefix}`;
  }

  async getJson(key: string): Promise<unknown> {
    const text = this.objects.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }
}
