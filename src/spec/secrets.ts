import type { LocatedIssue, SpecPath } from './issues.js';

/** Keys that would hold a secret value. `apiKeyEnv` (a variable *name*) is the allowed form. */
const secretKey = /^(api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|password|bearer)$/i;
/** Well-known key shapes: OpenAI/Anthropic `sk-`, Hugging Face `hf_`, GitHub `ghp_`, Google `AIza`, Slack `xox?-`. */
const secretValue = /^(?:sk-|sk_|hf_|ghp_|gho_|github_pat_|AIza|xox[abpr]-)[A-Za-z0-9_-]{16,}$/;
/** Shell-style interpolation of an environment variable: `${OPENAI_API_KEY}`. */
const interpolation = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/;

const useEnv = 'pipelines may only name environment variables: put the key in one and write apiKeyEnv: OPENAI_API_KEY';

export interface SecretFindings {
  readonly issues: LocatedIssue[];
  /** Where the secrets sit: schema messages at or below these paths are dropped so the value is never echoed. */
  readonly paths: SpecPath[];
}

/** Literal secrets anywhere in the file: a secret-named key, a key-shaped string, or `${VAR}` interpolation. */
export function findSecrets(value: unknown): SecretFindings {
  const issues: LocatedIssue[] = [];
  const paths: SpecPath[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      const interpolated = interpolation.exec(node);
      if (secretValue.test(node.trim())) {
        issues.push({ path, message: `this looks like a literal secret key; ${useEnv}` });
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
