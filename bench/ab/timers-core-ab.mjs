// Internals (not a user-facing row): the timer queue of two core builds, through
// the raw wasm exports, each build in processes of its own, alternating A, B,
// B, A, ... A process does 5 repetitions on a fresh core each and reports the
// median CPU ns per timer of those after the first.
//
//   --case insert-cancel  n timers registered (register(now, NORMAL, 0, once,
//                         delay, 0)), then all cancelled in the order set: the
//                         core's share of after() + cancel(). Delays random
//                         (as suites/timers insert-cancel) or one delay.
//   --case drain          n timers due at random times registered, then the
//                         queue drained in order (nextDue, advance, pop,
//                         complete), as suites/core heap-push-pop-all does.
//
//   node bench/ab/timers-core-ab.mjs A/dist B/dist [--case insert-cancel|drain]
//        [--pattern random|one-delay] [--n 1000000] [--rounds 4]
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../lib/random.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    one: { type: 'string' },
    case: { type: 'string', default: 'insert-cancel' },
    pattern: { type: 'string', default: 'random' },
    n: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '4' },
  },
});
const n = Number(values.n);

if (values.one !== undefined) {
  const { Core, layout: L } = await import(pathToFileURL(path.join(path.resolve(values.one), 'core.js')).href);
  const next = mulberry32(7);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (values.case === 'drain') keys[i] = next() * 1e6;
    else keys[i] = values.pattern === 'one-delay' ? 1e9 : Math.floor(1e8 + next() * 1.9e9);
  }
  const ids = new Float64Array(n);
  const samples = [];
  for (let r = 0; r < 5; r++) {
    const w = new Core().exports;
    const cpu0 = process.cpuUsage();
    if (values.case === 'drain') {
      for (let i = 0; i < n; i++) w.register(0, L.CLASS_NORMAL, 0, L.KIND_ONCE, keys[i], 0);
      let pending = 0;
      let key = 0;
      let last = -1;
      for (let i = 0; i < n; i++) {
        if (pending === 0) {
          key = w.nextDue();
          pending = w.advance(key);
        }
        w.complete(w.pop(key), key, 0);
        pending--;
        if (key < last) throw new Error('timers core A/B: released out of order');
        last = key;
      }
    } else {
      for (let i = 0; i < n; i++) ids[i] = w.register(performance.now(), L.CLASS_NORMAL, 0, L.KIND_ONCE, keys[i], 0);
      for (let i = 0; i < n; i++) w.cancel(ids[i]);
    }
    const cpu = process.cpuUsage(cpu0);
    if (w.nextDue() !== Number.POSITIVE_INFINITY) throw new Error('timers core A/B: a timer was left');
    samples.push(((cpu.user + cpu.system) * 1e3) / n);
  }
  console.log(JSON.stringify({ cpuNs: median(samples.slice(1)) }));
} else {
  if (positionals.length !== 2) throw new Error('give two builds: A/dist B/dist');
  const self = fileURLToPath(import.meta.url);
  const results = { A: [], B: [] };
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const name of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const args = [self, '--one', positionals[name === 'A' ? 0 : 1], '--case', values.case, '--pattern', values.pattern, '--n', String(n)];
      results[name].push(JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })).cpuNs);
    }
  }
  for (const name of ['A', 'B']) {
    const list = results[name];
    console.log(`${name} ${values.case} ${values.pattern} n=${n}: CPU ns/timer ${median(list).toFixed(0)} (${Math.min(...list).toFixed(0)}-${Math.max(...list).toFixed(0)})`);
  }
  console.log(`median B/A CPU ${(median(results.B) / median(results.A)).toFixed(3)}`);
}

function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}
