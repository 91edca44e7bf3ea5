import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeFolder } from '../../../runbooks/core/make-folder';

describe('makeFolder', () => {
  test('GIVEN missing parents WHEN made THEN every folder exists; making it again is harmless', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'make-folder-')), 'a', 'b', 'c');
    makeFolder(dir);
    makeFolder(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  test('GIVEN a path under /proc THEN it throws ENOENT at once instead of spinning (Node 20 recursive mkdir loops there)', () => {
    const started = Date.now();
    expect(() => makeFolder('/proc/make-folder-test/x')).toThrow(
      "ENOENT: no such file or directory, mkdir '/proc/make-folder-test'",
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('GIVEN a file as an ancestor THEN it says which path is not a folder and creates nothing', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'make-folder-')), 'file');
    writeFileSync(file, '');
    expect(() => makeFolder(path.join(file, 'a', 'b'))).toThrow(`${file} is not a folder`);
    expect(existsSync(path.join(file, 'a'))).toBe(false);
  });
});
