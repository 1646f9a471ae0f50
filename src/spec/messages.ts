import type { ErrorObject } from 'ajv/dist/2020.js';

/** `string "x"`, `number 1.5`, `null`, `array`, `object`: what arrived, in a few words. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (typeof value === 'string') return `string ${quote(value)}`;
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'integer' : 'number'} ${value}`;
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${String(value)}`;
}

/** JSON-quoted, cut to 60 characters so a pasted blob does not flood the terminal. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function literal(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function schemaOf(error: ErrorObject): Record<string, unknown> {
  const parent: unknown = error.parentSchema;
  return parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>) : {};
}

/** Keys a schema object declares, for `unknown key "x" (allowed: ...)`. */
export function allowedKeys(schema: Record<string, unknown>): string[] {
  const properties = schema.properties;
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}

/**
 * YAML slips that still parse, so only the schema sees them: `kind:extract` (no space after the
 * colon) is one string, `-a` (no space after the dash) is not a list item.
 */
export function yamlSlipHint(text: string, expected: string): string {
  const glued = /^([A-Za-z_][\w-]*):(?!\/\/)(\S.*)$/.exec(text);
  if (glued && expected.includes('object')) return `; is a space missing after the colon? (write "${glued[1]}: ${glued[2]}")`;
  if (/^-\S/.test(text) && expected.includes('array')) return '; a list item needs a space after the dash ("- item")';
  return '';
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Where a message points, relative to the error's instance path. */
export interface Human {
  readonly message: string;
  /** Extra segment below instancePath (the unknown key, the duplicate item's index). */
  readonly child?: string | number;
  readonly target?: 'key' | 'value';
}

/** One ajv error in words a user can act on; undefined for errors that only repeat another one. */
export function humanMessage(error: ErrorObject): Human | undefined {
  const { data, params } = error;
  const schema = schemaOf(error);
  const limit: unknown = params.limit;
  if (error.propertyName !== undefined) {
    const name = error.propertyName;
    const rule = typeof schema.description === 'string' ? schema.description : (humanMessage({ ...error, propertyName: undefined })?.message ?? 'not allowed');
    return { message: `invalid name ${quote(name)}: ${rule}`, child: name, target: 'key' };
  }
  switch (error.keyword) {
    case 'propertyNames':
    case 'if':
      return undefined;
    case 'required':
      return { message: `missing required key "${String(params.missingProperty)}"` };
    case 'dependentRequired':
      return { message: `key "${String(params.property)}" needs "${String(params.missingProperty)}" as well` };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const key = String(params.additionalProperty ?? params.unevaluatedProperty);
      const allowed = allowedKeys(schema);
      return { message: `unknown key "${key}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}${yamlSlipHint(key, 'object')}`, child: key, target: 'key' };
    }
    case 'type': {
      const types = Array.isArray(params.type) ? params.type.join(' or ') : String(params.type);
      return { message: `expected ${types}, got ${describeValue(data)}${typeof data === 'string' ? yamlSlipHint(data, types) : ''}` };
    }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues.map(literal).join(', ') : '';
      return { message: `expected one of: ${allowed}; got ${typeof data === 'string' ? quote(data) : describeValue(data)}` };
    }
    case 'const':
      return { message: `expected ${literal(params.allowedValue)}, got ${typeof data === 'string' ? quote(data) : describeValue(data)}` };
    case 'minimum':
      return { message: `must be ≥ ${String(limit)}, got ${String(data)}` };
    case 'maximum':
      return { message: `must be ≤ ${String(limit)}, got ${String(data)}` };
    case 'exclusiveMinimum':
      return { message: `must be > ${String(limit)}, got ${String(data)}` };
    case 'exclusiveMaximum':
      return { message: `must be < ${String(limit)}, got ${String(data)}` };
    case 'multipleOf':
      return { message: `must be a multiple of ${String(params.multipleOf)}, got ${String(data)}` };
    case 'minLength':
      return { message: limit === 1 ? 'must not be empty' : `must be at least ${count(Number(limit), 'character')} long` };
    case 'maxLength':
      return { message: `must be at most ${count(Number(limit), 'character')} long, got ${String(typeof data === 'string' ? data.length : '?')}` };
    case 'pattern': {
      const shown = typeof data === 'string' ? quote(data) : describeValue(data);
      return { message: typeof schema.description === 'string' ? `invalid value ${shown}: ${schema.description}` : `${shown} does not match /${String(params.pattern)}/` };
    }
    case 'format':
      return { message: `expected ${params.format === 'uri' ? 'a URL such as http://localhost:8080/v1' : `format ${String(params.format)}`}, got ${describeValue(data)}` };
    case 'minItems': {
      const got = Array.isArray(data) ? data.length : 0;
      if (limit === 1) return { message: 'must not be empty' };
      const exact = schema.maxItems === limit ? 'exactly' : 'at least';
      return { message: `expected ${exact} ${count(Number(limit), 'item')}, got ${got}` };
    }
    case 'maxItems': {
      const got = Array.isArray(data) ? data.length : 0;
      const exact = schema.minItems === limit ? 'exactly' : 'at most';
      return { message: `expected ${exact} ${count(Number(limit), 'item')}, got ${got}` };
    }
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const earlier = Math.min(Number(params.i), Number(params.j));
      const item: unknown = Array.isArray(data) ? data[later] : undefined;
      return { message: `duplicate ${typeof item === 'string' ? quote(item) : 'item'} (same as [${earlier}])`, child: later };
    }
    case 'minProperties':
      return { message: limit === 1 ? 'must not be empty' : `expected at least ${count(Number(limit), 'key')}` };
    case 'maxProperties':
      return { message: `expected at most ${count(Number(limit), 'key')}` };
    case 'false schema':
      return { message: 'not allowed here' };
    default:
      return { message: error.message ?? `fails ${error.keyword}` };
  }
}
