// Lateness A/B of RealClock polling settings against setTimeout, on the timers
// suite's delayed-task run (quiet, and behind 5 ms busy event-loop turns):
// `npm run build && node --expose-gc bench/lat-ab.mjs`.
import '../scripts/current-dist.mjs';
import { RealClock, Scheduler } from '../dist/index.js';
import { windowOffsets } from './lib/random.mjs';
import { delayedRun } from './suites/timers/delayed.mjs';

const offsets = windowOffsets(0xd15 + 3, 1e4, 2000);
const schedulers = [];
const scheduled = (pollBelowMs) => {
  const s = new Scheduler({ clock: new RealClock({ pollBelowMs }), groupTiming: true }).start();
  schedulers.push(s);
  return (delayMs, fn) => s.after(delayMs, fn);
};
const impls = [
  { name: 'poll1', after: scheduled(1) },
  { name: 'poll0', after: scheduled(0) },
  { name: 'setTimeout', after: (delayMs, fn) => setTimeout(fn, delayMs) },
];
const noStopwatch = { start() {}, stop() {} };
for (const busyMs of [0, 5]) {
  const res = {};
  for (let rep = 0; rep < 5; rep++) {
    for (const impl of impls) (res[impl.name] ??= []).push(await delayedRun(impl, offsets, { leadMs: 250, busyMs, requireLead: false }, noStopwatch));
  }
  for (const [k, v] of Object.entries(res)) {
    const p50 = v.map((x) => x.p50Ms).sort((a, b) => a - b)[2];
    const p99 = v.map((x) => x.p99Ms).sort((a, b) => a - b)[2];
    console.log(busyMs ? 'busy' : 'idle', k.padEnd(10), 'p50', p50.toFixed(3), 'p99', p99.toFixed(3));
  }
}
for (const s of schedulers) await s.stop();
