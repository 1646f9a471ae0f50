import type { ErrorObject } from 'ajv/dist/2020.js';
import type { LocatedIssue, SpecPath } from './issues.js';
import { describeValue, humanMessage, jsonType, literal } from './messages.js';

/** An ajv error, or a oneOf/anyOf group already reduced to one message at the group's place. */
interface Entry {
  readonly error: ErrorObject;
  readonly message?: string;
}

type Branch = Record<string, unknown>;

function within(instancePath: string, parent: string): boolean {
  return instancePath === parent || instancePath.startsWith(parent + '/');
}

/** `defs.schema.json#/$defs/x/type` → `defs.schema.json#`: errors behind a $ref carry the target document's path. */
function documentOf(schemaPath: string): string {
  return schemaPath.slice(0, schemaPath.indexOf('#') + 1);
}

/**
 * ajv (allErrors) pushes a oneOf/anyOf's branch errors right before the group's own error: walk back
 * while errors lie inside the group's instance and under its schema path (or behind a $ref).
 */
function belongsTo(group: ErrorObject, candidate: ErrorObject): boolean {
  if (!within(candidate.instancePath, group.instancePath)) return false;
  return candidate.schemaPath.startsWith(group.schemaPath + '/') || documentOf(candidate.schemaPath) !== documentOf(group.schemaPath);
}

function branchIndex(group: ErrorObject, entry: Entry): number | undefined {
  const prefix = group.schemaPath + '/';
  if (!entry.error.schemaPath.startsWith(prefix)) return undefined;
  const index = Number.parseInt(entry.error.schemaPath.slice(prefix.length), 10);
  return Number.isNaN(index) ? undefined : index;
}

function typesOf(branch: Branch): string[] | undefined {
  if (typeof branch.type === 'string') return [branch.type];
  if (Array.isArray(branch.type)) return branch.type.map(String);
  const values = Array.isArray(branch.enum) ? branch.enum : 'const' in branch ? [branch.const] : undefined;
  return values?.map(jsonType);
}

function accepts(branch: Branch, value: unknown): boolean {
  const types = typesOf(branch);
  if (!types) return true;
  const type = jsonType(value);
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

function describeBranch(branch: Branch): string {
  if (Array.isArray(branch.enum)) return `one of ${branch.enum.map(literal).join(', ')}`;
  if ('const' in branch) return literal(branch.const);
  if (typeof branch.$ref === 'string') return branch.$ref.split('/').pop() ?? 'a definition';
  return typesOf(branch)?.join(' or ') ?? 'an alternative';
}

/** Branches that only require a key (`oneOf: [{required: [table]}, {required: [images]}]`). */
function requiredKeys(branches: readonly Branch[]): string[] | undefined {
  const keys: string[] = [];
  for (const branch of branches) {
    const names = Object.keys(branch);
    if (names.length !== 1 || !Array.isArray(branch.required)) return undefined;
    keys.push(...branch.required.map(String));
  }
  return keys;
}

function collapse(group: ErrorObject, claimed: readonly Entry[]): Entry[] {
  const branches: Branch[] = Array.isArray(group.schema) ? group.schema.filter((b): b is Branch => b !== null && typeof b === 'object') : [];
  const exclusive = requiredKeys(branches);
  const passing: unknown = group.params.passingSchemas;
  if (Array.isArray(passing)) {
    const message = exclusive ? `give only one of: ${exclusive.join(', ')}` : `matches ${passing.length} alternatives; it must match exactly one`;
    return [{ error: group, message }];
  }
  if (exclusive) return [{ error: group, message: `missing one of the keys: ${exclusive.join(', ')}` }];
  const candidates = branches.flatMap((branch, i) => (accepts(branch, group.data) ? [i] : []));
  if (candidates.length === 0) {
    return [{ error: group, message: `expected ${branches.map(describeBranch).join(' or ')}; got ${describeValue(group.data)}` }];
  }
  const chosen = candidates[0];
  const kept = claimed.filter((entry) => {
    const index = branchIndex(group, entry);
    return index === undefined || index === chosen;
  });
  return kept.length > 0 ? kept : [{ error: group, message: `does not match the expected form (${branches.map(describeBranch).join(', or ')})` }];
}

/** JSON pointer → path, with array indexes as numbers (read off the validated data). */
function pointerToPath(pointer: string, data: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let current: unknown = data;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

/**
 * ajv's errors as user-facing issues, paths relative to `data`. oneOf/anyOf noise becomes one message;
 * a wrong type hides whatever else was said about the same value.
 */
export function ajvIssues(errors: readonly ErrorObject[] | null | undefined, data: unknown): LocatedIssue[] {
  const entries: Entry[] = [];
  for (const error of errors ?? []) {
    if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') {
      entries.push({ error });
      continue;
    }
    const claimed: Entry[] = [];
    for (let last = entries.at(-1); last && belongsTo(error, last.error); last = entries.at(-1)) claimed.unshift(entries.pop() ?? last);
    entries.push(...collapse(error, claimed));
  }
  const wrongType = new Set(entries.filter((e) => e.error.keyword === 'type' && !e.message).map((e) => e.error.instancePath));
  const issues: LocatedIssue[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const { error } = entry;
    if (wrongType.has(error.instancePath) && (error.keyword !== 'type' || entry.message)) continue;
    const human = entry.message ? { message: entry.message } : humanMessage(error);
    if (!human) continue;
    const base: SpecPath = pointerToPath(error.instancePath, data);
    const path = human.child === undefined ? base : [...base, human.child];
    const key = JSON.stringify([path, human.message]);
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message: human.message, target: human.target });
  }
  return issues;
}
