import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { CallQueue } from '../../../src/scheduler/limiter/call-queue.js';

// The call queue on its own, in front of a gate the test controls, on node's mock clock (Date and
// setTimeout): which call starts when is asserted by stepping the clock, never by timing.

/** A gate whose delay the test sets per call cost; it records what it admitted and when. */
function gate(delay: (cost: number, now: number) => number) {
  const admitted: { cost: number; at: number }[] = [];
  let asked = 0;
  return {
    admitted,
    get asked() { return asked; },
    gate: {
      delay: (cost: number, now: number) => { asked++; return delay(cost, now); },
      admit: (cost: number, now: number) => { admitted.push({ cost, at: now }); return `ticket ${admitted.length}`; },
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function mockClock(t: TestContext, now = 1_000_000) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now });
}

test('a call nobody waits before and the gate allows (delay 0) gets its ticket at once, not a promise, taken as of now', (t) => {
  mockClock(t);
  const g = gate(() => 0);
  const queue = new CallQueue(g.gate);
  assert.equal(queue.enter(5, undefined), 'ticket 1');
  assert.deepEqual(g.admitted, [{ cost: 5, at: 1_000_000 }]);
  assert.equal(queue.waiting, 0);
});

test('a call the gate holds back waits its delay, then starts; one behind it waits its turn even when the gate would let it go', async (t) => {
  mockClock(t);
  let openAt = 1_000_000 + 300;
  const g = gate((cost, now) => (cost > 10 ? Math.max(0, openAt - now) : 0));
  const queue = new CallQueue(g.gate);
  const big = queue.enter(50, undefined);
  assert.ok(big instanceof Promise);
  const small = queue.enter(1, undefined);
  assert.ok(small instanceof Promise, 'a cheap call does not overtake the one waiting');
  assert.equal(queue.waiting, 2);
  t.mock.timers.tick(299);
  await settle();
  assert.deepEqual(g.admitted, []);
  t.mock.timers.tick(1);
  assert.equal(await big, 'ticket 1');
  assert.equal(await small, 'ticket 2');
  assert.deepEqual(g.admitted, [{ cost: 50, at: 1_000_300 }, { cost: 1, at: 1_000_300 }], 'both let go by one pump, each admitted as of then');
  assert.equal(queue.waiting, 0);
  openAt = 0;
});

test('a shorter wait learnt later replaces the pending timer: the call starts when the gate says, once', async (t) => {
  mockClock(t, 0);
  let openAt = 1000;
  const g = gate((_cost, now) => Math.max(0, openAt - now));
  const queue = new CallQueue(g.gate);
  const call = queue.enter(1, undefined);
  openAt = 100;
  queue.pump(); // the owner learnt something (a header): the call may go at 100
  t.mock.timers.tick(100);
  assert.equal(await call, 'ticket 1');
  assert.deepEqual(g.admitted, [{ cost: 1, at: 100 }]);
  const asked = g.asked;
  t.mock.timers.tick(2000);
  assert.equal(g.asked, asked, 'the first timer (1000 ms) was cleared: no pump from it');
});

test('a call waiting for a slot (delay Infinity) sets no timer: it starts when the owner pumps after a slot frees', async (t) => {
  mockClock(t, 0);
  let free = false;
  const g = gate(() => (free ? 0 : Infinity));
  const queue = new CallQueue(g.gate);
  const call = queue.enter(1, undefined);
  const asked = g.asked;
  t.mock.timers.tick(60_000);
  await settle();
  assert.equal(g.asked, asked, 'nothing polls the gate meanwhile');
  assert.equal(queue.waiting, 1);
  free = true;
  queue.pump();
  assert.equal(queue.waiting, 0, 'a pump lets it go at once, without a timer');
  assert.equal(await call, 'ticket 1');
});

test('an aborted call leaves the queue at once with its signal\'s reason, is never admitted, and lets the calls behind it go', async (t) => {
  mockClock(t, 0);
  const g = gate((cost) => (cost > 10 ? Infinity : 0));
  const queue = new CallQueue(g.gate);
  const head = new AbortController();
  const first = queue.enter(50, head.signal); // waits for a slot: the head of the queue
  const second = queue.enter(1, undefined);
  const middle = new AbortController();
  const third = queue.enter(50, middle.signal);
  assert.equal(queue.waiting, 3);
  head.abort(new Error('timed out'));
  await assert.rejects(first as Promise<string>, /timed out/);
  assert.equal(await second, 'ticket 1', 'the call behind it starts without waiting for another pump');
  assert.equal(queue.waiting, 1);
  middle.abort(new Error('interrupted'));
  await assert.rejects(third as Promise<string>, /interrupted/);
  assert.equal(queue.waiting, 0);
  assert.deepEqual(g.admitted.map((a) => a.cost), [1], 'no aborted call was admitted');
});

test('an admitted call leaves no listener on its signal', async (t) => {
  mockClock(t, 0);
  let free = false;
  const g = gate(() => (free ? 0 : Infinity));
  const queue = new CallQueue(g.gate);
  const controller = new AbortController();
  const call = queue.enter(1, controller.signal);
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  free = true;
  queue.pump();
  assert.equal(await call, 'ticket 1');
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
});

test('thousands of waiting calls start in the order they came, with the count of those waiting right throughout', async (t) => {
  mockClock(t, 0);
  let slots = 0;
  const g = gate(() => (slots > 0 ? 0 : Infinity));
  g.gate.admit = ((admit) => (cost: number, now: number) => { slots--; return admit(cost, now); })(g.gate.admit);
  const queue = new CallQueue(g.gate);
  const n = 3000;
  const order: number[] = [];
  const calls = Array.from({ length: n }, (_, i) => (queue.enter(i, undefined) as Promise<string>).then(() => order.push(i)));
  // Let them go in batches of 700, the queue's storage compacting itself along the way.
  for (let started = 0; started < n; started += 700) {
    slots = 700;
    queue.pump();
    assert.equal(queue.waiting, Math.max(0, n - started - 700));
  }
  await Promise.all(calls);
  assert.deepEqual(order, Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(g.admitted.map((a) => a.cost), Array.from({ length: n }, (_, i) => i));
  // The queue still works after compacting: a call that must wait, waits, and goes in turn.
  slots = 0;
  const late = queue.enter(-1, undefined);
  assert.equal(queue.waiting, 1);
  slots = 1;
  queue.pump();
  assert.equal(await late, `ticket ${n + 1}`);
});
