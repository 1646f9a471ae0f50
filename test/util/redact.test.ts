import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretName, redact, redactJson, registerSecrets, REDACTED } from '../../src/util/redact.js';

test('redact: key shapes, Authorization credentials and URL passwords, wherever they sit in a message', () => {
  const cases: [string, string][] = [
    ['Incorrect API key provided: sk-proj-AbCdEf0123456789xyz.', `Incorrect API key provided: ${REDACTED}.`],
    ['authorization: Bearer eyJhbGciOi.J9-xyz_abc', `authorization: Bearer ${REDACTED}`],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', `Authorization: Basic ${REDACTED}`],
    ['via https://alice:s3cr3t-pass@proxy.example/v1 failed', `via https://alice:${REDACTED}@proxy.example/v1 failed`],
    ['hf_abcdefghijklmnopqrstu and ghp_abcdefghijklmnopqrstuv', `${REDACTED} and ${REDACTED}`],
    ['{"message":"bad key sk-abcdefghijklmnopqrstuvwxyz"}', `{"message":"bad key ${REDACTED}"}`],
  ];
  for (const [input, expected] of cases) assert.equal(redact(input), expected, input);
  // Words that merely contain a prefix, short tokens and plain URLs stay as they are.
  for (const kept of ['task-classification-prompts-v2', 'ask-me-anything-about-it', 'Bearer x', 'http://127.0.0.1:8080/v1', 'sk-short']) assert.equal(redact(kept), kept);
});

test('redact: registered values of any shape, longest first; values under 8 characters are not registered', () => {
  registerSecrets(['local-secret-value-7', 'local-secret-value-7-extended', 'short', undefined]);
  assert.equal(redact('key=local-secret-value-7-extended; again local-secret-value-7'), `key=${REDACTED}; again ${REDACTED}`);
  assert.equal(redact('a short word'), 'a short word');
  assert.deepEqual(redactJson({ tasks: { t: { reason: 'echo local-secret-value-7', n: 3 } }, list: ['sk-abcdefghijklmnopqrstuvwxyz', null] }), {
    tasks: { t: { reason: `echo ${REDACTED}`, n: 3 } },
    list: [REDACTED, null],
  });
});

test('isSecretName: variables whose names say they hold a secret', () => {
  for (const name of ['OPENAI_API_KEY', 'HF_TOKEN', 'DB_PASSWORD', 'AWS_SECRET', 'GITHUB_PAT', 'APIKEY']) assert.equal(isSecretName(name), true, name);
  for (const name of ['VAFLOW_OPENAI_BASE_URL', 'PATH', 'KEYBOARD', 'TOKENIZERS_PARALLELISM']) assert.equal(isSecretName(name), false, name);
});
