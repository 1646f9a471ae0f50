import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { VAFLOW_BIN } from '../helpers/cli.js';
import { packageRoot } from '../../src/util/paths.js';

test('a reader that closes the pipe early (vaflow schema | head -c 10) ends the CLI quietly', async () => {
  const child = spawn(process.execPath, [VAFLOW_BIN, 'schema'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 0);
  assert.equal(stderr, '', 'no EPIPE stack trace');
});

test('an unknown command is a usage error with exit code 2 and no stack trace', async () => {
  const child = spawn(process.execPath, [VAFLOW_BIN, 'frobnicate'], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 2);
  assert.match(stderr, /unknown command 'frobnicate'/);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
