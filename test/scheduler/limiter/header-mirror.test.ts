import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderMirror, type Flight, type MirroredCall } from '../../../src/scheduler/limiter/header-mirror.js';

// The header mirror on its own: every method takes the time as an argument, so the expected levels
// are worked out by hand from the headers, the send order and the clock, not timed.

/** The n-th call sent (1-based), every call costing `cost` tokens up to it. */
const sent = (n: number, startedAt: number, cost = 100): MirroredCall => ({ startedAt, requestsSent: n, tokensSent: n * cost, cost });

const flight = (open: MirroredCall[], sentRequests: number, sentTokens: number): Flight => ({
  sent: { requests: sentRequests, tokens: sentTokens },
  inFlight: open.length,
  inFlightTokens: open.reduce((sum, c) => sum + c.cost, 0),
  open,
});

test('the mirror knows a limit once a window of either dimension was seen; until then it holds nothing back', () => {
  const mirror = new HeaderMirror();
  assert.equal(mirror.known, false);
  assert.equal(mirror.waitMs(1000, 0), 0);
  mirror.take(1000, 0); // nothing to take from
  mirror.sync('tokens', { limit: 60_000, remaining: 0 }, undefined, flight([], 0, 0), 0);
  assert.equal(mirror.known, true, 'tokens alone');
  assert.equal(mirror.requests, undefined);
  assert.equal(mirror.waitMs(0, 0), 0, 'a call of no tokens does not wait for the tokens');
  assert.equal(mirror.waitMs(1, 0), 1, 'one token at one a ms (the bucket it has seen holds one)');
  const other = new HeaderMirror();
  other.sync('requests', { limit: 60, remaining: 5 }, undefined, flight([], 0, 0), 0);
  assert.equal(other.known, true, 'requests alone');
  assert.equal(other.tokens, undefined);
});

test('an answer sets the level: its remaining, refilled since its call was sent, less what was sent after it and what was sent before it and is unanswered', () => {
  const mirror = new HeaderMirror();
  // Calls 1–8 sent; 3, 4 (before the answered call 5) and 6–8 (after it) are in flight.
  const answered = sent(5, 1000);
  const open = [sent(3, 900, 30), sent(4, 950, 70), answered, sent(6, 1100), sent(7, 1200), sent(8, 1300)];
  const now = 1500;
  // requests: 60 a minute, 10 left when call 5 arrived; 500 ms later the server refilled 0.5.
  mirror.sync('requests', { limit: 60, remaining: 10 }, answered, flight(open, 8, 800), now);
  assert.equal(mirror.requests!.perMinute, 60);
  assert.equal(mirror.requests!.capacity, 11, 'the bucket is as large as the most it showed left, plus the call that saw it');
  assert.equal(mirror.requests!.level(now), 10.5 - 3 - 2, 'refilled, less calls 6–8 (sent after) and 3–4 (sent before, unanswered)');
  // tokens: a first answer shows a bucket of 2001; then 500 left at call 5, refilled by 6000/min × 500 ms = 50.
  mirror.sync('tokens', { limit: 6000, remaining: 2000 }, sent(1, 0), flight([], 1, 100), 0);
  mirror.sync('tokens', { limit: 6000, remaining: 500 }, answered, flight(open, 8, 800), now);
  assert.equal(mirror.tokens!.capacity, 2001);
  assert.equal(mirror.tokens!.level(now), 550 - (800 - 500) - (30 + 70), 'refilled, less the tokens sent after it and those of calls 3–4');
});

test('the refill since the call was sent stops at the bucket\'s size', () => {
  const mirror = new HeaderMirror();
  const answered = sent(1, 0);
  // 60 a minute, 10 left, answered a minute later: 70 would be more than the 11 the bucket holds.
  mirror.sync('requests', { limit: 60, remaining: 10 }, answered, flight([answered], 1, 100), 60_000);
  assert.equal(mirror.requests!.level(60_000), 11);
});

test('an answer it cannot place counts as of now, with every other call in flight still to be counted (their share of the tokens)', () => {
  const now = 5000;
  const open = [sent(1, 0, 100), sent(2, 10, 300), sent(3, 20, 200), sent(4, 30, 400)];
  const mirror = new HeaderMirror();
  mirror.sync('requests', { limit: 600, remaining: 20 }, undefined, flight(open, 4, 1000), now);
  assert.equal(mirror.requests!.level(now), 20 - 3, 'no refill (taken as of now); the other 3 of the 4 in flight');
  mirror.sync('tokens', { limit: 60_000, remaining: 5000 }, undefined, flight(open, 4, 1000), now);
  assert.equal(mirror.tokens!.level(now), 5000 - (1000 * 3) / 4, 'three quarters of the tokens in flight');
  // Nothing in flight: the remaining as it is (no division by zero, no call less).
  const idle = new HeaderMirror();
  idle.sync('requests', { limit: 600, remaining: 20 }, undefined, flight([], 4, 1000), now);
  idle.sync('tokens', { limit: 60_000, remaining: 5000 }, undefined, flight([], 4, 1000), now);
  assert.equal(idle.requests!.level(now), 20);
  assert.equal(idle.tokens!.level(now), 5000);
});

test('an answer to a call sent before the one that last set a dimension is passed over; the same or a later one sets it', () => {
  const mirror = new HeaderMirror();
  const now = 1000;
  mirror.sync('requests', { limit: 600, remaining: 50 }, sent(5, now), flight([], 5, 500), now);
  mirror.sync('requests', { limit: 600, remaining: 2 }, sent(3, now), flight([], 5, 500), now);
  assert.equal(mirror.requests!.level(now), 50, 'the older answer changed nothing');
  // Dimensions are passed over separately: tokens were last set by no call yet.
  mirror.sync('tokens', { limit: 6000, remaining: 400 }, sent(3, now), flight([], 5, 500), now);
  assert.equal(mirror.tokens!.level(now), 400 - 200, 'less the tokens of calls 4 and 5, sent after call 3');
  // Answers that cannot be placed are as of the send count: the same count again sets the level.
  mirror.sync('requests', { limit: 600, remaining: 7 }, undefined, flight([], 5, 500), now);
  assert.equal(mirror.requests!.level(now), 7);
  mirror.sync('requests', { limit: 600, remaining: 4 }, undefined, flight([], 5, 500), now);
  assert.equal(mirror.requests!.level(now), 4);
  mirror.sync('requests', { limit: 600, remaining: 30 }, sent(4, now), flight([], 5, 500), now);
  assert.equal(mirror.requests!.level(now), 4, 'call 4 was sent before the count of 5 that set it');
});

test('the bucket\'s size is the most the server showed left (plus one), never above its limit, and is learnt again when the limit changes', () => {
  const mirror = new HeaderMirror();
  const now = 0;
  const sync = (limit: number, remaining: number) => mirror.sync('requests', { limit, remaining }, undefined, flight([], 1, 0), now);
  sync(60, 5);
  assert.equal(mirror.requests!.capacity, 6);
  sync(60, 9);
  assert.equal(mirror.requests!.capacity, 10, 'grows with what it shows');
  sync(60, 3);
  assert.equal(mirror.requests!.capacity, 10, 'a lower remaining is use, not a smaller bucket');
  assert.equal(mirror.requests!.level(now), 3);
  sync(60, 60);
  assert.equal(mirror.requests!.capacity, 60, 'never more than the limit');
  sync(120, 10);
  assert.equal(mirror.requests!.perMinute, 120, 'a new limit at once');
  assert.equal(mirror.requests!.capacity, 11, 'a new bucket, whose size is learnt again');
  assert.equal(mirror.requests!.level(now), 10);
  // A new limit whose first answer shows the same size: the rate still changes.
  sync(240, 10);
  assert.equal(mirror.requests!.perMinute, 240);
  assert.equal(mirror.requests!.capacity, 11);
  assert.equal(mirror.requests!.level(now + 125), 10.5, 'refilled at 240 a minute: half a call in 125 ms');
});

test('a call waits for its request and its tokens, plus 50 ms of the rate in hand; a call of no tokens waits for no tokens', () => {
  const mirror = new HeaderMirror();
  const now = 0;
  // 30,000 requests a minute (1 per 2 ms) and 600,000 tokens (10 per ms), large buckets, both empty.
  mirror.sync('requests', { limit: 30_000, remaining: 1000 }, undefined, flight([], 1, 0), now);
  mirror.sync('tokens', { limit: 600_000, remaining: 10_000 }, undefined, flight([], 1, 0), now);
  mirror.sync('requests', { limit: 30_000, remaining: 0 }, undefined, flight([], 1, 0), now);
  mirror.sync('tokens', { limit: 600_000, remaining: 0 }, undefined, flight([], 1, 0), now);
  assert.equal(mirror.waitMs(0, now), 2 * (1 + 25), 'one request and 50 ms of slack (25 requests) at one per 2 ms');
  assert.equal(mirror.waitMs(2000, now), (2000 + 500) / 10, 'the tokens take longer: 2,000 and 50 ms of slack at 10 a ms');
  assert.equal(mirror.waitMs(10, now), 52, 'the request takes longer than 510 tokens');
  // Refilled for 1.1 s; taking a call spends one request and its tokens.
  const later = 1100;
  assert.equal(mirror.waitMs(2000, later), 0);
  mirror.take(2000, later);
  assert.equal(mirror.requests!.level(later), 550 - 1);
  assert.equal(mirror.tokens!.level(later), 10_001 - 2000);
});
