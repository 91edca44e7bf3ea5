import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BuiltEvidencePack, EVIDENCE_FILES } from './evidence-pack';

/** Writes evidence.json, evidence.html and evidence.sha256 into `dir` (created if needed); returns their paths. */
export async function writeEvidencePack(dir: string, pack: BuiltEvidencePack) {
  await mkdir(dir, { recursive: true });
  const paths = {
    json: path.join(dir, EVIDENCE_FILES.json),
    html: path.join(dir, EVIDENCE_FILES.html),
    sha256: path.join(dir, EVIDENCE_FILES.sha256),
  };
  await writeFile(paths.json, pack.json);
  await writeFile(paths.html, pack.html);
  await writeFile(paths.sha256, pack.sha256);
  return paths;
}
