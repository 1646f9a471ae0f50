// Real rate limits: whole `vaflow run` processes (extract → prompt-variant → classify, concurrency 64)
// against the loopback server in rate-limit mode, in another process: 3,000 requests and 1,000,000
// tokens a minute, token buckets with one second of burst, 429 past them. The same-run baseline is
// the server's limit itself: the figures are the share of it used, the share of requests refused,
// and how long after the server lowers its limit (to half, mid-run) 429s go on.
// Run: npm run build && node dist/bench/rate-limits.js [items, default 3000] [scenario name part, default all]
// With RATE_TIMELINE=1, each scenario's row is followed by the requests taken/refused in each second
// of the run (the drop marked), to see where 429s and lost rate come from.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { BIN, machine } from './lib.js';
import type { LoggedRequest, RateLimitMode } from '../test/helpers/openai-server.js';
import { writeRateLimitProject } from '../test/helpers/rate-limit-project.js';

const SELF = fileURLToPath(import.meta.url);
const LIMIT = 3000;
const TOKENS = 1_000_000;

interface Scenario {
  readonly name: string;
  readonly headers: boolean;
  readonly limits?: string;
  /** Lower the limit to half once this share of the items was taken. */
  readonly dropAt?: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'headers, no limits configured', headers: true },
  { name: 'headers, limit halved mid-run', headers: true, dropAt: 0.4 },
  { name: 'no headers (AIMD), no limits configured', headers: false },
  { name: 'no headers (AIMD), limit halved mid-run', headers: false, dropAt: 0.4 },
  { name: 'no headers, requestsPerMinute: 3000 configured', headers: false, limits: `{ requestsPerMinute: ${LIMIT} }` },
  { name: 'no headers, requestsPerMinute: 3000, limit halved mid-run', headers: false, limits: `{ requestsPerMinute: ${LIMIT} }`, dropAt: 0.4 },
];

/** Child: the server. Prints its URL; on stdin's end prints the request log and the drop time. */
async function serve(headers: boolean, dropAfter: number): Promise<void> {
  const { startOpenAIServer, nearestLabelResponder } = await import('../test/helpers/openai-server.js');
  const { getLabelSet } = await import('../src/labels/label-sets.js');
  const mode = (requestsPerMinute: number): RateLimitMode => ({ requestsPerMinute, tokensPerMinute: TOKENS, burstSeconds: 1, headers });
  const server = await startOpenAIServer({ responder: nearestLabelResponder(getLabelSet('basic7')!.points), rateLimit: mode(LIMIT) });
  let droppedAt: number | undefined;
  const watch = setInterval(() => {
    if (dropAfter > 0 && droppedAt === undefined && server.requests.log.filter((r) => !r.limited).length >= dropAfter) {
      server.setRateLimit(mode(LIMIT / 2));
      droppedAt = Date.now();
    }
  }, 5);
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    clearInterval(watch);
    process.stdout.write(JSON.stringify({ log: server.requests.log, droppedAt }) + '\n');
    void server.close().then(() => process.exit(0));
  });
}

function startServer(headers: boolean, dropAfter: number): Promise<{ url: string; stop: () => Promise<{ log: LoggedRequest[]; droppedAt?: number }> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--serve', String(headers), String(dropAfter)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      const first = out === '';
      out += c.toString();
      if (first) resolve({
        url: out.trim().split('\n')[0]!,
        stop: () => new Promise((done) => {
          child.on('close', () => done(JSON.parse(out.trim().split('\n').at(-1)!) as { log: LoggedRequest[]; droppedAt?: number }));
          child.stdin.end();
        }),
      });
    });
    child.on('error', reject);
  });
}

function runVaflow(dir: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '1' } });
    child.on('close', (code) => resolve(code));
  });
}

const accepted = (log: readonly LoggedRequest[], from: number, to: number) => log.filter((r) => !r.limited && r.at >= from && r.at < to).length / ((to - from) / 1000);

/** Requests taken/refused in each second from `first` on, `|` before the second the server lowered its limit in. */
function timeline(log: readonly LoggedRequest[], first: number, droppedAt: number | undefined): string {
  const seconds: { taken: number; refused: number }[] = [];
  for (const r of log) {
    const s = (seconds[Math.floor((r.at - first) / 1000)] ??= { taken: 0, refused: 0 });
    if (r.limited) s.refused++;
    else s.taken++;
  }
  const dropSecond = droppedAt === undefined ? -1 : Math.floor((droppedAt - first) / 1000);
  return Array.from(seconds, (s, i) => `${i === dropSecond ? '| ' : ''}${s?.taken ?? 0}/${s?.refused ?? 0}`).join(' ');
}

async function main(): Promise<void> {
  const items = Number(process.argv[2] ?? 3000);
  console.log(machine());
  console.log(`${items} items per run; the server: ${LIMIT} requests and ${TOKENS.toLocaleString('en')} tokens a minute, 1 s of burst`);
  console.log('| scenario | requests | refused (429) | used of the limit (after the first second) | after the drop: last 429 | after the drop: used of the new limit (from 5 s on) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const only = process.argv[3];
  for (const scenario of SCENARIOS.filter((s) => !only || s.name.includes(only))) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-bench-rate-'));
    const server = await startServer(scenario.headers, scenario.dropAt ? Math.round(items * scenario.dropAt) : 0);
    try {
      writeRateLimitProject(dir, { url: server.url, items, ...(scenario.limits ? { limits: scenario.limits } : {}) });
      const code = await runVaflow(dir);
      const { log, droppedAt } = await server.stop();
      if (code !== 0) throw new Error(`${scenario.name}: vaflow exited ${code}`);
      const first = log[0]!.at;
      const last = log.at(-1)!.at;
      const limited = log.filter((r) => r.limited);
      const before = accepted(log, first + 1000, droppedAt ?? last) / (LIMIT / 60);
      const drop = droppedAt === undefined ? ['—', '—'] : [
        `${(Math.max(0, ...limited.filter((r) => r.at >= droppedAt).map((r) => r.at - droppedAt)) / 1000).toFixed(2)} s`,
        `${((100 * accepted(log, droppedAt + 5000, last)) / (LIMIT / 2 / 60)).toFixed(1)}%`,
      ];
      console.log(`| ${scenario.name} | ${log.length} | ${limited.length} (${((100 * limited.length) / log.length).toFixed(2)}%) | ${(100 * before).toFixed(1)}% | ${drop[0]} | ${drop[1]} |`);
      if (process.env.RATE_TIMELINE) console.log(timeline(log, first, droppedAt));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`load after: ${os.loadavg().map((l) => l.toFixed(1)).join('/')}`);
}

if (process.argv[2] === '--serve') await serve(process.argv[3] === 'true', Number(process.argv[4]));
else await main();
