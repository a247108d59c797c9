// The two heap cases, every implementation on the same keys at each size:
// heap-hold (steady state: pop the min, push it back later) and
// heap-push-pop-all (build up, then drain). heap-hold reports the process's
// CPU time per op beside the wall time: on a shared machine the wall time of
// a millisecond-long loop swings with preemption (the C heap's wall time
// varied 3.3-12 ms between repetitions of the same 1e5 ops under load 3.5,
// its CPU time 2.96-3.07 ms), and the ratios are quoted for both. See heap-peers.mjs and
// heap-timeslice.mjs for what one operation is for each implementation.
import { interleave } from '../../lib/measure.mjs';
import { heapWorkload } from '../../lib/random.mjs';
import { toRows } from '../../lib/rows.mjs';
import { Agreement } from '../../lib/verify.mjs';
import { C_IMPL, C_INDEXED_IMPL } from './c-reference.mjs';
import { JS_PEERS } from './heap-peers.mjs';
import { TIMESLICE_HOLD, TIMESLICE_PUSH_POP_ALL } from './heap-timeslice.mjs';

const HOLD_IMPLS = [...TIMESLICE_HOLD, ...JS_PEERS.map(({ name, hold }) => ({ name, hold }))];
const PUSH_POP_IMPLS = [...TIMESLICE_PUSH_POP_ALL, ...JS_PEERS.map(({ name, pushPopAll }) => ({ name, pushPopAll }))];

// One untimed pass at a small size first, so the first measured size does not
// pay for compiling every loop.
function warmUp(plan) {
  const w = heapWorkload(plan.seed, 1000, 10000);
  for (const impl of HOLD_IMPLS) impl.hold(w, 1000, 10000);
  for (const impl of PUSH_POP_IMPLS) impl.pushPopAll(w, 1000);
}

export function heapHoldCase(plan, ctx, runC) {
  warmUp(plan);
  const rows = [];
  for (const n of plan.sizes) {
    const m = Math.max(n, plan.minOps);
    const reps = plan.repsFor(n);
    const w = heapWorkload(plan.seed, n, m);
    const agreement = new Agreement(`heap-hold n=${n}`);
    const samples = interleave(HOLD_IMPLS, reps, (impl) => {
      const outcome = impl.hold(w, n, m);
      agreement.check(impl.name, outcome);
      return { nsPerOp: (outcome.elapsedMs * 1e6) / m, cpuNsPerOp: (outcome.cpuMs * 1e6) / m };
    });
    if (runC) {
      for (const [workload, name] of [['hold', C_IMPL], ['hold-indexed', C_INDEXED_IMPL]]) {
        const out = runC([workload, n, m, reps, plan.seed]);
        agreement.check(name, out);
        samples.set(name, { nsPerOp: out.ms.map((ms) => (ms * 1e6) / m), cpuNsPerOp: out.cpuMs.map((ms) => (ms * 1e6) / m) });
      }
    }
    rows.push(...toRows('heap-hold', n, samples, { nsPerOp: 'ns/op', cpuNsPerOp: 'ns CPU/op' }));
    ctx.log(`heap-hold n=${n} m=${m}: ${samples.size} implementations agree`);
  }
  return rows;
}

export function heapPushPopAllCase(plan, ctx, runC) {
  const rows = [];
  for (const n of plan.sizes) {
    const reps = plan.repsFor(n);
    // Small sizes are repeated within a sample so it spans at least plan.minOps keys.
    const rounds = Math.max(1, Math.floor(plan.minOps / n));
    const w = heapWorkload(plan.seed, n, 0);
    const expected = [...w.keys].sort((a, b) => a - b).reduce((sum, key) => sum + key, 0);
    const agreement = new Agreement(`heap-push-pop-all n=${n}`, expected, 'sorted keys');
    const samples = interleave(PUSH_POP_IMPLS, reps, (impl) => {
      let pushMs = 0;
      let popMs = 0;
      for (let r = 0; r < rounds; r++) {
        const outcome = impl.pushPopAll(w, n);
        agreement.check(impl.name, outcome);
        pushMs += outcome.pushMs;
        popMs += outcome.popMs;
      }
      const keys = n * rounds;
      return { nsPerKey: ((pushMs + popMs) * 1e6) / keys, pushNsPerOp: (pushMs * 1e6) / keys, popNsPerOp: (popMs * 1e6) / keys };
    });
    if (runC) {
      const out = runC(['push-pop-all', n, reps, plan.seed]);
      agreement.check(C_IMPL, out);
      const perKey = (ms) => (ms * 1e6) / n;
      samples.set(C_IMPL, {
        nsPerKey: out.pushMs.map((ms, i) => perKey(ms + out.popMs[i])),
        pushNsPerOp: out.pushMs.map(perKey),
        popNsPerOp: out.popMs.map(perKey),
      });
    }
    rows.push(...toRows('heap-push-pop-all', n, samples, { nsPerKey: 'ns/key', pushNsPerOp: 'ns/push', popNsPerOp: 'ns/pop' }));
    ctx.log(`heap-push-pop-all n=${n}: ${samples.size} implementations agree`);
  }
  return rows;
}
