#!/usr/bin/env node
// Generates docs/pipeline-reference.md (every key, type, default, description) from the JSON Schemas:
// schemas/pipeline.schema.json, schemas/defs.schema.json and each nodes/<kind>/params.schema.json, and
// schemas/pipeline.composed.schema.json (the one-file schema editors load; same as `vaflow schema`).
// `node scripts/gen-reference.js` writes them; `--check` exits 1 when a committed file is stale.
import { readFile, writeFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const readJson = async (file) => JSON.parse(await readFile(path.join(root, file), 'utf8'));
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const cell = (text) => String(text ?? '').replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|');
const code = (text) => '`' + String(text).replaceAll('`', "'") + '`';
const anchor = (name) => name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

/** `… @default X` → { text: '…', fallback: 'X' } (schemas document defaults in descriptions). */
function splitDefault(description, schema) {
  const match = /@default\s+(.*)$/s.exec(description ?? '');
  const text = match ? (description ?? '').slice(0, match.index).trim() : (description ?? '');
  const fallback = schema.default !== undefined ? JSON.stringify(schema.default) : match?.[1]?.trim() ?? '';
  return { text, fallback };
}

/** A `$ref` → the definition's name, when it points into shared or local `$defs`. */
function refName(ref) {
  const match = /#\/\$defs\/([^/]+)(?:\/properties\/([^/]+))?$/.exec(ref);
  return match ? { def: match[1], property: match[2] } : undefined;
}

function typeOf(schema, ctx) {
  if (!isObject(schema)) return schema === true ? 'any' : 'never';
  if (schema.$ref) {
    const ref = refName(schema.$ref);
    if (!ref) return code(schema.$ref);
    const local = !/defs\.schema\.json/.test(schema.$ref) && ctx.localDefs?.[ref.def];
    if (ref.property) return typeOf(ctx.defs[ref.def]?.properties?.[ref.property], ctx);
    return local ? `[${ref.def}](#${anchor(`${ctx.kind}-${ref.def}`)})` : `[${ref.def}](#${anchor(ref.def)})`;
  }
  if ('const' in schema) return code(JSON.stringify(schema.const));
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => code(JSON.stringify(v))).join(' | ');
  for (const key of ['oneOf', 'anyOf']) if (Array.isArray(schema[key])) return schema[key].map((s) => typeOf(s, ctx)).join(' or ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const parts = types.map((type) => {
    if (type === 'array') return `array of ${schema.items ? typeOf(schema.items, ctx) : 'any'}`;
    if (type === 'object' && isObject(schema.additionalProperties) && !schema.properties) return `map of ${typeOf(schema.additionalProperties, ctx)}`;
    return type;
  });
  return parts.join(' or ') || 'any';
}

function constraints(schema) {
  const out = [];
  if (schema.minimum !== undefined) out.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) out.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) out.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minItems !== undefined) out.push(`min ${schema.minItems} items`);
  if (schema.maxItems !== undefined) out.push(`max ${schema.maxItems} items`);
  if (schema.minLength > 1) out.push(`min length ${schema.minLength}`);
  if (schema.minProperties !== undefined) out.push(`min ${schema.minProperties} keys`);
  if (schema.uniqueItems) out.push('unique');
  if (schema.pattern) out.push(`pattern ${code(schema.pattern)}`);
  if (schema.format) out.push(`format ${schema.format}`);
  return out.length ? ` (${out.join(', ')})` : '';
}

/** A table of an object schema's keys, then a sub-section for each inline object with its own keys. */
function objectTable(title, schema, ctx, level) {
  const lines = [];
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  if (Object.keys(properties).length === 0) return lines;
  lines.push('| key | type | default | description |', '|---|---|---|---|');
  const nested = [];
  for (const [key, prop] of Object.entries(properties)) {
    const target = prop.$ref && refName(prop.$ref)?.property ? ctx.defs[refName(prop.$ref).def]?.properties?.[refName(prop.$ref).property] ?? prop : prop;
    const { text, fallback } = splitDefault(prop.description ?? target.description, target);
    const name = required.has(key) ? `${code(key)} **(required)**` : code(key);
    lines.push(`| ${name} | ${cell(typeOf(prop, ctx) + constraints(target))} | ${cell(fallback && code(fallback))} | ${cell(text)} |`);
    if (isObject(prop.properties)) nested.push([`${title}.${key}`, prop]);
  }
  for (const [nestedTitle, prop] of nested) lines.push('', `${'#'.repeat(level + 1)} ${code(nestedTitle)}`, '', ...objectTable(nestedTitle, prop, ctx, level + 1));
  return lines;
}

function section({ heading, schema, ctx, level }) {
  const lines = [`${'#'.repeat(level)} ${heading}`, ''];
  if (schema.description) lines.push(cell(schema.description), '');
  if (!isObject(schema.properties)) lines.push(`Type: ${typeOf(schema, ctx)}${constraints(schema)}.`, '');
  const table = objectTable(heading.replaceAll('`', ''), schema, ctx, level);
  if (table.length) lines.push(...table, '');
  return lines;
}

async function kindSchemas() {
  const dirs = (await readdir(path.join(root, 'nodes'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const out = [];
  for (const name of dirs) {
    const file = `nodes/${name}/params.schema.json`;
    if (existsSync(path.join(root, file))) out.push({ name, file, schema: await readJson(file) });
  }
  return out;
}

async function reference() {
  const pipeline = await readJson('schemas/pipeline.schema.json');
  const defsFile = await readJson('schemas/defs.schema.json');
  const defs = defsFile.$defs ?? {};
  const ctx = { defs };
  const lines = [
    '# Pipeline reference',
    '',
    '<!-- Generated by scripts/gen-reference.js from schemas/*.schema.json and nodes/*/params.schema.json. Do not edit; run `node scripts/gen-reference.js`. -->',
    '',
    'A pipeline is one YAML file. Unknown keys are errors everywhere; `vaflow validate FILE` prints every problem as `file:line:col  path: message`.',
    'Defaults below are applied by the engine or the kind when a key is left out.',
    '',
    '## Editor support',
    '',
    'Start a pipeline with this line to get completion and checking in editors that use yaml-language-server (VS Code YAML, Neovim, …):',
    '',
    '```yaml',
    '# yaml-language-server: $schema=../schemas/pipeline.composed.schema.json',
    '```',
    '',
    'The path is relative to the pipeline file (the line above fits `pipelines/*.yaml`). `schemas/pipeline.composed.schema.json` is the same document `vaflow schema` prints: the pipeline schema with shared definitions inlined and each built-in kind\'s `with` checked through `kind`.',
    '',
    ...section({ heading: 'Top level', schema: pipeline, ctx, level: 2 }),
    '## Definitions',
    '',
  ];
  for (const [name, schema] of Object.entries(defs)) lines.push(...section({ heading: name, schema, ctx, level: 3 }));
  lines.push('## Node kinds', '', 'Every kind\'s `with` also accepts the [engine settings](#enginesettings) (`concurrency`, `retries`, `timeoutMs`, `maxErrorRate`, `retryBudget`), overriding `defaults` for that node. `matrix: { param: [values] }` runs the node once per value of a param.', '');
  for (const { name, file, schema } of await kindSchemas()) {
    const kindCtx = { defs, kind: name, localDefs: schema.$defs };
    lines.push(`### ${name}`, '', `Schema: ${code(file)}${schema.title ? ` (${schema.title})` : ''}.`, '');
    if (schema.description) lines.push(cell(schema.description), '');
    if (Array.isArray(schema.oneOf) && schema.oneOf.every((b) => Array.isArray(b.required))) {
      lines.push(`Give exactly one of: ${schema.oneOf.flatMap((b) => b.required).map(code).join(', ')}.`, '');
    }
    lines.push(...objectTable(name, schema, kindCtx, 3), '');
    for (const [defName, def] of Object.entries(schema.$defs ?? {})) {
      lines.push(...section({ heading: `${name}-${defName}`, schema: def, ctx: kindCtx, level: 4 }));
    }
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

/** The composed schema, from the TypeScript source through tsx (the same code `vaflow schema` runs). */
async function composed() {
  const { tsImport } = await import('tsx/esm/api');
  const mod = await tsImport(pathToFileURL(path.join(root, 'src/spec/compose-schema.ts')).href, import.meta.url);
  return JSON.stringify(await mod.composedSchema(), null, 2) + '\n';
}

let stale = 0;
for (const [file, make] of [['docs/pipeline-reference.md', reference], ['schemas/pipeline.composed.schema.json', composed]]) {
  const text = await make();
  const target = path.join(root, file);
  const current = existsSync(target) ? await readFile(target, 'utf8') : '';
  if (current === text) continue;
  if (check) {
    console.error(`stale: ${file} (run \`node scripts/gen-reference.js\`)`);
    stale++;
    continue;
  }
  await writeFile(target, text);
  console.log(`wrote ${file}`);
}
process.exit(stale ? 1 : 0);
