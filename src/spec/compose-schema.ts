import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { JsonSchema, NodeKind } from '../types/node-kind.js';
import { BUILTIN_KINDS, loadKind, type BuiltinKindName } from '../kinds.js';
import { packageRoot } from '../util/paths.js';
import { isRecord } from '../util/is-record.js';

export const DEFS_ID = 'https://vaflow.dev/schemas/defs.schema.json';
export const COMPOSED_ID = 'https://vaflow.dev/schemas/pipeline.composed.schema.json';

interface SchemaFiles {
  readonly pipeline: JsonSchema;
  readonly defs: JsonSchema & { $defs: Record<string, JsonSchema> };
}

let files: SchemaFiles | undefined;

/** schemas/pipeline.schema.json and schemas/defs.schema.json, read once per process. */
export function schemaFiles(): SchemaFiles {
  files ??= {
    pipeline: JSON.parse(readFileSync(path.join(packageRoot, 'schemas/pipeline.schema.json'), 'utf8')) as JsonSchema,
    defs: JSON.parse(readFileSync(path.join(packageRoot, 'schemas/defs.schema.json'), 'utf8')) as SchemaFiles['defs'],
  };
  return files;
}

/** A deep copy of `schema` with every `$ref` passed through `rewrite`. */
export function mapRefs(schema: unknown, rewrite: (ref: string) => string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => mapRefs(item, rewrite));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === '$ref' && typeof value === 'string' ? rewrite(value) : mapRefs(value, rewrite);
  }
  return out;
}

const defsRef = /^(?:[^#]*\/)?defs\.schema\.json(#.*)$/;

/** The engine settings every node's `with` accepts, as properties referring to their definitions. */
function engineProperties(prefix: string): Record<string, JsonSchema> {
  const engine = schemaFiles().defs.$defs.engineSettings;
  const names = isRecord(engine?.properties) ? Object.keys(engine.properties) : [];
  return Object.fromEntries(names.map((name) => [name, { $ref: `${prefix}#/$defs/engineSettings/properties/${name}` }]));
}

function withEngineSettings(own: Record<string, unknown>, refPrefix: string): JsonSchema {
  const { $id: _id, $schema: _schema, ...rest } = own;
  const properties = isRecord(rest.properties) ? rest.properties : {};
  // The kind's own params first (`allowed:` lists read in that order); a kind's own definition wins.
  const engine = Object.entries(engineProperties(refPrefix)).filter(([name]) => !(name in properties));
  return { ...rest, type: rest.type ?? 'object', properties: { ...properties, ...Object.fromEntries(engine) } };
}

const paramsCache = new WeakMap<NodeKind, JsonSchema>();

/**
 * The schema a node's `with` must satisfy: the kind's params schema with the engine settings
 * (concurrency, retries, timeoutMs, maxErrorRate, retryBudget) added as properties. References to the
 * shared definitions are made absolute, so a local kind's schema resolves wherever its file lives.
 */
export function nodeParamsSchema(kind: NodeKind): JsonSchema {
  let schema = paramsCache.get(kind);
  if (!schema) {
    const own = mapRefs(kind.paramsSchema, (ref) => ref.replace(defsRef, `${DEFS_ID}$1`));
    schema = withEngineSettings(isRecord(own) ? own : {}, DEFS_ID);
    paramsCache.set(kind, schema);
  }
  return schema;
}

/** A kind's params schema for the composed document: shared refs → `#/$defs/x`, the kind's own `$defs` hoisted under `<kind>.<name>`. */
function composedParams(kindName: string, paramsSchema: JsonSchema, hoisted: Record<string, unknown>): JsonSchema {
  const local = mapRefs(paramsSchema, (ref) => {
    const shared = defsRef.exec(ref);
    if (shared) return shared[1] ?? ref;
    return ref.startsWith('#/$defs/') ? `#/$defs/${kindName}.${ref.slice('#/$defs/'.length)}` : ref;
  });
  const own = isRecord(local) ? local : {};
  const { $defs, ...rest } = own;
  if (isRecord($defs)) for (const [name, def] of Object.entries($defs)) hoisted[`${kindName}.${name}`] = def;
  return withEngineSettings(rest, '');
}

/**
 * The whole pipeline schema in one self-contained document (for editors): shared definitions inlined,
 * and each built-in kind's `with` constrained through if/then on `kind`.
 */
export async function composedSchema(): Promise<Record<string, unknown>> {
  const { pipeline, defs } = schemaFiles();
  const names = Object.keys(BUILTIN_KINDS) as BuiltinKindName[];
  const kinds = await Promise.all(names.map((name) => loadKind(name, packageRoot)));
  const $defs: Record<string, unknown> = { ...defs.$defs };
  const branches = kinds.map((kind, i) => {
    const name = names[i] ?? kind.name;
    $defs[`params.${name}`] = composedParams(name, kind.paramsSchema, $defs);
    return {
      if: { properties: { kind: { const: name } }, required: ['kind'] },
      then: { properties: { with: { $ref: `#/$defs/params.${name}` } } },
    };
  });
  const node = isRecord($defs.node) ? $defs.node : {};
  const nodeProperties = isRecord(node.properties) ? node.properties : {};
  $defs.node = {
    ...node,
    properties: { ...nodeProperties, kind: { ...(isRecord(nodeProperties.kind) ? nodeProperties.kind : {}), examples: names } },
    allOf: branches,
  };
  const inlined = mapRefs(pipeline, (ref) => defsRef.exec(ref)?.[1] ?? ref);
  return { ...(isRecord(inlined) ? inlined : {}), $id: COMPOSED_ID, $defs };
}
