// Timers: insert n one-shot timers with random delays, then cancel them all,
// in timeslice and in Node (timers-timed.mjs), and the bytes each pending
// timer costs (timers-memory.mjs). Delays lie between ~28 hours and ~23 days,
// below setTimeout's 2^31-1 ms limit (larger delays are clamped to 1 ms), so
// nothing fires.
import { interleave } from '../../lib/measure.mjs';
import { mulberry32 } from '../../lib/random.mjs';
import { toRows } from '../../lib/rows.mjs';
import { MEMORY_IMPLS } from './timers-memory.mjs';
import { releaseNodeAnchor, TIMED_IMPLS } from './timers-timed.mjs';

const MIN_DELAY_MS = 1e8;
const DELAY_SPAN_MS = 1.9e9;

function delaysFor(seed, n) {
  const next = mulberry32(seed);
  const delays = new Float64Array(n);
  for (let i = 0; i < n; i++) delays[i] = Math.floor(MIN_DELAY_MS + next() * DELAY_SPAN_MS);
  return delays;
}

const TIME_UNITS = { opsPerSec: 'ops/s', insertNsPerOp: 'ns/insert', cancelNsPerOp: 'ns/cancel' };
const MEMORY_UNITS = {
  bytesPerTimer: 'bytes/timer',
  jsHeapBytesPerTimer: 'bytes/timer',
  wasmBytesPerTimer: 'bytes/timer',
  externalBytesPerTimer: 'bytes/timer',
};

function timed(plan, n, delays) {
  // Small sizes repeat within a sample so it spans at least plan.minOps timers.
  const rounds = Math.max(1, Math.floor(plan.minOps / n));
  return interleave(TIMED_IMPLS, plan.repsFor(n), (impl) => {
    let insertMs = 0;
    let cancelMs = 0;
    for (let r = 0; r < rounds; r++) {
      const outcome = impl.run(delays, n);
      insertMs += outcome.insertMs;
      cancelMs += outcome.cancelMs;
    }
    const ops = n * rounds;
    return {
      opsPerSec: (2 * ops) / ((insertMs + cancelMs) / 1000),
      insertNsPerOp: (insertMs * 1e6) / ops,
      cancelNsPerOp: (cancelMs * 1e6) / ops,
    };
  });
}

export function timersCase(plan, ctx) {
  const warm = delaysFor(plan.seed, 1000);
  for (const impl of TIMED_IMPLS) impl.run(warm, 1000);
  const rows = [];
  for (const n of plan.sizes) {
    const delays = delaysFor(plan.seed + 1, n);
    rows.push(...toRows('timers-insert-cancel', n, timed(plan, n, delays), TIME_UNITS));
    // Memory only where the arena has grown well past its initial 1024 rows
    // and heapUsed noise is small per timer.
    if (n >= plan.memoryMinSize) {
      const samples = interleave(MEMORY_IMPLS, plan.memoryReps, (impl) => impl.run(delays, n));
      rows.push(...toRows('timers-memory', n, samples, MEMORY_UNITS));
    }
    ctx.log(`timers n=${n}`);
  }
  releaseNodeAnchor();
  return rows;
}
