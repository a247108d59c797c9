// Before anything is timed, each structure is driven by the same random
// operations as a small JavaScript model and must agree with it at every step:
// insert and cancel results, pending counts, nextDue, and the ids every
// advance releases (in exact (due, sequence) order for ordered structures, as
// a set for the FIFO wheel). The operations reach the wheel's corners: due
// times already past, equal and fractional due times, advances within a tick
// and across many cascades, and due times beyond the top level (overflow),
// reached by jumps of up to 2^40 ms.
import { mulberry32 } from '../../lib/random.mjs';
import { hashId, instantiate, loggedIds } from './modules.mjs';

const CAPACITY = 2048;
const TOP_SPAN_MS = 2 ** 36;

function fail(label, step, what) {
  throw new Error(`timer-structure model check, ${label}, step ${step}: ${what}`);
}

function pickDelay(random) {
  const r = random();
  if (r < 0.1) return 0;
  if (r < 0.3) return Math.floor(random() * 64);
  if (r < 0.45) return random() * 64; // fractional
  if (r < 0.65) return Math.floor(random() * 5000);
  if (r < 0.8) return Math.floor(random() * 400000);
  if (r < 0.9) return Math.floor(random() * 2 ** 30);
  return TOP_SPAN_MS * (0.5 + random() * 8); // around and beyond the top level
}

function pickStep(random) {
  const r = random();
  if (r < 0.4) return Math.floor(random() * 3);
  if (r < 0.6) return random() * 2; // fractional now
  if (r < 0.85) return Math.floor(random() * 300);
  if (r < 0.97) return Math.floor(random() * 300000);
  return Math.floor(random() * 2 ** 40);
}

/** Ids due at or before nowMs, in (due, sequence) order, removed from the model. */
function modelAdvance(pending, nowMs) {
  const due = [];
  for (const [id, t] of pending) if (t.dueMs <= nowMs) due.push([id, t]);
  due.sort((a, b) => a[1].dueMs - b[1].dueMs || a[1].seq - b[1].seq);
  for (const [id] of due) pending.delete(id);
  return due.map(([id]) => id);
}

function modelNextDue(pending) {
  let best = Number.POSITIVE_INFINITY;
  for (const t of pending.values()) if (t.dueMs < best) best = t.dueMs;
  return best;
}

function sameIds(label, step, got, want, ordered) {
  const a = ordered ? [...got] : [...got].sort((x, y) => x - y);
  const b = ordered ? want : [...want].sort((x, y) => x - y);
  if (a.length !== b.length || a.some((id, i) => id !== b[i])) {
    fail(label, step, `released [${a.slice(0, 12)}${a.length > 12 ? ',...' : ''}] (${a.length}), model [${b.slice(0, 12)}${b.length > 12 ? ',...' : ''}] (${b.length})`);
  }
}

function checkOne(label, module, { ordered = true, levelBits } = {}, seed, steps) {
  const random = mulberry32(seed);
  const x = instantiate(module, { capacity: CAPACITY, ordered, levelBits, logCapacity: CAPACITY });
  const pending = new Map();
  let seq = 0;
  let nowMs = 0;
  let released = 0;
  let hashSum = 0;
  const release = (step, target) => {
    x.clearLog();
    const got = x.advance(target);
    const want = modelAdvance(pending, target);
    if (got !== want.length) fail(label, step, `advance(${target}) returned ${got}, model ${want.length}`);
    sameIds(label, step, loggedIds(x), want, ordered);
    released += want.length;
    for (const id of want) hashSum = (hashSum + hashId(id)) >>> 0;
  };
  for (let step = 0; step < steps; step++) {
    const r = random();
    if (r < 0.45) {
      const id = Math.floor(random() * CAPACITY);
      const dueMs = random() < 0.05 ? Math.max(0, nowMs - random() * 100) : nowMs + pickDelay(random);
      const want = pending.has(id) ? -1 : 0;
      const got = x.insert(id, dueMs);
      if (got !== want) fail(label, step, `insert(${id}, ${dueMs}) returned ${got}, expected ${want}`);
      if (want === 0) pending.set(id, { dueMs, seq: ++seq });
    } else if (r < 0.7) {
      const id = Math.floor(random() * CAPACITY);
      const want = pending.has(id) ? 0 : -1;
      const got = x.cancel(id);
      if (got !== want) fail(label, step, `cancel(${id}) returned ${got}, expected ${want}`);
      pending.delete(id);
    } else if (r < 0.85) {
      const got = x.nextDue();
      const want = modelNextDue(pending);
      if (got !== want) fail(label, step, `nextDue() = ${got}, model ${want}`);
    } else {
      nowMs += pickStep(random);
      release(step, nowMs);
    }
    if (x.pending() !== pending.size) fail(label, step, `pending() = ${x.pending()}, model ${pending.size}`);
  }
  release(steps, 2 ** 52 - 1); // the largest time both structures accept
  if (x.pending() !== 0 || x.nextDue() !== Number.POSITIVE_INFINITY) fail(label, steps, 'not empty after the final advance');
  if (x.released() !== released || x.checksum() >>> 0 !== hashSum) fail(label, steps, 'release counters disagree with the model');
  return released;
}

/** Throws on the first disagreement; answers how many releases were checked. */
export function modelCheck(modules, { seeds, steps }) {
  let checked = 0;
  for (const seed of seeds) {
    checked += checkOne('4-ary-heap', modules.heap, {}, seed, steps);
    for (const levelBits of [6, 8]) {
      checked += checkOne(`timing-wheel (2^${levelBits} slots)`, modules.wheel, { levelBits }, seed, steps);
      checked += checkOne(`timing-wheel-fifo (2^${levelBits} slots)`, modules.wheel, { ordered: false, levelBits }, seed, steps);
    }
  }
  return checked;
}
