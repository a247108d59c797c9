import { Scheduler, RealClock } from '../dist/index.js';
import { windowOffsets } from './lib/random.mjs';
import { latenessRun } from './suites/dispatch/lateness.mjs';
const offsets = windowOffsets(0xd15 + 3, 1e4, 2000);
const mk = (pollBelowMs) => () => { const s = new Scheduler({ clock: new RealClock({ pollBelowMs }), groupTiming: true }).start(); return { after: (d, f) => s.after(d, f), finish: () => s.stop() }; };
const impls = [{ name: 'poll1', create: mk(1) }, { name: 'poll0', create: mk(0) }, { name: 'setTimeout', create: () => ({ after: (d, f) => setTimeout(f, d), finish() {} }) }];
for (const busyMs of [0, 5]) {
  const res = {};
  for (let rep = 0; rep < 5; rep++) for (const impl of impls) (res[impl.name] ??= []).push(await latenessRun(impl, offsets, { leadMs: 250, busyMs }));
  for (const [k, v] of Object.entries(res)) { const p50 = v.map((x) => x.p50Ms).sort((a, b) => a - b)[2]; const p99 = v.map((x) => x.p99Ms).sort((a, b) => a - b)[2]; console.log(busyMs ? 'busy' : 'idle', k.padEnd(10), 'p50', p50.toFixed(3), 'p99', p99.toFixed(3)); }
}
