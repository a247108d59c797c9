// The JS heaps the core is compared with, each driven through the two heap
// workloads. Every loop is written out per library on purpose: one shared loop
// calling q.push()/q.pop() on four different classes would make those call
// sites polymorphic and slow every library down. The loops are otherwise
// identical: same keys, same order, same checksum and disorder bookkeeping.
//
// hold(w, n, m): fill with w.keys[0..n) (not timed), then m times: read the
//   smallest key, pop it, push key + w.increments[i] (timed).
// pushPopAll(w, n): push w.keys[0..n) (timed), then pop all n (timed).
import FlatQueue from 'flatqueue';
import { Heap } from 'heap-js';
import TinyQueue from 'tinyqueue';
import { FourAryHeap } from '../../lib/js-4ary-heap.mjs';
import { keepAlive } from '../../lib/keep-alive.mjs';
import { nowMs } from '../../lib/measure.mjs';
import { Stopwatch } from '../../lib/stopwatch.mjs';

const byKey = (a, b) => a - b;

// One live, used instance of each class for the whole run: see keep-alive.mjs.
for (const q of [new FlatQueue(), new FourAryHeap()]) keepAlive(q).push(0, 0);
for (const q of [new TinyQueue([], byKey), new Heap(byKey)]) keepAlive(q).push(0);

function flatqueueHold({ keys, increments }, n, m) {
  const q = new FlatQueue();
  for (let i = 0; i < n; i++) q.push(i, keys[i]);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const watch = new Stopwatch();
  watch.start();
  for (let i = 0; i < m; i++) {
    const key = q.peekValue();
    const id = q.pop();
    q.push(id, key + increments[i]);
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  watch.stop();
  return { elapsedMs: watch.wallMs, cpuMs: watch.cpuMs, checksum, disorder };
}

function flatqueuePushPopAll({ keys }, n) {
  const q = new FlatQueue();
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const startMs = nowMs();
  for (let i = 0; i < n; i++) q.push(i, keys[i]);
  const pushedMs = nowMs();
  for (let i = 0; i < n; i++) {
    const key = q.peekValue();
    q.pop();
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  return { pushMs: pushedMs - startMs, popMs: nowMs() - pushedMs, checksum, disorder };
}

function tinyqueueHold({ keys, increments }, n, m) {
  const q = new TinyQueue([], byKey);
  for (let i = 0; i < n; i++) q.push(keys[i]);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const watch = new Stopwatch();
  watch.start();
  for (let i = 0; i < m; i++) {
    const key = q.pop();
    q.push(key + increments[i]);
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  watch.stop();
  return { elapsedMs: watch.wallMs, cpuMs: watch.cpuMs, checksum, disorder };
}

function tinyqueuePushPopAll({ keys }, n) {
  const q = new TinyQueue([], byKey);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const startMs = nowMs();
  for (let i = 0; i < n; i++) q.push(keys[i]);
  const pushedMs = nowMs();
  for (let i = 0; i < n; i++) {
    const key = q.pop();
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  return { pushMs: pushedMs - startMs, popMs: nowMs() - pushedMs, checksum, disorder };
}

function heapJsHold({ keys, increments }, n, m) {
  const q = new Heap(byKey);
  for (let i = 0; i < n; i++) q.push(keys[i]);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const watch = new Stopwatch();
  watch.start();
  for (let i = 0; i < m; i++) {
    const key = q.pop();
    q.push(key + increments[i]);
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  watch.stop();
  return { elapsedMs: watch.wallMs, cpuMs: watch.cpuMs, checksum, disorder };
}

function heapJsPushPopAll({ keys }, n) {
  const q = new Heap(byKey);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const startMs = nowMs();
  for (let i = 0; i < n; i++) q.push(keys[i]);
  const pushedMs = nowMs();
  for (let i = 0; i < n; i++) {
    const key = q.pop();
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  return { pushMs: pushedMs - startMs, popMs: nowMs() - pushedMs, checksum, disorder };
}

function fourAryHold({ keys, increments }, n, m) {
  const q = new FourAryHeap();
  for (let i = 0; i < n; i++) q.push(i, keys[i]);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const watch = new Stopwatch();
  watch.start();
  for (let i = 0; i < m; i++) {
    const key = q.peekKey();
    const id = q.pop();
    q.push(id, key + increments[i]);
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  watch.stop();
  return { elapsedMs: watch.wallMs, cpuMs: watch.cpuMs, checksum, disorder };
}

function fourAryPushPopAll({ keys }, n) {
  const q = new FourAryHeap();
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const startMs = nowMs();
  for (let i = 0; i < n; i++) q.push(i, keys[i]);
  const pushedMs = nowMs();
  for (let i = 0; i < n; i++) {
    const key = q.peekKey();
    q.pop();
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  return { pushMs: pushedMs - startMs, popMs: nowMs() - pushedMs, checksum, disorder };
}

/** Names as the tables show them; `js: true` marks the pure-JS peers the ratios compare against. */
export const JS_PEERS = [
  { name: 'flatqueue', js: true, hold: flatqueueHold, pushPopAll: flatqueuePushPopAll },
  { name: 'tinyqueue', js: true, hold: tinyqueueHold, pushPopAll: tinyqueuePushPopAll },
  { name: 'heap-js', js: true, hold: heapJsHold, pushPopAll: heapJsPushPopAll },
  { name: 'js-4ary', js: true, hold: fourAryHold, pushPopAll: fourAryPushPopAll },
];
