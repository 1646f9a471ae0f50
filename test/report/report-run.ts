import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getLabelSet } from '../../src/labels/label-sets.js';
import { createRng } from '../../src/stats/prng.js';
import { runPipeline } from '../../src/run/run-pipeline.js';
import { packageRoot } from '../../src/util/paths.js';
import { ANSWER_STYLES, styledResponder } from '../helpers/answer-styles.js';
import { promptHash, startOpenAIServer, type ChatCompletionBody, type OpenAIServer } from '../helpers/openai-server.js';

/**
 * A real run for report tests, through the engine (runPipeline): the bundled 63 basic-7 terms,
 * classified under two prompt variants by the circumplex baseline and by a priced model on a
 * loopback OpenAI-compatible server (which refuses about one prompt in eight and answers some with
 * an empty message: invalid answers with reasons), and described by that model, the descriptions
 * scored under a small GloVe-format embedder written here. Offline, a few seconds.
 */
export const TERMS = path.join(packageRoot, 'data', 'sample', 'basic7-terms.csv');
const WORDS = ['calm', 'tense', 'joyful', 'gloomy', 'angry', 'afraid', 'surprised', 'disgusted', 'relaxed', 'bright', 'face', 'looks', 'person', 'the', 'and', 'with', 'a'];

/** How the loopback model answers a classification prompt, from the prompt's hash: mostly a label, sometimes not. */
export function styleOf(request: ChatCompletionBody): keyof typeof ANSWER_STYLES {
  const h = parseInt(promptHash(request.messages).slice(0, 6), 16) % 16;
  return h < 2 ? 'refusal' : h === 2 ? 'empty' : h < 8 ? 'word-period' : 'prose';
}

function description(request: ChatCompletionBody): string {
  const rng = createRng(parseInt(promptHash(request.messages).slice(0, 8), 16));
  const pick = () => WORDS[Math.floor(rng.next() * 10)];
  return `The person looks ${pick()} and ${pick()}, with a ${pick()} face.`;
}

/** Vectors for every word of the references and descriptions, seeded, 16-d. */
function writeVectors(file: string): void {
  const references = readFileSync(TERMS, 'utf8').split('\n').slice(1).map((line) => line.split(',')[7] ?? '');
  const vocabulary = [...new Set([...WORDS, ...references.join(' ').toLowerCase().split(/[^a-z]+/)].filter(Boolean))].sort();
  const rng = createRng(11);
  writeFileSync(file, vocabulary.map((w) => `${w} ${Array.from({ length: 16 }, () => (rng.next() * 2 - 1).toFixed(4)).join(' ')}`).join('\n') + '\n');
}

/** The `models:` block of the report tests' pipelines: the circumplex baseline and a priced model on the loopback server. */
export function modelsBlock(serverUrl: string): string {
  return `models:
  circumplex: { provider: circumplex }
  local: { provider: openai, model: test-model, baseURL: "${serverUrl}", temperature: 0, price: { inputPerMTok: 1, outputPerMTok: 2 } }`;
}

export function reportPipeline(serverUrl: string): string {
  return `version: 1
name: explorer-test
${modelsBlock(serverUrl)}
embedders:
  toy: { type: word-vectors, path: vectors.txt }
defaults: { seed: 7, concurrency: 8 }
nodes:
  items: { kind: extract, with: { table: "${TERMS}" } }
  classify-prompts:
    kind: prompt-variant
    needs: [items]
    with: { task: classify, labels: basic7, variants: { numeric: { format: numeric, precision: 2 }, lexical: { format: lexical } } }
  describe-prompts:
    kind: prompt-variant
    needs: [items]
    with: { task: describe, wordLimit: 20, variants: { numeric: { format: numeric, precision: 2 } } }
  classify: { kind: classify, needs: [classify-prompts], with: { models: [circumplex, local], labels: basic7 } }
  describe: { kind: describe, needs: [describe-prompts], with: { models: [local], wordLimit: 20 } }
  similarity: { kind: embed-score, needs: [describe], with: { embedders: [toy] } }
  scores: { kind: aggregate, needs: [classify, similarity] }
`;
}

export function startReportServer(): Promise<OpenAIServer> {
  const classify = styledResponder({ points: getLabelSet('basic7')!.points, styleOf });
  return startOpenAIServer({
    responder: (request) => (request.messages.some((m) => /Describe the facial expression/.test(m.content)) ? description(request) : classify(request)),
  });
}

/** Writes the pipeline, vectors and runs it in `dir`; returns the run folder. */
export async function makeReportRun(dir: string, serverUrl: string): Promise<{ runDir: string; runsDir: string }> {
  writeVectors(path.join(dir, 'vectors.txt'));
  const file = path.join(dir, 'pipeline.yaml');
  writeFileSync(file, reportPipeline(serverUrl));
  const runsDir = path.join(dir, 'runs');
  const result = await runPipeline({ file, runsDir, cacheDir: path.join(dir, 'cache'), env: {} });
  if (result.status !== 'completed') throw new Error(`fixture run ${result.status}: ${JSON.stringify(result.tasks)}`);
  return { runDir: result.runDir, runsDir };
}
