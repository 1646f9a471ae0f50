import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/util/paths.js';

export const BIN = path.join(packageRoot, 'bin', 'vaflow.js');
const RSS_HOOK = path.join(packageRoot, 'bench', 'rss-hook.mjs');

export interface Timed {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs `node [args]` and reports wall time and the child's peak RSS (written by bench/rss-hook.mjs at exit). */
export function timeNode(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Timed {
  const rssFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'vaflow-rss-')), 'rss');
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', RSS_HOOK, ...args], {
    cwd: options.cwd ?? packageRoot,
    env: { ...process.env, ...options.env, VAFLOW_BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let maxRssMb = NaN;
  try {
    maxRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch { /* the child died before exit */ }
  rmSync(path.dirname(rssFile), { recursive: true, force: true });
  return { seconds, maxRssMb, code: result.status, stderr: result.stderr };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join('/')}`;
}
