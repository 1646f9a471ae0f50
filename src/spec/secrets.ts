import { isScalar, visit, type Document } from 'yaml';
import { KEY_SHAPE, MIN_SECRET_LENGTH, URL_PASSWORD } from '../util/redact.js';
import type { LocatedIssue, SpecPath } from './issues.js';

/** Keys that would hold a secret value. `apiKeyEnv` (a variable *name*) is the allowed form. */
const secretKey = /^(api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|password|bearer)$/i;
/** A well-known key shape anywhere in a string (src/util/redact.ts: sk-…, hf_…, ghp_…, AIza…, xoxb-…). */
const secretValue = new RegExp(KEY_SHAPE.source);
/** `scheme://user:password@host`. */
const urlCredentials = new RegExp(URL_PASSWORD.source, 'i');
/** Shell-style interpolation of an environment variable: `${OPENAI_API_KEY}`. */
const interpolation = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/;

const useEnv = 'pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY';

export interface SecretFindings {
  readonly issues: LocatedIssue[];
  /** Where the secrets sit: schema messages at or below these paths are dropped so the value is never echoed. */
  readonly paths: SpecPath[];
}

/** Literal secrets in the file's values: a secret-named key, a key-shaped string or a URL password anywhere in a value, or `${VAR}` interpolation. */
export function findSecrets(value: unknown): SecretFindings {
  const issues: LocatedIssue[] = [];
  const paths: SpecPath[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      const interpolated = interpolation.exec(node);
      if (secretValue.test(node)) {
        issues.push({ path, message: `this looks like a literal secret key; ${useEnv}` });
        paths.push(path);
      } else if (urlCredentials.test(node)) {
        issues.push({ path, message: `a URL with a password (user:…@host) puts a credential in the pipeline file; give the server's key through apiKeyEnv instead` });
        paths.push(path);
      } else if (interpolated) {
        issues.push({ path, message: `environment interpolation (${interpolated[0]}) is not supported; ${useEnv}` });
        paths.push(path);
      }
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i]));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      if (secretKey.test(key)) {
        issues.push({ path: [...path, key], target: 'key', message: `"${key}" would hold a literal secret; ${useEnv}` });
        paths.push([...path, key]);
      } else {
        walk(child, [...path, key]);
      }
    }
  };
  walk(value, []);
  return { issues, paths };
}

/** Start and end offsets of every scalar (keys and values) in the document. */
function scalarRanges(doc: Document.Parsed): [number, number][] {
  const ranges: [number, number][] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (node.range) ranges.push([node.range[0], node.range[1]]);
    },
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.range) ranges.push([pair.key.range[0], pair.key.range[1]]);
    },
  });
  return ranges;
}

/**
 * Secrets the value walk cannot see: key shapes and URL passwords in comments, and (when the
 * environment is known) the value of a secret variable written anywhere in the file. Positioned
 * by offset; the secret itself is never repeated in the message.
 */
export function findSecretsInText(options: { text: string; doc: Document.Parsed; known?: ReadonlyMap<string, string> }): LocatedIssue[] {
  const { text } = options;
  const ranges = scalarRanges(options.doc);
  const inScalar = (offset: number) => ranges.some(([start, end]) => offset >= start && offset < end);
  const issues: LocatedIssue[] = [];
  for (const match of text.matchAll(KEY_SHAPE)) {
    if (!inScalar(match.index)) issues.push({ path: [], offset: match.index, message: `a comment holds what looks like a literal secret key; remove it (the pipeline file is copied into every run folder); ${useEnv}` });
  }
  for (const match of text.matchAll(URL_PASSWORD)) {
    if (!inScalar(match.index)) issues.push({ path: [], offset: match.index, message: 'a comment holds a URL with a password (user:…@host); remove it (the pipeline file is copied into every run folder)' });
  }
  for (const [variable, value] of options.known ?? []) {
    if (value.length < MIN_SECRET_LENGTH || new RegExp(KEY_SHAPE.source).test(value)) continue; // too short to tell; or reported as a key shape
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
      issues.push({ path: [], offset: at, message: `this is the value of the environment variable ${variable}, a secret; ${useEnv}` });
    }
  }
  return issues;
}
