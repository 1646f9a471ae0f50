import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/** The plain-ESM local kind that calls a loopback server (test/fixtures/engine/kinds/http-call.mjs). */
export const HTTP_CALL_KIND = path.join(packageRoot, 'test/fixtures/engine/kinds/http-call.mjs');

/** The plain-ESM local batch kind that sends one request per batch (test/fixtures/engine/kinds/http-batch.mjs). */
export const HTTP_BATCH_KIND = path.join(packageRoot, 'test/fixtures/engine/kinds/http-batch.mjs');

export interface EngineProject {
  readonly dir: string;
  readonly pipeline: string;
  readonly runsDir: string;
  readonly cacheDir: string;
  writePipeline(yaml: string): string;
  cleanup(): void;
}

/** A temp folder with an n-row VA table (ids item-0…), a runs dir and a cache dir. */
export function makeEngineProject(rows: number): EngineProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-engine-'));
  const lines = ['id,valence,arousal,label'];
  for (let i = 0; i < rows; i++) lines.push(`item-${i},${((i % 21) / 10 - 1).toFixed(2)},${(((i * 7) % 21) / 10 - 1).toFixed(2)},happiness`);
  writeFileSync(path.join(dir, 'items.csv'), lines.join('\n') + '\n');
  const pipeline = path.join(dir, 'pipeline.yaml');
  return {
    dir,
    pipeline,
    runsDir: path.join(dir, 'runs'),
    cacheDir: path.join(dir, 'cache'),
    writePipeline(yaml: string) {
      writeFileSync(pipeline, yaml);
      return pipeline;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** extract (table) → http-call against `url`, with engine settings given as YAML flow-map entries. */
export function httpPipeline(options: { url: string; settings?: string; salt?: string; extraNodes?: string }): string {
  return `version: 1
name: engine-test
defaults: { retries: 3, timeoutMs: 1000, concurrency: 4 }
nodes:
  items: { kind: extract, with: { table: items.csv } }
  call:
    kind: ${HTTP_CALL_KIND}
    needs: [items]
    with: { url: "${options.url}"${options.salt ? `, salt: "${options.salt}"` : ''}${options.settings ? `, ${options.settings}` : ''} }
${options.extraNodes ?? ''}`;
}
