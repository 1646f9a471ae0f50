import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputOrder } from '../../src/scheduler/input-order.js';

test('entries settled in any order are written in admission order', async () => {
  const written: number[] = [];
  const order = new InputOrder<number>({ window: 10, write: async (n) => void written.push(n) });
  const seqs = [];
  for (let i = 0; i < 6; i++) seqs.push(await order.admit());
  for (const seq of [3, 1, 5, 0, 4, 2]) order.settle(seq, seq * 10);
  await order.finished();
  assert.deepEqual(written, [0, 10, 20, 30, 40, 50]);
});

test('admit waits while `window` entries are unwritten, so one slow entry bounds the buffer', async () => {
  const written: number[] = [];
  const order = new InputOrder<number>({ window: 3, write: async (n) => void written.push(n) });
  const first = await order.admit();
  order.settle(await order.admit(), 1);
  order.settle(await order.admit(), 2);
  let fourth: number | undefined;
  const waiting = order.admit().then((seq) => (fourth = seq));
  await new Promise((r) => setImmediate(r));
  assert.equal(fourth, undefined, 'no fourth admission while entry 0 holds back two finished ones');
  assert.equal(order.outstanding, 3);
  order.settle(first, 0);
  await waiting;
  assert.equal(fourth, 3);
  order.settle(3, 3);
  await order.finished();
  assert.deepEqual(written, [0, 1, 2, 3]);
});

test('a failed write stops the sequence: admit and finished throw it, later results are dropped', async () => {
  const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
  const written: number[] = [];
  const order = new InputOrder<number>({ window: 4, write: async (n) => { if (n === 1) throw full; written.push(n); } });
  for (let i = 0; i < 3; i++) await order.admit();
  order.settle(0, 0);
  order.settle(1, 1);
  await assert.rejects(order.finished(), (e) => e === full);
  order.settle(2, 2);
  await assert.rejects(order.admit(), (e) => e === full);
  assert.deepEqual(written, [0]);
});
