import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LocatedIssue } from './issues.js';
import { isRecord } from '../util/is-record.js';
import { FOLDER_FILES, chooseModelFile } from '../providers/embedders/onnx/model-folder.js';

function missing(specDir: string, relative: string): string | undefined {
  const resolved = path.resolve(specDir, relative);
  return existsSync(resolved) ? undefined : `file not found: ${relative} (resolved to ${resolved})`;
}

/**
 * Files named by model and embedder entries exist: word-vector files, ONNX model folders (with every
 * file the embedder reads), llamacpp GGUF files. Checked at validation, not at the first item.
 */
export function checkResourcePaths(value: unknown, specDir: string): LocatedIssue[] {
  const issues: LocatedIssue[] = [];
  const embedders = isRecord(value) && isRecord(value.embedders) ? value.embedders : {};
  for (const [id, entry] of Object.entries(embedders)) {
    if (!isRecord(entry) || typeof entry.path !== 'string') continue;
    const at = ['embedders', id, 'path'];
    const problem = missing(specDir, entry.path);
    if (problem) {
      issues.push({ path: at, message: problem });
      continue;
    }
    if (entry.type === 'onnx') {
      const folder = path.resolve(specDir, entry.path);
      if (!statSync(folder).isDirectory()) {
        issues.push({ path: at, message: `expected a model folder (${FOLDER_FILES.join(', ')} and an ONNX model), got a file: ${entry.path}` });
        continue;
      }
      const absent = FOLDER_FILES.filter((file) => !existsSync(path.join(folder, file)));
      if (absent.length) issues.push({ path: at, message: `model folder ${entry.path} lacks ${absent.join(', ')}` });
      const model = chooseModelFile(folder, typeof entry.file === 'string' ? entry.file : undefined);
      if ('problem' in model) issues.push({ path: typeof entry.file === 'string' ? ['embedders', id, 'file'] : at, message: `${entry.path}: ${model.problem}` });
    }
  }
  const models = isRecord(value) && isRecord(value.models) ? value.models : {};
  for (const [id, entry] of Object.entries(models)) {
    if (!isRecord(entry) || entry.provider !== 'llamacpp' || typeof entry.model !== 'string') continue;
    const problem = missing(specDir, entry.model);
    if (problem) issues.push({ path: ['models', id, 'model'], message: problem });
  }
  return issues;
}
