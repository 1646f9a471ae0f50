import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runPipeline, type RunResult } from '../../src/run/run-pipeline.js';
import type { RunLifeCycle } from '../../src/types/run-events.js';
import { startOpenAIServer, type OpenAIServer } from '../helpers/openai-server.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { runCli, startCli, waitFor } from '../helpers/cli.js';
import { BASIC7_TERMS, gatedResponder, studyResponder } from './fixtures/study-pipeline.js';
import { startFlakyServer } from '../helpers/flaky-server.js';
import { httpPipeline, makeEngineProject } from '../helpers/engine-project.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

const TERMS = 63;
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `structuredOutput: false`: while a model's support for response_format is unknown only its first
 * structured request is sent (StructuredOutputSupport), and these tests hold every answer back.
 */
function classifyPipeline(url: string, extra = ''): string {
  return `version: 1
name: interrupt
models:
  m: { provider: openai, model: m, baseURL: "${url}", structuredOutput: false }
defaults: { concurrency: 4, retries: 3${extra} }
nodes:
  terms: { kind: extract, with: { table: "${BASIC7_TERMS}" } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [m], labels: basic7 } }
`;
}

/** Starts a run in-process, interrupts it once `ready()` holds, and gives in-flight calls `graceMs`. */
async function interrupted(server: OpenAIServer, dir: string, options: { yaml: string; ready: () => boolean; beforeRelease?: () => Promise<void>; release: () => void; graceMs?: number; lifeCycles?: RunLifeCycle[] }): Promise<{ result: RunResult; atSignal: number }> {
  const file = path.join(dir, 'p.yaml');
  writeFileSync(file, options.yaml);
  const stop = new AbortController();
  const abort = new AbortController();
  const running = runPipeline({ file, runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {}, stop: stop.signal, abort: abort.signal, lifeCycles: options.lifeCycles });
  await waitFor(options.ready);
  const atSignal = server.requests.chat;
  stop.abort('SIGINT');
  if (options.graceMs !== undefined) setTimeout(() => abort.abort('SIGINT'), options.graceMs);
  // Long enough for any call wrongly started after the signal to reach the server before the answers flow.
  await pause(300);
  await options.beforeRelease?.();
  options.release();
  return { result: await running, atSignal };
}

test('after the first interrupt no call starts; the calls in flight finish and their answers are kept', async () => {
  const gate = gatedResponder(studyResponder);
  const server = await startOpenAIServer({ responder: gate.responder });
  try {
    await withTempDir('interrupt', async (dir) => {
      const { result, atSignal } = await interrupted(server, dir, { yaml: classifyPipeline(server.url), ready: () => gate.waiting === 4, release: gate.release });
      assert.equal(atSignal, 4, 'four calls in flight (the run cap) when the signal came');
      assert.equal(result.status, 'interrupted');
      assert.equal(server.requests.chat, 4, 'not one call started after the signal, though 59 items were waiting');
      // A new run on the same cache pays only for what was not answered.
      const rerun = await runPipeline({ file: path.join(dir, 'p.yaml'), runsDir: path.join(dir, 'runs'), cacheDir: path.join(dir, 'cache'), env: {} });
      assert.equal(rerun.status, 'completed');
      assert.equal(server.requests.chat, TERMS, 'the four answers received during the grace period were kept');
    });
  } finally {
    await server.close();
  }
});

test('after the first interrupt a retry does not start, nor does a call waiting for a rate slot', async () => {
  const gate = gatedResponder(studyResponder);
  const server = await startOpenAIServer({ responder: gate.responder });
  // The first request gets a 429 asking for a 100 ms pause: its retry would come during the test's wait.
  server.faults.push({ type: "status", status: 429, retryAfterMs: 1000 });
  try {
    await withTempDir('interrupt-retry', async (dir) => {
      // One start per 2 s: after the first call, every other sits in the limiter's queue, slots free or not.
      const yaml = classifyPipeline(server.url, ', limits: { openai: { requestsPerMinute: 30 } }');
      // The signal comes while the 429's retry waits out its back-off.
      let retrying = false;
      const { result } = await interrupted(server, dir, { yaml, ready: () => retrying, beforeRelease: () => pause(2500), release: gate.release, lifeCycles: [{ retry: () => void (retrying = true) }] });
      assert.equal(result.status, 'interrupted');
      assert.equal(server.requests.chat, 1, 'neither the retry nor a call whose rate slot came after the signal started');
      assert.equal(result.tasks['classify[model=m,variant=numeric]'].retries, 1, 'the 429 was scheduled for a retry that never started');
    });
  } finally {
    await server.close();
  }
});

test('a local kind that calls its server itself: no item starts after the interrupt either', async () => {
  // The first four items (the run cap) are held 1.5 s by the server; the rest would follow at once.
  const server = await startFlakyServer({ faults: Object.fromEntries([0, 1, 2, 3].map((i) => [`item-${i}`, ['slow']])), slowMs: 1500 });
  const project = makeEngineProject(40);
  try {
    project.writePipeline(httpPipeline({ url: server.url, settings: 'timeoutMs: 10000' }));
    const stop = new AbortController();
    const running = runPipeline({ file: project.pipeline, runsDir: project.runsDir, cacheDir: project.cacheDir, env: {}, stop: stop.signal });
    await waitFor(() => server.total() === 4);
    stop.abort('SIGINT');
    const result = await running;
    assert.equal(result.status, 'interrupted');
    assert.equal(server.total(), 4, 'the 36 waiting items never called');
    assert.equal([...server.answered.values()].reduce((a, b) => a + b, 0), 4);
  } finally {
    await server.close();
    project.cleanup();
  }
});

test('calls still in flight when the grace period ends are cancelled: the run ends interrupted with no item errors', async () => {
  const gate = gatedResponder(studyResponder);
  const server = await startOpenAIServer({ responder: gate.responder });
  try {
    await withTempDir('interrupt-grace', async (dir) => {
      const { result } = await interrupted(server, dir, { yaml: classifyPipeline(server.url), ready: () => gate.waiting === 4, graceMs: 100, release: gate.release });
      assert.equal(result.status, 'interrupted');
      assert.equal(server.requests.chat, 4);
      const stats = result.tasks['classify[model=m,variant=numeric]'];
      assert.equal(stats.errors, 0, 'a cancelled call is not an item error: the resume computes the item');
      assert.equal(stats.status, 'interrupted');
    });
  } finally {
    await server.close();
  }
});

test('SIGINT through the CLI: no call starts after the signal, exit 130, and the resume pays only for the rest', async () => {
  const gate = gatedResponder(studyResponder);
  const server = await startOpenAIServer({ responder: gate.responder });
  try {
    await withTempDir('interrupt-cli', async (dir) => {
      writeFileSync(path.join(dir, 'p.yaml'), classifyPipeline(server.url));
      const args = ['--runs-dir', path.join(dir, 'runs'), '--cache-dir', path.join(dir, 'cache')];
      const cli = startCli(['run', 'p.yaml', ...args], { cwd: dir });
      let stderr = '';
      cli.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      await waitFor(() => gate.waiting === 4);
      cli.child.kill('SIGINT');
      await waitFor(() => stderr.includes('SIGINT: no new items'));
      await pause(300);
      assert.equal(server.requests.chat, 4, 'nothing started between the signal and the answers');
      gate.release();
      const first = await cli.done;
      assert.equal(first.code, 130, first.stderr);
      assert.doesNotMatch(first.stderr, /\n\s+at /);
      assert.equal(server.requests.chat, 4);
      const runId = listRunIds(path.join(dir, 'runs'))[0]!;
      assert.equal((JSON.parse(readFileSync(path.join(dir, 'runs', runId, 'manifest.json'), 'utf8')) as { status: string }).status, 'interrupted');
      const resumed = await runCli(['run', '--resume', 'latest', ...args], { cwd: dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(server.requests.chat, TERMS, 'each item was asked exactly once over both attempts');
    });
  } finally {
    await server.close();
  }
});
