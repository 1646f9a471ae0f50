import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputLineFor, outputRecord } from '../../src/scheduler/output-record.js';
import type { TaskNode } from '../../src/types/graph.js';
import type { FlowRecord } from '../../src/types/records.js';
import { createRng } from '../../src/stats/prng.js';

const task = { id: 'classify[model=m,variant=v]', nodeId: 'classify', coords: { variant: 'v', model: 'm' } } as unknown as TaskNode;
const lineOf = outputLineFor(task);

/** What the engine wrote before the splice, and still writes when outputLineFor declines. */
const stringified = (input: FlowRecord, fields: Record<string, unknown>) => JSON.stringify(outputRecord(input, fields, task));

/** An upstream record as its task wrote it and the next task reads it back: parsed from its line. */
const parsed = (line: string): FlowRecord => JSON.parse(line) as FlowRecord;

const prompt = parsed('{"id":"case-1","node":"prompts","coords":{"variant":"v"},"valence":-0.89,"arousal":0.52,"label":"sadness","messages":[{"role":"user","content":"Given valence -0.89\\u2028 \\"and\\" arousal 0.52"}]}');
const answer = JSON.parse('{"prediction":"anger","valid":true,"answer":"anger","labelSet":"basic7","finishReason":"stop","readerVersion":"3","usage":{"inputTokens":24,"outputTokens":1}}') as Record<string, unknown>;

test('a cached answer on an engine-written input is spliced into the very line stringifying the merged record gives', () => {
  assert.equal(lineOf(prompt, JSON.stringify(prompt), answer), stringified(prompt, answer));
  assert.equal(lineOf(prompt, JSON.stringify(prompt), {}), stringified(prompt, {}));
  const bare = parsed('{"id":"x","node":"cases","coords":{}}');
  assert.equal(lineOf(bare, JSON.stringify(bare), answer), stringified(bare, answer));
  assert.equal(lineOf(bare, JSON.stringify(bare), {}), stringified(bare, {}));
  const odd = parsed('{"id":"a\\"b\\u0001","node":"n\\\\","coords":{"k":"\\u00e9"},"x":1}');
  assert.equal(lineOf(odd, JSON.stringify(odd), { y: [1, { z: null }] }), stringified(odd, { y: [1, { z: null }] }));
});

test('whenever the splice might differ from the merged record, it declines (the caller stringifies the record)', () => {
  const declined: [string, FlowRecord, unknown][] = [
    // The merge keeps the input's position for a key both have, with the field's value.
    ['a field the input has', prompt, { ...answer, label: 'anger' }],
    ['a field named id', prompt, { id: 'other' }],
    ['a field named node', prompt, { node: 'other' }],
    ['a field named coords', prompt, { coords: {} }],
    // JavaScript puts array-index keys first in the merged record, wherever they were put.
    ['an array-index field', prompt, { 7: 'seven' }],
    // Object.assign sets a prototype for an own __proto__; JSON.stringify then leaves it out.
    ['a field named __proto__', prompt, JSON.parse('{"__proto__":{"x":1}}')],
    ['an input with its own __proto__', parsed('{"id":"a","node":"n","coords":{},"__proto__":{"x":1}}'), { y: 1 }],
    ['an input whose id is not first (a batch record)', parsed('{"group":"g","id":"a","node":"n","coords":{}}'), { y: 1 }],
    ['an input with an array-index key', parsed('{"id":"a","node":"n","coords":{},"3":"x"}'), { y: 1 }],
    ['an input without coords', parsed('{"id":"a","node":"n","x":1}'), { y: 1 }],
    ['fields that are an array', prompt, ['a']],
    ['fields that are null', prompt, null],
  ];
  for (const [what, input, fields] of declined) {
    assert.equal(lineOf(input, JSON.stringify(input), fields), undefined, what);
  }
});

test('random records and fields: every line the splice gives is the merged record\'s line, and plain ones are spliced', () => {
  const rng = createRng(20261201);
  const random = () => rng.next();
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const keys = ['label', 'valence', 'x', 'y', 'answer', '0', '12', 'id', 'node', 'coords', '__proto__', 'é', 'a"b', '4294967295'];
  const values: unknown[] = [1, -0.5, 'text', 'quote " and \\ and \u2028', null, true, [1, 'two'], { nested: { deep: [null] } }];
  const objectOf = (size: number, head: boolean): Record<string, unknown> => {
    const pairs: [string, unknown][] = head ? [['id', pick(['c1', 'c"2', 'c\u00e93'])], ['node', 'up'], ['coords', pick([{}, { variant: 'v' }])]] : [];
    for (let i = 0; i < size; i++) pairs.push([pick(keys), pick(values)]);
    // As a record comes back from a JSONL line: parsed from text, own keys only.
    return JSON.parse(`{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as Record<string, unknown>;
  };
  let spliced = 0;
  for (let round = 0; round < 3000; round++) {
    const input = objectOf(Math.floor(random() * 4), random() < 0.9) as FlowRecord;
    const fields = objectOf(Math.floor(random() * 4), false);
    const line = lineOf(input, JSON.stringify(input), fields);
    if (line === undefined) continue;
    spliced++;
    assert.equal(line, stringified(input, fields), `input ${JSON.stringify(input)}, fields ${JSON.stringify(fields)}`);
  }
  assert.ok(spliced > 500, `${spliced} of 3000 spliced`);
});
