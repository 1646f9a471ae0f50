import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

/** An OpenAI-shaped key, and a local server's key of no known shape (redacted because the run knows it). */
const SHAPED_KEY = 'sk-echo-0123456789abcdefghijKLMN';
const PLAIN_KEY = 'plain-local-secret-value-42';
const PROXY_PASSWORD = 'hunter2hunter2';

/**
 * A gateway that echoes what it was sent, as some proxies do: a 401 whose JSON message quotes the
 * Authorization header for one model, a plain-text 500 with the header and a proxy URL for the other.
 */
async function startEchoServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const auth = req.headers.authorization ?? '';
      if (auth.includes(SHAPED_KEY)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${auth}. Your key ${auth.replace('Bearer ', '')} is invalid.`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
      } else {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`upstream https://gateway:${PROXY_PASSWORD}@proxy.internal failed for request with authorization: ${auth} (key ${PLAIN_KEY})`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Every file under `dir`, as text. */
function allFiles(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const info = statSync(file);
    if (info.isDirectory()) out.push(...allFiles(file));
    else if (info.isFile()) out.push({ file, text: readFileSync(file).toString('latin1') });
  }
  return out;
}

const TABLE = ['id,valence,arousal,label', ...Array.from({ length: 8 }, (_, i) => `t${i},0.${i},-0.${i},happiness`)].join('\n') + '\n';

test('keys echoed by a server in 401/500 bodies never reach the errors files, events, manifest, report, cache or terminal', { timeout: 120_000 }, async () => {
  const server = await startEchoServer();
  try {
    await withTempDir('secrets', async (dir) => {
      writeFileSync(path.join(dir, 't.csv'), TABLE);
      // A local kind that logs its own configuration, secret included: the log lines reach events.jsonl and the terminal.
      writeFileSync(path.join(dir, 'probe.mjs'), `export default {
  name: 'probe', version: '1', mode: 'source', consumes: [], produces: 'va', paramsSchema: { type: 'object' },
  async *source(ctx) {
    ctx.log({ level: 'warn', message: 'probe connects with ' + process.env.LOCAL_LLM_PASS + ' and ' + process.env.VAFLOW_ECHO_KEY });
    yield { id: 'p1', fields: { valence: 0, arousal: 0 } };
  },
};
`);
      writeFileSync(path.join(dir, 'p.yaml'), `version: 1
name: echo
models:
  base: { provider: circumplex }
  cloud: { provider: openai, model: m, baseURL: "${server.url}", apiKeyEnv: VAFLOW_ECHO_KEY, structuredOutput: false }
  local: { provider: openai, model: m, baseURL: "${server.url}", apiKeyEnv: LOCAL_LLM_PASS, structuredOutput: false }
defaults: { retries: 0, maxErrorRate: 1 }
nodes:
  terms: { kind: extract, with: { table: t.csv } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [base, cloud, local] } }
  scores: { kind: aggregate, needs: [classify] }
  probe: { kind: ./probe.mjs }
`);
      const env = { VAFLOW_ECHO_KEY: SHAPED_KEY, LOCAL_LLM_PASS: PLAIN_KEY };
      const args = ['run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'];
      const plain = await runCli(args, { cwd: dir, env });
      assert.equal(plain.code, 0, plain.stdout + plain.stderr);
      const json = await runCli([...args, '--json'], { cwd: dir, env });
      assert.equal(json.code, 0, json.stderr);
      assert.equal(server.requests(), 2 * 16, 'every call of both runs reached the echo server (errors are never cached)');

      const files = allFiles(dir).filter(({ file }) => !file.endsWith('.yaml') && !file.endsWith('.csv'));
      const runs = listRunIds(path.join(dir, 'runs'));
      for (const run of runs) {
        for (const name of ['events.jsonl', 'manifest.json', 'report.html', 'metrics.json', 'tasks/classify[model=cloud,variant=n].errors.jsonl', 'tasks/classify[model=local,variant=n].errors.jsonl']) {
          assert.ok(existsSync(path.join(dir, 'runs', run, name)), `${run}/${name} was written`);
        }
      }
      const outputs = [{ file: 'stdout', text: plain.stdout + json.stdout }, { file: 'stderr', text: plain.stderr + json.stderr }, ...files];
      for (const { file, text } of outputs) {
        for (const secret of [SHAPED_KEY, PLAIN_KEY, PROXY_PASSWORD]) assert.ok(!text.includes(secret), `${file} holds ${secret.slice(0, 8)}…`);
      }
      // The echoes were there, and were redacted where they are reported.
      const cloudErrors = readFileSync(path.join(dir, 'runs', runs[0]!, 'tasks', 'classify[model=cloud,variant=n].errors.jsonl'), 'utf8');
      assert.match(cloudErrors, /HTTP 401: .*Incorrect API key provided: Bearer \[REDACTED\]/);
      const localErrors = readFileSync(path.join(dir, 'runs', runs[0]!, 'tasks', 'classify[model=local,variant=n].errors.jsonl'), 'utf8');
      assert.match(localErrors, /https:\/\/gateway:\[REDACTED\]@proxy\.internal .*authorization: Bearer \[REDACTED\] \(key \[REDACTED\]\)/);
      assert.match(plain.stderr, /warn: probe: probe connects with \[REDACTED\] and \[REDACTED\]/);
      assert.match(json.stdout, /"message":"probe connects with \[REDACTED\] and \[REDACTED\]"/);
      assert.match(readFileSync(path.join(dir, 'runs', runs[0]!, 'events.jsonl'), 'utf8'), /"message":"probe connects with \[REDACTED\] and \[REDACTED\]"/);
      assert.match(plain.stdout, /item errors:\n {2}classify\[model=cloud,variant=n\]: 8 of 8 items\n {4}.*Bearer \[REDACTED\]/);
    });
  } finally {
    await server.close();
  }
});

test('validate refuses credentials in a URL, keys in a description or a comment, and the value of a secret variable, without repeating them', async () => {
  await withTempDir('secrets', async (dir) => {
    writeFileSync(path.join(dir, 't.csv'), TABLE);
    const secret = 'local-secret-value-from-env';
    writeFileSync(path.join(dir, 'p.yaml'), `version: 1
name: leak
description: "tried with sk-abcdefghijklmnopqrstuvwxyz012345 first"
models:
  base: { provider: circumplex }
  proxied: { provider: openai, model: m, baseURL: "https://me:hunter2hunter2@proxy.example/v1", enabledByEnv: [NEVER_SET_VAR] }
  local: { provider: openai, model: m, baseURL: "http://127.0.0.1:9/v1", apiKeyEnv: LOCAL_LLM_PASS }
# old key: sk-commentedoutkey0123456789abcdef
# the local one is ${secret}
nodes:
  terms: { kind: extract, with: { table: t.csv } }
`);
    const result = await runCli(['validate', 'p.yaml'], { cwd: dir, env: { LOCAL_LLM_PASS: secret } });
    assert.equal(result.code, 2);
    assert.deepEqual(result.stderr.trimEnd().split('\n'), [
      'p.yaml:3:14  description: this looks like a literal secret key; pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY',
      'p.yaml:6:51  models.proxied.baseURL: a URL with a password (user:…@host) puts a credential in the pipeline file; give the server\'s key through apiKeyEnv instead',
      'p.yaml:8:12  a comment holds what looks like a literal secret key; remove it (the pipeline file is copied into every run folder); pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY',
      'p.yaml:9:20  this is the value of the environment variable LOCAL_LLM_PASS, a secret; pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY',
    ]);
    for (const leaked of ['sk-abcdefghijk', 'hunter2hunter2', 'sk-commentedout', secret]) assert.ok(!result.stderr.includes(leaked), leaked);
    const run = await runCli(['run', 'p.yaml', '--runs-dir', 'runs'], { cwd: dir, env: { LOCAL_LLM_PASS: secret } });
    assert.equal(run.code, 2);
    assert.equal(existsSync(path.join(dir, 'runs')), false, 'nothing was copied into a run folder');
  });
});
