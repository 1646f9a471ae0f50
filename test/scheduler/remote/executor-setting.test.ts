import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRedisUrl, resolveExecutor, showRedisUrl } from '../../../src/run/remote/executor-setting.js';
import { resumeCommand } from '../../../src/cli/resume-command.js';
import { redact } from '../../../src/util/redact.js';

test('the executor: --executor, else VAFLOW_EXECUTOR, else defaults.executor, else local', () => {
  const env = { VAFLOW_EXECUTOR: 'redis://env-host:6379' };
  assert.deepEqual(resolveExecutor({ flag: 'redis://flag-host:1', env, pipeline: 'redis://file-host:2' }), { kind: 'redis', url: 'redis://flag-host:1', shown: 'redis://flag-host:1' });
  assert.deepEqual(resolveExecutor({ env, pipeline: 'redis://file-host:2' }), { kind: 'redis', url: 'redis://env-host:6379', shown: 'redis://env-host:6379' });
  assert.deepEqual(resolveExecutor({ env: {}, pipeline: 'redis://file-host:2' }), { kind: 'redis', url: 'redis://file-host:2', shown: 'redis://file-host:2' });
  assert.deepEqual(resolveExecutor({ flag: 'local', env, pipeline: 'redis://file-host:2' }), { kind: 'local' });
  assert.deepEqual(resolveExecutor({ env: {} }), { kind: 'local' });
});

test('a Redis URL is checked, and its password is never shown', () => {
  assert.throws(() => parseRedisUrl('http://host:6379', '--executor'), /--executor: expected "local" or a redis:\/\/ or rediss:\/\/ URL, got a http:\/\/ URL/);
  assert.throws(() => parseRedisUrl('redis://host:6379/cache', 'VAFLOW_EXECUTOR'), /VAFLOW_EXECUTOR: the path of a Redis URL is a database number/);
  assert.throws(() => parseRedisUrl('redis//:pw-x@host', '--executor'), (error: Error) => !error.message.includes('pw-x'));
  const url = parseRedisUrl('rediss://:s3cr%2Ft-pw@host:6380/2', '--executor');
  assert.equal(url.shown, 'rediss://:***@host:6380/2');
  assert.equal(showRedisUrl('redis://user:pw@host'), 'redis://user:***@host');
  assert.ok(!redact('connecting with s3cr/t-pw failed').includes('s3cr/t-pw'), 'the decoded password is a registered secret');
});

test('the printed resume command names the executor, never its password', () => {
  assert.match(resumeCommand('RUN', { graceMs: '5000', executor: 'redis://:pw-y@q:6379' }, {}), /run --resume RUN --executor 'redis:\/\/:\*\*\*@q:6379'$/);
  assert.doesNotMatch(resumeCommand('RUN', { graceMs: '5000' }, {}), /--executor/);
});
