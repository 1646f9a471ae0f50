import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycles } from '../../src/spec/cycles.js';

test('cycles are printed in needs order at the edge that closes them; unknown ids are ignored', () => {
  const needs = new Map<string, string[]>([
    ['a', ['b']],
    ['b', ['c', 'ghost']],
    ['c', ['a']],
    ['d', ['d']],
    ['e', ['a']],
  ]);
  assert.deepEqual(findCycles(needs), [
    { path: ['nodes', 'c', 'needs', 0], message: 'cycle: a → b → c → a' },
    { path: ['nodes', 'd', 'needs', 0], message: 'cycle: d → d' },
  ]);
});

test('a diamond is not a cycle', () => {
  const needs = new Map<string, string[]>([['top', []], ['l', ['top']], ['r', ['top']], ['bottom', ['l', 'r']]]);
  assert.deepEqual(findCycles(needs), []);
});
