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

test('a writer that returns nothing is called at once, in order: settling the next entry writes it and every finished one after it', async () => {
  const written: number[] = [];
  const order = new InputOrder<number>({ window: 8, write: (n) => void written.push(n) });
  const seqs = [0, 1, 2, 3].map(() => order.tryAdmit()!);
  assert.deepEqual(seqs, [0, 1, 2, 3]);
  order.settle(2, 2);
  order.settle(1, 1);
  assert.deepEqual(written, [], 'nothing before entry 0');
  order.settle(0, 0);
  assert.deepEqual(written, [0, 1, 2], 'written before settle returned');
  assert.equal(order.outstanding, 1);
  order.settle(3, 3);
  assert.deepEqual(written, [0, 1, 2, 3]);
  await order.finished();
});

test('tryAdmit gives no number while the window is full; a write that waits holds the entries after it, in order', async () => {
  const written: number[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  // Entry 1's write waits (a writer under back-pressure); the others are written at once.
  const order = new InputOrder<number>({ window: 3, write: (n) => { written.push(n); return n === 1 ? held : undefined; } });
  for (let i = 0; i < 3; i++) assert.equal(order.tryAdmit(), i);
  assert.equal(order.tryAdmit(), undefined, 'the window is full');
  order.settle(0, 0);
  order.settle(1, 1);
  order.settle(2, 2);
  assert.deepEqual(written, [0, 1], 'entry 2 waits for entry 1\'s write');
  assert.equal(order.tryAdmit(), 3, 'entry 0 is written: room for one');
  order.settle(3, 3);
  const done = order.finished();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(written, [0, 1]);
  release();
  await done;
  assert.deepEqual(written, [0, 1, 2, 3]);
});

test('a writer that throws at once stops the sequence as a rejected write does', async () => {
  const full = new Error('no space left on device');
  const written: number[] = [];
  const order = new InputOrder<number>({ window: 4, write: (n) => { if (n === 1) throw full; written.push(n); } });
  for (let i = 0; i < 3; i++) order.tryAdmit();
  order.settle(0, 0);
  order.settle(1, 1);
  order.settle(2, 2);
  await assert.rejects(order.finished(), (e) => e === full);
  assert.throws(() => order.tryAdmit(), (e) => e === full);
  assert.deepEqual(written, [0]);
});
