import type { FlowRecord } from '../types/records.js';
import type { TaskNode } from '../types/graph.js';

/** Output record: the input with the kind's fields merged in, re-labelled with this node and task coordinates. */
export function outputRecord(input: FlowRecord, fields: Readonly<Record<string, unknown>>, task: TaskNode): FlowRecord {
  // Identity keys first for readable JSONL; they must win over anything the input or the kind carried.
  const record: Record<string, unknown> = { id: input.id, node: task.nodeId, coords: task.coords };
  Object.assign(record, input, fields);
  record.node = task.nodeId;
  record.coords = task.coords;
  record.id = input.id;
  return record as FlowRecord;
}

/** A key JavaScript orders before every other key of an object (an array index), wherever it was put. */
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/**
 * `JSON.stringify(outputRecord(input, fields, task))` for one task, assembled from the input's JSON
 * text (`JSON.stringify(input)`, which the item's cache key was made from already) instead of
 * stringifying the input a second time inside the merged record. It returns undefined, and the
 * caller stringifies the record, whenever splicing might not give the same bytes:
 * - the input's text does not begin with its id, node and coords, in that order (a record not
 *   written by the engine, or one with array-index keys, which JavaScript orders first);
 * - `fields` is not a plain object, or one of its keys is also the input's (the merge keeps the
 *   input's position with the field's value; id, node and coords included), is an array index, or is
 *   `__proto__` (which Object.assign turns into a prototype, not a key); an input's own
 *   `__proto__` is refused for the same reason.
 * Otherwise the merged record's keys are id, node, coords, the input's other keys in its order, then
 * the fields' keys in theirs, and JSON.stringify writes each value the same wherever it stands.
 */
export function outputLineFor(task: TaskNode): (input: FlowRecord, inputJson: string, fields: unknown) => string | undefined {
  const relabelled = `,"node":${JSON.stringify(task.nodeId)},"coords":${JSON.stringify(task.coords)}`;
  return (input, inputJson, fields) => {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return undefined;
    const idJson = JSON.stringify(input.id);
    if (idJson === undefined || Object.hasOwn(input, '__proto__')) return undefined;
    const head = `{"id":${idJson},"node":${JSON.stringify(input.node)},"coords":${JSON.stringify(input.coords)}`;
    if (!inputJson.startsWith(head)) return undefined;
    for (const key of Object.keys(fields)) {
      // The input has id, node and coords (its text begins with them), so a field of that name is a clash too.
      if (key === '__proto__' || Object.hasOwn(input, key) || ARRAY_INDEX.test(key)) return undefined;
    }
    const fieldsJson = JSON.stringify(fields);
    // The input's other keys (",k:v,..." or nothing), then the fields' (the same), then the closing brace.
    const rest = inputJson.slice(head.length, -1);
    return `{"id":${idJson}${relabelled}${rest}${fieldsJson.length > 2 ? `,${fieldsJson.slice(1)}` : '}'}`;
  };
}
