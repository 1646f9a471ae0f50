import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPipeline } from '../../src/spec/index.js';
import { formatIssue, SpecError, type PositionedIssue } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';

/** What `validate` reports for a pipeline and its files: every issue as printed, errors and warnings. */
async function issuesOf(dir: string, yaml: string, files: Record<string, string> = {}, env?: Record<string, string>): Promise<string[]> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  await writeFile(path.join(dir, 'p.yaml'), yaml);
  let issues: readonly PositionedIssue[];
  try {
    issues = (await loadPipeline(path.join(dir, 'p.yaml'), env ? { env } : {})).warnings;
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    issues = error.issues;
  }
  return issues.map((issue) => formatIssue({ ...issue, file: 'p.yaml' }));
}

function table(rows: readonly string[], header = 'id,valence,arousal,label'): string {
  return [header, ...rows].join('\n') + '\n';
}

const rows20 = Array.from({ length: 20 }, (_, i) => `r${i},0.${i % 10},-0.${i % 7},happiness`);

const extractOnly = (withText: string) => `version: 1
name: t
nodes:
  terms: { kind: extract, with: { ${withText} } }
`;

test('1–9 ratings without range: refused, naming the first offending row and the fix; with range they pass', async () => {
  await withTempDir('data-checks', async (dir) => {
    const norms = table(['calm,6.89,1.67,neutral', 'tense,3.05,6.29,fear', 'mid,0.5,0.5,neutral']);
    assert.deepEqual(await issuesOf(dir, extractOnly('table: n.csv'), { 'n.csv': norms }), [
      'p.yaml:4:42  nodes.terms.with.table: n.csv: 2 of 3 rows have a value outside the declared range [-1, 1]; first: n.csv:2: row 1, column "valence": "6.89" is outside [-1, 1]; if the table uses another scale, set with.range to it (e.g. [1, 9] for 1–9 ratings)',
    ]);
    // On the declared scale, the 0.5 row is the odd one out.
    assert.deepEqual(await issuesOf(dir, extractOnly('table: n.csv, range: [1, 9]'), { 'n.csv': norms }), [
      'p.yaml:4:42  nodes.terms.with.table: n.csv: 1 of 3 rows have a value outside the declared range [1, 9]; first: n.csv:4: row 3, column "valence": "0.5" is outside [1, 9]; fix those rows, or set with.range to the scale the table uses',
    ]);
    assert.deepEqual(await issuesOf(dir, extractOnly('table: n.csv, range: [0, 9]'), { 'n.csv': norms }), []);
  });
});

test('bad cells: a warning within maxErrorRate (saying how to silence it), an error above it', async () => {
  await withTempDir('data-checks', async (dir) => {
    const one = [...rows20];
    one[6] = 'r6,high,0.1,happiness';
    assert.deepEqual(await issuesOf(dir, extractOnly('table: a.csv'), { 'a.csv': table(one) }), [
      'p.yaml:4:42  warning: nodes.terms.with.table: a.csv: 1 of 20 rows will be item errors (5%, within maxErrorRate 10%): 1 not a number; first: a.csv:8: row 7, column "valence": "high" is not a number; fix or remove those rows to silence this',
    ]);
    const many = [...one];
    many[2] = 'r2,,0.1,happiness';
    many[9] = 'r9,0.1,"0.2,happiness';
    assert.deepEqual(await issuesOf(dir, extractOnly('table: a.csv, maxErrorRate: 0.1'), { 'a.csv': table(many) }), [
      'p.yaml:4:42  nodes.terms.with.table: a.csv: 3 of 20 rows cannot become items (15%, above maxErrorRate 10%, so the task would fail): 1 with a missing value, 1 not a number, 1 unreadable; first: a.csv:4: row 3, column "valence": no value',
    ]);
    // A -6.25 among them is refused outright, whatever maxErrorRate says.
    many[12] = 'r12,-6.25,0.1,happiness';
    const found = await issuesOf(dir, extractOnly('table: a.csv, maxErrorRate: 1'), { 'a.csv': table(many) });
    assert.equal(found.length, 2);
    assert.match(found[0]!, /1 of 20 rows have a value outside the declared range \[-1, 1\]; first: a\.csv:14: row 13, column "valence": "-6\.25" is outside/);
    assert.match(found[1]!, /^p\.yaml:4:42 {2}warning: .*3 of 20 rows will be item errors \(15%, within maxErrorRate 100%\)/);
  });
});

test('an empty table, a header-only table, a duplicated column and a missing images folder are errors with their place', async () => {
  await withTempDir('data-checks', async (dir) => {
    assert.deepEqual(await issuesOf(dir, extractOnly('table: e.csv'), { 'e.csv': '' }), ['p.yaml:4:42  nodes.terms.with.table: e.csv: no data rows (the file is empty)']);
    assert.deepEqual(await issuesOf(dir, extractOnly('table: h.csv'), { 'h.csv': 'id,valence,arousal\n' }), ['p.yaml:4:42  nodes.terms.with.table: h.csv: no data rows (only the header, on line 1)']);
    assert.deepEqual(await issuesOf(dir, extractOnly('table: d.csv'), { 'd.csv': 'id,valence,arousal,valence\na,0,0,1\n' }), [
      'p.yaml:4:42  nodes.terms.with.table: d.csv:1: column "valence" appears twice in the header (columns 2 and 4); rename or remove one',
    ]);
    assert.deepEqual(await issuesOf(dir, extractOnly('images: faces, backend: expression-mixture'), {}), [
      `p.yaml:4:43  nodes.terms.with.images: folder not found: faces (resolved to ${path.join(dir, 'faces')})`,
    ]);
  });
});

const classifyPipeline = (labels: string, extra = '') => `version: 1
name: t
models:
  base: { provider: circumplex }
nodes:
  terms: { kind: extract, with: { table: t.csv${extra} } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: ${labels}, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [base], labels: ${labels} } }
`;

test('truth labels outside the scored label set are errors, with counts, first lines and synonyms', async () => {
  await withTempDir('data-checks', async (dir) => {
    const rows = [...rows20];
    rows[3] = 'r3,0.8,0.2,joy';
    rows[4] = 'r4,0.8,0.2,Joy';
    rows[7] = 'r7,0.8,0.2,happy';
    rows[11] = 'r11,0.8,0.2,joy';
    assert.deepEqual(await issuesOf(dir, classifyPipeline('basic7'), { 't.csv': table(rows) }), [
      'p.yaml:6:42  nodes.terms.with.table: t.csv: 4 of 20 rows have truth labels outside label set basic7 (nodes.classify): "joy" (3 rows, first on line 5; a synonym of happiness), "happy" (1 row, first on line 9; a synonym of happiness); write them as labels of the set (happiness, sadness, anger, fear, surprise, disgust, neutral), or give nodes.classify a label set that has them',
    ]);
  });
});

test('truth labels match the set as aggregate compares them: trimmed and in any case', async () => {
  await withTempDir('data-checks', async (dir) => {
    const inline = '{ name: two, labels: [Calm, Tense], points: { Calm: [0.5, -0.5], Tense: [-0.5, 0.5] } }';
    const rows = ['a,0.5,-0.5,calm', 'b,-0.5,0.5, TENSE ', 'c,0.1,0.1,Calm', 'd,0.2,0.2,bored'];
    const found = await issuesOf(dir, classifyPipeline(inline), { 't.csv': table(rows) });
    assert.equal(found.length, 1);
    assert.match(found[0]!, /t\.csv: 1 of 4 rows have truth labels outside label set two \(nodes\.classify\): "bored" \(1 row, first on line 5\);/);
  });
});

test('one anger;fear row in a single-label set is an error naming the row; Emotic truth against basic7 lists the labels', async () => {
  await withTempDir('data-checks', async (dir) => {
    const rows = [...rows20];
    rows[5] = 'r5,-0.6,0.3,anger;fear';
    assert.deepEqual(await issuesOf(dir, classifyPipeline('basic7'), { 't.csv': table(rows) }), [
      'p.yaml:6:42  nodes.terms.with.table: t.csv: 1 row has several truth labels (first: line 7, row 6: "anger;fear"), but label set basic7 (nodes.classify) is single-label; give one label per row, or use a multi-label set',
    ]);
    // The same row is fine for a multi-label set.
    const emotic = ['a,0.5,0.1,peace', 'b,0.6,0.3,esteem;confidence', 'c,-0.6,0.3,anger'];
    assert.deepEqual(await issuesOf(dir, classifyPipeline('emotic26'), { 't.csv': table(emotic) }), []);
    const found = await issuesOf(dir, classifyPipeline('basic7'), { 't.csv': table(emotic) });
    assert.equal(found.length, 2);
    assert.match(found[0]!, /t\.csv: 2 of 3 rows have truth labels outside label set basic7 \(nodes\.classify\): "peace" \(1 row, first on line 2\), "esteem" \(1 row, first on line 3\), "confidence" \(1 row, first on line 3\);/);
    assert.match(found[1]!, /1 row has several truth labels \(first: line 3, row 2: "esteem;confidence"\)/);
  });
});

test('rows without a truth label are a warning when a classify node scores them; no labels at all is an error', async () => {
  await withTempDir('data-checks', async (dir) => {
    const rows = [...rows20];
    rows[2] = 'r2,0.1,0.1,';
    assert.deepEqual(await issuesOf(dir, classifyPipeline('basic7'), { 't.csv': table(rows) }), [
      'p.yaml:6:42  warning: nodes.terms.with.table: t.csv: 1 of 20 rows have no truth label (first: line 4, row 3); nodes.classify still classifies them but aggregate cannot score them; give every row a label to silence this',
    ]);
    const found = await issuesOf(dir, classifyPipeline('basic7'), { 't.csv': table(['a,0.1,0.1', 'b,0.2,0.2'], 'id,valence,arousal') });
    assert.deepEqual(found, ["p.yaml:6:42  nodes.terms.with.table: t.csv: no row has a truth label, so the answers of nodes.classify cannot be scored; set with.columns.label to the table's label column"]);
  });
});

const chatPipeline = (models: string, wiring: string, modelEntry = '{ provider: openai, model: gpt-4o-mini, apiKeyEnv: VAFLOW_TEST_KEY }') => `version: 1
name: t
models:
  base: { provider: circumplex }
  mini: ${modelEntry}
nodes:
  terms: { kind: extract, with: { table: t.csv } }
  prompts: { kind: prompt-variant, needs: [terms], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [${wiring}], with: { models: [${models}] } }
`;

test('classify wired straight to extract: each chat model is an error at its place; the baseline alone is fine', async () => {
  await withTempDir('data-checks', async (dir) => {
    const files = { 't.csv': table(rows20) };
    const env = { VAFLOW_TEST_KEY: 'test-key-1234567890' };
    assert.deepEqual(await issuesOf(dir, chatPipeline('base, mini', 'terms'), files, env), [
      'p.yaml:9:70  nodes.classify.with.models[1]: model "mini" (openai) needs prompt records, but "terms" (va records) gives none; put a prompt-variant node between them (its needs: [terms]), or use only the circumplex baseline here',
    ]);
    assert.deepEqual(await issuesOf(dir, chatPipeline('base', 'terms'), files, env), []);
    assert.deepEqual(await issuesOf(dir, chatPipeline('base, mini', 'prompts'), files, env), []);
  });
});

test('an unset key of a used model is an error where apiKeyEnv names it; enabledByEnv or an unused model is not', async () => {
  await withTempDir('data-checks', async (dir) => {
    const files = { 't.csv': table(rows20) };
    assert.deepEqual(await issuesOf(dir, chatPipeline('base, mini', 'prompts'), files, {}), [
      'p.yaml:5:60  models.mini.apiKeyEnv: environment variable VAFLOW_TEST_KEY is not set, and model "mini" (used by nodes.classify) needs its API key from it; set it, or add enabledByEnv: [VAFLOW_TEST_KEY] so the model joins only when it is set',
    ]);
    // No apiKeyEnv and no baseURL: the openai client reads OPENAI_API_KEY.
    assert.deepEqual(await issuesOf(dir, chatPipeline('base, mini', 'prompts', '{ provider: openai, model: gpt-4o-mini }'), files, {}), [
      'p.yaml:5:3  models.mini: environment variable OPENAI_API_KEY is not set, and model "mini" (used by nodes.classify) needs its API key from it; set it, or add enabledByEnv: [OPENAI_API_KEY] so the model joins only when it is set',
    ]);
    const local = '{ provider: openai, model: m, baseURL: "http://127.0.0.1:9/v1" }';
    assert.deepEqual(await issuesOf(dir, chatPipeline('base, mini', 'prompts', local), files, {}), [], 'a local server needs no key');
    const optional = '{ provider: openai, model: m, apiKeyEnv: VAFLOW_TEST_KEY, enabledByEnv: [VAFLOW_TEST_KEY] }';
    assert.deepEqual(await issuesOf(dir, chatPipeline('base, mini', 'prompts', optional), files, {}), []);
    assert.deepEqual(await issuesOf(dir, chatPipeline('base', 'prompts'), files, {}), [], 'a model no node uses needs no key');
    // Without an environment (a library caller), nothing is said about keys.
    assert.deepEqual(await issuesOf(dir, chatPipeline('base, mini', 'prompts'), files), []);
  });
});

test('an images node\'s labels table is checked the same way: truth labels, several labels, a file named twice', async () => {
  await withTempDir('data-checks', async (dir) => {
    const pipeline = `version: 1
name: t
models:
  base: { provider: circumplex }
nodes:
  faces: { kind: extract, with: { images: faces, labels: labels.csv, backend: expression-mixture } }
  prompts: { kind: prompt-variant, needs: [faces], with: { labels: basic7, variants: { n: { format: numeric } } } }
  classify: { kind: classify, needs: [prompts], with: { models: [base] } }
`;
    // validate lists the folder but decodes nothing: empty files are enough here.
    const files = { 'faces/a.jpg': '', 'faces/b.jpg': '', 'faces/c.jpg': '', 'labels.csv': 'file,label\na.jpg,joy\nb.jpg,anger;fear\nc.jpg,fear\n' };
    const found = await issuesOf(dir, pipeline, files);
    assert.equal(found.length, 2);
    assert.match(found[0]!, /^p\.yaml:6:58 {2}nodes\.faces\.with\.labels: labels\.csv: 1 of 3 rows have truth labels outside label set basic7 \(nodes\.classify\): "joy" \(1 row, first on line 2; a synonym of happiness\)/);
    assert.match(found[1]!, /labels\.csv: 1 row has several truth labels \(first: line 3, row 2: "anger;fear"\), but label set basic7/);
    const twice = await issuesOf(dir, pipeline, { ...files, 'labels.csv': 'file,label\na.jpg,fear\nb.jpg,anger\na.jpg,fear\n' });
    assert.deepEqual(twice, ['p.yaml:6:58  nodes.faces.with.labels: labels.csv:4: row 3, column "file": "a.jpg" is already labelled on line 2']);
  });
});
