/**
 * End to end through `vaflow run`: one pipeline, one model per answer style (test/helpers/answer-styles.ts),
 * served by a loopback server that accepts response_format and answers in that style anyway, plus one
 * model whose server refuses response_format with a 400. basic7 and emotic26 (multi-label), and a
 * describe node whose reasoning model wraps its description. Every item must complete with no item
 * error and no retry, in one request (+1 for the first 400), invalid exactly where the style is a
 * refusal, an empty or a cut answer; the rerun is served from the cache, invalid answers included.
 * Needs dist/ (npm test builds it first).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { ANSWER_READER_VERSION } from '../../src/labels/reader-version.js';
import { manifestOf } from '../helpers/run-manifest.js';
import { labelsByDistance, refuseResponseFormat, startOpenAIServer, type ChatCompletionBody, type OpenAIServer } from '../helpers/openai-server.js';
import { ANSWER_STYLES, STYLE_OUTCOMES, styledResponder, type AnswerStyle } from '../helpers/answer-styles.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { listRunIds } from '../../src/artifacts/run-folder.js';

const basic7 = getLabelSet('basic7')!;
const emotic26 = getLabelSet('emotic26')!;
const STYLES = Object.keys(ANSWER_STYLES) as AnswerStyle[];
/** Styles whose prose names the rejected label: a multi-label reading rightly counts it, so emotic26 skips them. */
const EMOTIC_STYLES = STYLES.filter((s) => s !== 'prose-second-label');
const REFUSING = 'refusing';
const DESCRIPTION = 'The person beams, eyes bright and wide, about to laugh.';

let server: OpenAIServer;
let dir: string;

/** Model names on the wire: "<label set>/<style>", and "refuse/<style>" for the model behind a server that rejects response_format. */
const styleOf = (request: ChatCompletionBody) => request.model.split('/').at(-1) as AnswerStyle;
const isDescribe = (request: ChatCompletionBody) => request.messages.some((m) => /Describe the facial expression/.test(m.content));

before(async () => {
  const basic = styledResponder({ points: basic7.points, styleOf });
  const multi = styledResponder({ points: emotic26.points, styleOf, count: 2 });
  server = await startOpenAIServer({
    responder: (request) => {
      if (isDescribe(request)) return `<think>\nPleasant and energetic: happy, maybe surprised.\n</think>\n\n**Description:** "${DESCRIPTION}"`;
      return request.model.startsWith('emotic26/') ? multi(request) : basic(request);
    },
  });
  server.rule = refuseResponseFormat('llamacpp', (request) => request.model.startsWith('refuse/'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'vaflow-answer-shapes-'));
  // One row per basic7 reference point (its label is the truth); the emotic26 table holds the same
  // points with the nearest emotic26 label as truth (validate refuses truth outside a node's label set).
  const points = Object.entries(basic7.points);
  const rows = points.map(([label, [v, a]], i) => `f${i},${v},${a},${label}`);
  await writeFile(path.join(dir, 'faces.csv'), `id,valence,arousal,label\n${rows.join('\n')}\n`);
  const emoticRows = points.map(([, [v, a]], i) => `f${i},${v},${a},${labelsByDistance(emotic26.points, [v, a])[0]}`);
  await writeFile(path.join(dir, 'faces-emotic.csv'), `id,valence,arousal,label\n${emoticRows.join('\n')}\n`);
  const model = (id: string, wire: string) => `  ${id}: { provider: openai, model: "${wire}", baseURL: "${server.url}", temperature: 0 }`;
  const models = [
    ...STYLES.map((s) => model(`b-${s}`, `basic7/${s}`)),
    ...EMOTIC_STYLES.map((s) => model(`e-${s}`, `emotic26/${s}`)),
    model(REFUSING, 'refuse/plain-word'),
    model('describer', 'describe/think'),
  ];
  await writeFile(path.join(dir, 'p.yaml'), `version: 1
name: answer-shapes
models:
${models.join('\n')}
defaults: { concurrency: 4, retries: 4 }
nodes:
  faces: { kind: extract, with: { table: faces.csv } }
  emotic-faces: { kind: extract, with: { table: faces-emotic.csv } }
  basic-prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { numeric: { format: numeric } } } }
  emotic-prompts: { kind: prompt-variant, needs: [emotic-faces], with: { labels: emotic26, variants: { numeric: { format: numeric } } } }
  describe-prompts: { kind: prompt-variant, needs: [faces], with: { task: describe, variants: { numeric: { format: numeric } } } }
  basic: { kind: classify, needs: [basic-prompts], with: { labels: basic7, models: [${[...STYLES.map((s) => `b-${s}`), REFUSING].join(', ')}] } }
  emotic: { kind: classify, needs: [emotic-prompts], with: { labels: emotic26, models: [${EMOTIC_STYLES.map((s) => `e-${s}`).join(', ')}] } }
  describe: { kind: describe, needs: [describe-prompts], with: { models: [describer], wordLimit: 6 } }
  scores: { kind: aggregate, needs: [basic] }
`);
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(): Promise<CliResult & { runDir: string }> {
  const result = await runCli(['run', 'p.yaml', '--runs-dir', 'runs', '--cache-dir', 'cache'], { cwd: dir });
  const runs = listRunIds(path.join(dir, 'runs'));
  return { ...result, runDir: path.join(dir, 'runs', runs.at(-1)!) };
}

type Row = Record<string, unknown> & { id: string; coords: Record<string, string> };

/** Records (or item errors) of every task of a node. */
async function records(runDir: string, node: string, errors = false): Promise<Row[]> {
  const files = (await readdir(path.join(runDir, 'tasks'))).filter((f) => f.startsWith(`${node}[`) && f.endsWith('.errors.jsonl') === errors && f.endsWith('.jsonl'));
  const texts = await Promise.all(files.map((f) => readFile(path.join(runDir, 'tasks', f), 'utf8')));
  return texts.flatMap((t) => t.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Row));
}

/** What the styled model meant for a record: the nearest label(s) to its point. */
function meant(record: Row, count: number): string | string[] {
  const ranked = labelsByDistance(count === 1 ? basic7.points : emotic26.points, [record.valence as number, record.arousal as number]);
  return count === 1 ? ranked[0]! : ranked.slice(0, count);
}

function checkReadings(rows: readonly Row[], count: number, styleOfModel: (model: string) => AnswerStyle): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    const style = styleOfModel(row.coords.model!);
    const where = `${row.coords.model} ${row.id}`;
    if (STYLE_OUTCOMES[style] === 'label') {
      if (row.valid !== true || JSON.stringify(row.prediction) !== JSON.stringify(meant(row, count))) problems.push(`${where}: ${JSON.stringify(row.prediction)} (${String(row.invalidReason)}) from ${JSON.stringify(row.answer)}`);
    } else if (row.valid !== false || row.invalidReason !== STYLE_OUTCOMES[style]) {
      problems.push(`${where}: expected invalid ${STYLE_OUTCOMES[style]}, got ${JSON.stringify(row.prediction)} ${String(row.invalidReason)}`);
    }
  }
  return problems;
}

test('every answer shape completes: no item error, no retry, one request per item (+1 for the first 400), invalid only where meant', async () => {
  const first = await run();
  assert.equal(first.code, 0, first.stderr);
  const items = Object.keys(basic7.points).length;

  const basic = await records(first.runDir, 'basic');
  const emotic = await records(first.runDir, 'emotic');
  assert.equal(basic.length, items * (STYLES.length + 1), 'every basic7 item of every model completed');
  assert.equal(emotic.length, items * EMOTIC_STYLES.length, 'every emotic26 item of every model completed');
  assert.deepEqual([...await records(first.runDir, 'basic', true), ...await records(first.runDir, 'emotic', true)], [], 'no item errors');
  assert.deepEqual(checkReadings(basic, 1, (m) => (m === REFUSING ? 'plain-word' : m.slice(2) as AnswerStyle)), []);
  assert.deepEqual(checkReadings(emotic, 2, (m) => m.slice(2) as AnswerStyle), []);
  assert.ok(basic.every((r) => r.readerVersion === ANSWER_READER_VERSION));
  // The reasoning is kept apart, and never decided the label.
  for (const r of basic.filter((row) => ['b-think', 'b-reasoning-content', 'b-reasoning-field'].includes(row.coords.model!))) {
    assert.ok(typeof r.reasoning === 'string' && r.reasoning.length > 0, `${r.coords.model} ${r.id}: reasoning kept`);
  }

  const perModel = new Map<string, number>();
  for (const body of server.requests.bodies) perModel.set(body.model, (perModel.get(body.model) ?? 0) + 1);
  for (const style of STYLES) assert.equal(perModel.get(`basic7/${style}`), items, `basic7/${style}: one request per item`);
  for (const style of EMOTIC_STYLES) assert.equal(perModel.get(`emotic26/${style}`), items, `emotic26/${style}: one request per item`);
  assert.equal(perModel.get('refuse/plain-word'), items + 1, 'the refusing server: one extra request for the first 400');
  for (const model of perModel.keys()) {
    const firstAsk = server.requests.bodies.find((b) => b.model === model)!;
    assert.equal(firstAsk.response_format?.type, model.startsWith('describe/') ? undefined : 'json_schema', `${model}: structured output requested`);
  }
  const refused = server.requests.bodies.filter((b) => b.model === 'refuse/plain-word');
  assert.equal(refused.filter((b) => b.response_format).length, 1, 'response_format was sent once, then remembered as refused');

  const manifest = manifestOf(first.runDir);
  assert.equal(manifest.totals.errors, 0);
  assert.equal(manifest.totals.retries, 0, 'a 200 answer is never retried');
  assert.equal(manifest.answerReader, ANSWER_READER_VERSION);
  assert.deepEqual(manifest.notices?.map((n) => [n.model, n.task]), [[REFUSING, 'basic[model=refusing,variant=numeric]']]);
  assert.match(manifest.notices![0]!.message, /model refusing: the server refused response_format/);
  assert.equal(first.stderr.match(/refused response_format/g)?.length, 1, `said once on the terminal:\n${first.stderr}`);

  // Invalid answers count in invalid_rate, per model.
  const metrics = JSON.parse(await readFile(path.join(first.runDir, 'metrics.json'), 'utf8')) as { groups: { coords: Record<string, string>; headline: Record<string, { value: number | null }> }[] };
  const invalidRate = (model: string) => metrics.groups.find((g) => g.coords.model === model)?.headline.invalid_rate?.value;
  assert.deepEqual(['b-json', 'b-think', 'b-refusal', 'b-empty', 'b-length', REFUSING].map(invalidRate), [0, 0, 1, 1, 1, 0]);

  // Descriptions: the reasoning model's wrapper and reasoning are gone before the word limit.
  const described = await records(first.runDir, 'describe');
  assert.equal(described.length, items);
  for (const r of described) {
    assert.deepEqual([r.text, r.truncated], [DESCRIPTION.split(' ').slice(0, 6).join(' '), true]);
    assert.match(String(r.reasoning), /Pleasant and energetic/);
    assert.match(String(r.answer), /^<think>/);
  }

  // Answers of every shape, invalid ones included, are cached like any answer.
  const before = server.requests.chat;
  const rerun = await run();
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(server.requests.chat, before, 'the rerun asked nothing');
  const again = await records(rerun.runDir, 'basic');
  const key = (r: Row) => `${r.coords.model}/${r.id}`;
  assert.deepEqual(
    again.map((r) => [key(r), r.prediction, r.invalidReason]).sort(),
    basic.map((r) => [key(r), r.prediction, r.invalidReason]).sort(),
  );
});

