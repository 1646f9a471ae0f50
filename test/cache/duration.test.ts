import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/cache/duration.js';
import { UsageError } from '../../src/errors.js';

test('durations in s, m, h, d and w become milliseconds', () => {
  assert.equal(parseDuration('45s'), 45_000);
  assert.equal(parseDuration('90m'), 90 * 60_000);
  assert.equal(parseDuration('12h'), 12 * 3_600_000);
  assert.equal(parseDuration('30d'), 30 * 86_400_000);
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('0d'), 0);
});

test('anything else is a UsageError (exit code 2) quoting the input', () => {
  for (const bad of ['', '30', 'd', '30x', '-1d', '1.5h', '30 days', '3dd']) {
    assert.throws(
      () => parseDuration(bad),
      (error: unknown) => error instanceof UsageError && error.exitCode === 2 && error.message.includes(JSON.stringify(bad)),
      bad,
    );
  }
});

test('surrounding blanks are ignored; the error names the option it is for', () => {
  assert.equal(parseDuration(' 30d\n'), 30 * 86_400_000);
  assert.throws(() => parseDuration('soon'), { message: '--older-than: expected a duration such as 30d, 12h, 90m or 45s (units s, m, h, d, w), got "soon"' });
  assert.throws(() => parseDuration('soon', '--newer-than'), { message: /^--newer-than: expected a duration/ });
});
