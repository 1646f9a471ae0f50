import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { runCli, VAFLOW_BIN } from '../helpers/cli.js';
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

test('help lists every command in order; `vaflow <command> --help` (only that command loaded) prints what `vaflow help <command>` (all loaded) prints', async () => {
  const help = await runCli(['--help'], { cwd: packageRoot });
  assert.equal(help.code, 0);
  const listed = [...help.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
  assert.deepEqual(listed, ['validate', 'schema', 'plan', 'run', 'runs', 'cache', 'report', 'compare', 'view', 'import', 'worker', 'workers', 'help']);
  for (const command of ['validate', 'run', 'runs', 'cache', 'import']) {
    const [own, viaHelp] = await Promise.all([runCli([command, '--help'], { cwd: packageRoot }), runCli(['help', command], { cwd: packageRoot })]);
    assert.equal(own.code, 0);
    assert.equal(own.stdout, viaHelp.stdout, command);
    assert.match(own.stdout, new RegExp(`^Usage: vaflow ${command} `));
  }
  const typo = await runCli(['valdate', 'p.yaml'], { cwd: packageRoot });
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown command 'valdate'\n\(Did you mean validate\?\)/);
});
